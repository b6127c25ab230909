"""The CTO agent decides how severe an incident is (with its evidence) and what the public hears:
the status-page posts, the war room's staffing and updates, and the blameless postmortem draft."""
