"""What the investigation reads and records: the read-only tools over the store, the settings,
Sentry and Prometheus (`toolbox`), and the one write, the grounded finding (`recording`). The
graph in `graphs.investigation` drives them; the decisions are `agents.cto.investigation`'s."""
