"""The gate: what decides which findings count: exceptions, baselines, findings new since a git ref, redaction."""
