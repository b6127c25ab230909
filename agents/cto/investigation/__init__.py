"""The CTO agent's investigation: a cited first look without a model, a bounded tool-calling
investigation with one, and the grounding that keeps only claims resting on evidence the tools
returned. Pure decisions over the evidence types in `evidence`; the reading is done by
`flows.investigation`, the loop by `graphs.investigation`."""
