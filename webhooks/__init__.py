"""Outbound webhooks: signed POSTs of feedback events to an organisation's systems."""
