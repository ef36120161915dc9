"""A chain of thousands of links (a divergence over a large repository has one per plan) is shown
capped in every human and CI format, with the number left out; JSON keeps every link."""
from __future__ import annotations

import json

import pytest
from reporter_samples import RULES, make_finding, make_result, span

from incentive_lint.base.findings import RELATED_SHOWN, Related, Severity
from incentive_lint.outputs.formats import REPORTERS

LINKS = RELATED_SHOWN + 7410


@pytest.fixture
def long_chain():
    related = tuple(Related(span(f"plans/p{i:05}.yaml", 3, 5), f"plan p{i:05} pays 40% on units")
                    for i in range(LINKS))
    finding = make_finding("weights-sum-to-100", "WGT010", "weights", Severity.ERROR, "D=0.41 over 7,430 plans",
                           span("org/org.yaml", 10, 5), entities=("sales",), related=related)
    return make_result([finding])


@pytest.mark.parametrize("name", sorted(set(REPORTERS) - {"json", "statistics"}))
def test_every_format_shows_the_first_links_and_counts_the_rest(long_chain, name: str) -> None:
    out = REPORTERS[name](long_chain, RULES)
    if name != "concise":  # one line per finding: no chain at all
        assert "plans/p00000.yaml" in out and f"plans/p{RELATED_SHOWN - 1:05}.yaml" in out
        assert "7,410 more" in out
    assert f"plans/p{RELATED_SHOWN:05}.yaml" not in out


def test_sarif_has_the_shown_links_and_the_count_left_out(long_chain) -> None:
    [result] = json.loads(REPORTERS["sarif"](long_chain, RULES))["runs"][0]["results"]
    assert len(result["relatedLocations"]) == RELATED_SHOWN
    assert result["properties"]["relatedOmitted"] == 7410


def test_json_keeps_every_link(long_chain) -> None:
    [finding] = json.loads(REPORTERS["json"](long_chain, RULES))["findings"]
    assert len(finding["related"]) == LINKS


def test_only_files_still_sees_every_file_of_the_chain(long_chain) -> None:
    [finding] = long_chain.findings
    assert f"plans/p{LINKS - 1:05}.yaml" in finding.files
