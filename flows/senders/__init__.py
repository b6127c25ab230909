"""Outbox senders: they turn one outbox row into a call to a client in `tools/` and record what
went out (timeline, draft state, external ids); each registers the outbox kinds it sends."""
