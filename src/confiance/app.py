"""Composition root: builds the services from settings (filled in with the gateway)."""
