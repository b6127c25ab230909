"""The built-in web UI: where a founder works an incident when Slack is not configured.

Server-rendered with jinja2; htmx swaps fragments for war-room posts, draft decisions and the
postmortem editor, and every form also works as a plain post without JavaScript. `sign_in`
opens and ends the server-side session (`api.web_sessions`, which also keeps the CSRF token);
`incidents` serves the pages and runs the actions; `postmortem` is the postmortem editor (preview,
versions, diff, restore, downloads); `render` holds what they all answer pages with.
"""
