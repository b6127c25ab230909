"""Investigation findings: the AI's cited hypotheses about an incident and the responders' verdicts."""
