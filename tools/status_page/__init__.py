"""Status pages: the port every page implements (`port`), Atlassian Statuspage (`atlassian`),
Instatus (`instatus`) and the built-in page served at `/status` (`builtin`)."""
