"""Public and staff HTML views of the surveys app."""
