"""What the scheduler and the outbox run that is not a graph: escalation clocks, enrichment,
comms preparation, the postmortem flow and the outbox senders, each registering its own kinds;
plus the readers and effects the graphs share with them. Flows never import `graphs/`."""
