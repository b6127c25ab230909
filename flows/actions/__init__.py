"""What humans do to an incident, one plain function per action, whichever door they came in by.

Each takes the context, its arguments and the `Actor`, and returns a result or raises one of the
errors in `warroom.errors`; REST, the web UI, Slack and the CLI call the same function and only
translate (the actor from their own identity, the errors to their own replies).
"""
