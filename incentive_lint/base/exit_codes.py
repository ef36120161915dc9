"""The exit codes of every command, in a module of their own so that the command line can name
them without loading the findings model (``incentive-lint --version`` stays instant)."""
from __future__ import annotations

#: nothing at or above ``--fail-on``
EXIT_OK = 0
#: at least one finding at or above ``--fail-on``
EXIT_FINDINGS = 1
#: the tool could not do its job (a bad option, a missing path, a broken configuration, no input)
EXIT_TOOL_ERROR = 2
