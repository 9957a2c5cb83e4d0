"""``why`` a page at a time: the pages, read one after the other, are the whole answer in
its order, and each knows the whole answer's size (a claim about a hub rests on thousands
of statements; only a page's are read in full)."""

from __future__ import annotations

import pytest

from kg.errors import KgError
from kg.loader import load
from kg.query import match, why
from kg.selection import Selection
from kg.store import open_store
from tests.conftest import EVERY_EXAMPLE


@pytest.fixture(scope="module", params=EVERY_EXAMPLE)
def busiest(request):
    """A store holding one example, its three claims with the most evidence, and the one
    whose evidence takes the most stances (a page's stances are read apart from its claim)."""
    store = open_store(":memory:")
    load(store, [request.param])
    claims = {(row["x"], row["r"], row["y"]) for row in match(store, ["?x ?r ?y"], Selection(stances=("asserted", "alleged", "denied")))}
    evidence = {claim: why(store, *claim) for claim in sorted(claims)}
    sized = sorted(claims, key=lambda claim: (-len(evidence[claim]), claim))
    varied = max(sorted(claims), key=lambda claim: len(set(evidence[claim].column("stance"))))
    yield store, [*sized[:3], varied]
    store.close()


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_pages_read_in_turn_are_the_whole_answer_in_order(busiest, limit):
    store, claims = busiest
    for claim in claims:
        whole = why(store, *claim)
        pages, offset = [], 0
        while offset < len(whole) or not pages:
            page = why(store, *claim, limit=limit, offset=offset)
            assert page.total == len(whole) and len(page) == min(limit, len(whole) - offset)
            pages.extend(page)
            offset += limit
        assert pages == list(whole), claim


def test_a_page_past_the_end_is_empty_but_knows_the_total(busiest):
    store, claims = busiest
    whole = why(store, *claims[0])
    page = why(store, *claims[0], limit=5, offset=len(whole))
    assert list(page) == [] and page.total == len(whole) and page.columns == whole.columns


def test_a_negative_limit_or_offset_is_refused(busiest):
    store, claims = busiest
    with pytest.raises(KgError, match="0 or more"):
        why(store, *claims[0], limit=-1)
    with pytest.raises(KgError, match="0 or more"):
        why(store, *claims[0], offset=-2)


def test_the_cli_shows_a_page_and_says_where_the_rest_is(kg):
    import json

    assert kg("load", "examples/acled-sudan-2023/sudan-2023.csv").exit_code == 0
    whole = json.loads(kg("why", "rsf", "clashes-with", "sudan-mil", "--format", "json").stdout)
    assert len(whole) > 4
    page = kg("why", "rsf", "clashes-with", "sudan-mil", "--limit", "2", "--offset", "2", "--format", "json")
    assert page.exit_code == 0 and json.loads(page.stdout) == whole[2:4]
    assert page.stderr == f"rows 3-4 of {len(whole)}; --offset 4 for the next\n"
    last = kg("why", "rsf", "clashes-with", "sudan-mil", "--offset", str(len(whole) - 1), "--format", "json")
    assert json.loads(last.stdout) == whole[-1:] and last.stderr == f"rows {len(whole)}-{len(whole)} of {len(whole)}\n"
    matched = json.loads(kg("match", "?x clashes-with ?y", "--format", "json").stdout)
    first = kg("match", "?x clashes-with ?y", "--limit", "1", "--format", "json")
    assert json.loads(first.stdout) == matched[:1] and f"rows 1-1 of {len(matched)}" in first.stderr
    assert kg("why", "rsf", "clashes-with", "sudan-mil", "--limit", "-1").exit_code == 2  # click's usage error
