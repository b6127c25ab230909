"""Labelled cases and the harness that scores the agents' judgement through the real API."""
