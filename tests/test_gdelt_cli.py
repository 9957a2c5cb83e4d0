"""`kg load` with GDELT event files, through the real CLI."""

from __future__ import annotations

from tests.conftest import EXAMPLE_FILE, snapshot
from tests.test_gdelt import HANDMADE, USER_MAP


def test_cli_loads_gdelt_and_prints_the_summary(kg):
    result = kg("load", str(HANDMADE))
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (
        "  16 events read, 10 assertions written; skipped 7: 1 bad date, 1 bad event code, 1 missing actor, "
        "1 same actor, 1 unmapped actor, 1 unmapped event code, 1 wrong number of columns"
    )


def test_cli_strict_is_one_error_line_and_writes_nothing(kg, store_dir):
    assert kg("load", str(HANDMADE)).exit_code == 0
    before = snapshot(store_dir)
    result = kg("load", "--strict", str(HANDMADE))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {HANDMADE}:10: Actor2Code: missing: the event has no actor 2 (a one-actor event)"
    assert snapshot(store_dir) == before


def test_cli_actor_map_and_format(kg):
    result = kg("load", "--actor-map", str(USER_MAP), str(HANDMADE))
    assert result.exit_code == 1 and "actor-map.yaml:4: actor: unknown actor 'Syrian National Army'" in result.stderr
    result = kg("load", "--format", "gdelt", "--actor-map", str(USER_MAP), str(HANDMADE), str(EXAMPLE_FILE))
    assert result.exit_code == 0, result.output
    assert kg("match", "turkey militarily-backs ?x").output.split() == ["x", "---", "sna"]
