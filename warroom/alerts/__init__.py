"""Alerts: one normalised shape for every source, stored raw and deduplicated by delivery."""
