"""The CTO agent's postmortem: what happened, why, and what it cost, from stored facts only;
`draft.draft_postmortem` assembles it and `draft.render_markdown` writes the document."""
