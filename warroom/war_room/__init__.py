"""The built-in war room: a channel per incident stored in the database, shown in the web UI."""
