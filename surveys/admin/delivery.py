"""Admin: delivery."""
