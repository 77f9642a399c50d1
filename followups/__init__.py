"""The closed loop: follow-up cases for unhappy customers, with owners, SLAs and recovery."""
