"""CX maturity: evidence, self-assessment, scoring and the executive report."""
