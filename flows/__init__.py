"""Everything that acts on an incident outside the graphs: what the scheduler and the outbox run
(escalation clocks, enrichment, comms preparation, the postmortem flow, the outbox senders; each
registering its own kinds), the human actions every front door calls (`actions`), and the
readers and effects the graphs share with them (the investigation's read-only tools among them).
Flows never import `graphs/`."""
