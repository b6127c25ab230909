"""Postmortem documents, versioned: the draft is version 1, every human save adds one."""
