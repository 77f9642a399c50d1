"""Insights: metrics computed in the database, journey scores, the invitation funnel."""
