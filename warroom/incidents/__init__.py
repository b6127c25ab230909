"""Incidents: correlated alerts with a severity, a status and a timeline."""
