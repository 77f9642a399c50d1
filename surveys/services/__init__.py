"""Writes of the surveys app, one module per area (triggers, delivery, responses, …)."""
