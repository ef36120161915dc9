"""Outputs: the finding formats (text, JSON, SARIF, ...), the alignment report, explain and show-config."""
