"""Surveys, trigger rules, invitations, responses and the closed loop (see DESIGN.md §3)."""
