"""The built-in public status page: what `/status` and `/status.json` show."""
