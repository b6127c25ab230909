"""Web UI sessions, kept server-side so signing out or rotating the API token ends them."""
