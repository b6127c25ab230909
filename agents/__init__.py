"""The three agents, a package each (`cto`, `support`, `coo`): pure decisions over domain values.

Shared by all three: `llm` (the optional model and how untrusted text reaches it), `notes` (what
the humans' labelled notes establish) and `blameless` (wording that points at people).
"""
