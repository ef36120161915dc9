"""Settings: the rule specs of the catalog and the configuration file, validated against the check functions."""
