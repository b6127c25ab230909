"""Fake outside services that check our requests against the published specs."""
