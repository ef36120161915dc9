"""Check functions, one module per rule family, each with its own ``FUNCTIONS`` mapping."""
