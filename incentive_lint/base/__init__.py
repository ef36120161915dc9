"""Values every stage shares: errors, positions in files, findings and exit codes, document kinds, packaged resources."""
