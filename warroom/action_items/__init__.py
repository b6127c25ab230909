"""Action items from postmortems: owner, due date, tracker ticket, completion."""
