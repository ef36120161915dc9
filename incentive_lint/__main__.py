"""``python -m incentive_lint``."""
from incentive_lint.cli import main

main()
