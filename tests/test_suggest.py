"""'Did you mean' suggestions: the fast search gives what ``difflib.get_close_matches`` gives."""
from __future__ import annotations

import difflib
import random

from incentive_lint.base.kinds import CUTOFF, _best_match, suggest


def test_the_pruned_search_agrees_with_difflib_on_random_ids() -> None:
    rng = random.Random(3)
    words = ["".join(rng.choice("abcde-") for _ in range(rng.randint(3, 14))) for _ in range(400)]
    for _ in range(3000):
        word = "".join(c for c in rng.choice(words) if rng.random() > 0.2) + rng.choice(["", "x", "-2"])
        pool = rng.sample(words, rng.randint(0, 60))
        expected = difflib.get_close_matches(word, pool, n=1, cutoff=CUTOFF)
        assert _best_match(word, pool, CUTOFF) == (expected[0] if expected else None), (word, pool)


def test_a_typo_gets_its_id_back_whatever_the_case() -> None:
    ids = ["units-shipped", "nrr", "fleet-uptime", "Service-Margin"]
    assert suggest("unit-shipped", ids) == "units-shipped"
    assert suggest("service-margn", ids) == "Service-Margin"
    assert suggest("zzzz", ids) is None
