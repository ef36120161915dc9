"""``python -m incentive_lint``."""
from .cli import main

main()
