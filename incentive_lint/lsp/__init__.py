"""The language server (``incentive-lint lsp``): findings while you type, on pygls (the ``lsp`` extra)."""
