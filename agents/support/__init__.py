"""The Support agent decides who is affected and what each channel tells them, and checks every
word of it against the incident's facts before anything can reach a customer."""
