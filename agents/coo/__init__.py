"""The COO agent decides what the team commits to after an incident: action items with an owner
and a due date set by their priority (filed to a tracker, chased and reported on later)."""
