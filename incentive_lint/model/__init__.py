"""The model: entities built from valid documents, references resolved, and the facts derived from them (pay shares, divergence)."""
