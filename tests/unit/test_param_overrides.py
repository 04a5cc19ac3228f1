"""The scoring parameters a supervisor may change: bounds, overrides applied, stored and audited once; the CLI."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from pipelines import accounts, audit, param_overrides
from pipelines.param_overrides import TUNABLES, ParameterError
from pipelines.params import SIGNALS, ScoringParams
from tests.commands import run_pipelines as cli
from warehouse import access_store

ROOT = Path(__file__).resolve().parents[2]
REASON = "ticket 2026-118: fewer borderline cases"
WHO = {"reason": REASON, "actor": "cli:test", "actor_role": ""}


@pytest.fixture()
def store(tmp_path) -> Path:
    return tmp_path / "access.sqlite"


def entries(path: Path) -> list[dict]:
    return list(reversed(audit.entries(path, limit=None)))


def test_the_set_is_curated_and_every_default_is_the_code_default_within_bounds():
    defaults = ScoringParams()
    expected = {
        "scores.z_threshold",
        "scores.min_events",
        "scores.evidence_scale",
        "scores.min_peer_group",
        "scores.max_reasons",
        "scores.tiers.high.share",
        "scores.tiers.high.min_score",
        "scores.tiers.medium.share",
        "scores.tiers.medium.min_score",
    } | {f"signals.{s.code}.weight" for s in SIGNALS}
    assert set(TUNABLES) == expected
    for spec in TUNABLES.values():
        assert param_overrides.value_of(defaults, spec.name) == spec.default, spec.name
        assert spec.minimum <= spec.default <= spec.maximum, spec.name
        assert spec.kind in ("int", "float") and spec.help


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("scores.z_threshold", "2", 2.0),
        ("scores.z_threshold", " 0.5 ", 0.5),
        ("scores.z_threshold", 5, 5.0),
        ("scores.min_events", "3", 3),
        ("scores.min_events", "3.0", 3),
        ("scores.tiers.high.min_score", "0", 0.0),
        ("signals.FT_RING.weight", "0", 0.0),
    ],
)
def test_values_within_bounds_are_taken_as_the_parameters_type(name, value, expected):
    got = param_overrides.check_value(name, value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("scores.z_threshold", "0.49", "bounds"),
        ("scores.z_threshold", "5.01", "bounds"),
        ("scores.min_events", "0", "bounds"),
        ("scores.min_events", "2.5", "type"),
        ("scores.z_threshold", "abc", "type"),
        ("scores.z_threshold", "", "type"),
        ("scores.z_threshold", "nan", "type"),
        ("scores.z_threshold", "inf", "type"),
        ("scores.z_threshold", True, "type"),
        ("scores.z_threshold", None, "type"),
        ("signals.FT_RING.weight", "-1", "bounds"),
        ("signals.FT_RING.weight", "10.5", "bounds"),
        ("scores.z_cap", "3", "unknown"),  # a score parameter, but not one a supervisor may change
        ("memory_limit_mb", "4096", "unknown"),
        ("signals.NO_SUCH.weight", "1", "unknown"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter_and_its_bounds(name, value, problem):
    with pytest.raises(ParameterError) as raised:
        param_overrides.check_value(name, value)
    assert raised.value.problem == problem
    assert name in str(raised.value)
    if problem != "unknown":
        spec = TUNABLES[name]
        assert f"between {spec.minimum:g} and {spec.maximum:g}" in str(raised.value)


def test_overrides_are_applied_to_scoring_params_and_signals_replaced_by_code():
    defaults = ScoringParams()
    params = param_overrides.apply_overrides(
        {
            "scores.z_threshold": "2.5",
            "scores.tiers.medium.share": 0.1,
            "scores.tiers.high.min_score": 60,
            "signals.AS_LATE_RESPONSE.weight": 3,
        }
    )
    assert params.scores.z_threshold == 2.5
    assert params.scores.tiers == (("high", 0.01, 60.0), ("medium", 0.1, 25.0))
    changed = {s.code: s for s in params.signals}
    assert changed["AS_LATE_RESPONSE"].weight == 3.0
    assert changed["AS_LATE_RESPONSE"].zh == next(s.zh for s in SIGNALS if s.code == "AS_LATE_RESPONSE")
    assert [s for s in params.signals if s.code != "AS_LATE_RESPONSE"] == [
        s for s in SIGNALS if s.code != "AS_LATE_RESPONSE"
    ]
    assert [s.code for s in params.signals] == [s.code for s in SIGNALS]  # order kept
    assert params.features == defaults.features and params.scores.z_cap == defaults.scores.z_cap
    recorded = json.loads(params.as_json())
    assert recorded["scores"]["z_threshold"] == 2.5
    assert next(s["weight"] for s in recorded["signals"] if s["code"] == "AS_LATE_RESPONSE") == 3.0
    assert params.digest() != defaults.digest()
    assert param_overrides.apply_overrides({}).digest() == defaults.digest()


@pytest.mark.parametrize(
    ("overrides", "conflict"),
    [
        ({"scores.tiers.high.share": 0.2}, "scores.tiers.high.share"),
        ({"scores.tiers.medium.share": 0.005}, "scores.tiers.high.share"),
        ({"scores.tiers.medium.min_score": 60}, "scores.tiers.high.min_score"),
    ],
)
def test_tiers_must_nest(overrides, conflict):
    with pytest.raises(ParameterError) as raised:
        param_overrides.apply_overrides(overrides)
    assert raised.value.problem == "order" and conflict in str(raised.value)


def test_a_change_is_stored_with_who_when_why_and_audited_once(store):
    change = param_overrides.set_override(store, "scores.z_threshold", "2", **WHO)
    assert (change.before, change.after, change.default) == (1.5, 2.0, 1.5)
    (override,) = param_overrides.list_overrides(store)
    assert (override.name, override.value, override.updated_by, override.reason) == (
        "scores.z_threshold",
        2.0,
        "cli:test",
        REASON,
    )
    (entry,) = entries(store)
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "parameter_change",
        "cli:test",
        "scores.z_threshold",
    )
    assert json.loads(entry["detail_json"]) == {"from": 1.5, "to": 2.0, "default": 1.5, "reason": REASON}
    param_overrides.set_override(store, "scores.z_threshold", "2.5", **WHO)
    assert json.loads(entries(store)[-1]["detail_json"])["from"] == 2.0
    params, overrides = param_overrides.effective_params(store)
    assert params.scores.z_threshold == 2.5 and len(overrides) == 1
    assert audit.verify(store).ok


def test_reset_and_setting_the_default_remove_the_override_each_with_one_entry(store):
    param_overrides.set_override(store, "signals.FT_RING.weight", 6, **WHO)
    param_overrides.set_override(store, "scores.max_reasons", 6, **WHO)
    change = param_overrides.reset_override(store, "signals.FT_RING.weight", **WHO)
    assert (change.before, change.after) == (6.0, 4.0)
    param_overrides.set_override(store, "scores.max_reasons", "4", **WHO)  # the default: no override left
    assert param_overrides.list_overrides(store) == []
    assert [(e["action"], e["target"]) for e in entries(store)] == [
        ("parameter_change", "signals.FT_RING.weight"),
        ("parameter_change", "scores.max_reasons"),
        ("parameter_change", "signals.FT_RING.weight"),
        ("parameter_change", "scores.max_reasons"),
    ]
    assert json.loads(entries(store)[2]["detail_json"]) == {
        "from": 6.0,
        "to": 4.0,
        "default": 4.0,
        "reason": REASON,
    }


@pytest.mark.parametrize(
    ("name", "value", "who", "problem"),
    [
        ("scores.z_threshold", "9", WHO, "bounds"),
        ("scores.z_threshold", "2", {**WHO, "reason": "too short"}, "reason"),
        ("scores.z_threshold", "2", {**WHO, "reason": " " * 20}, "reason"),
        ("scores.z_threshold", "1.5", WHO, "unchanged"),
        ("scores.tiers.high.share", "0.3", WHO, "order"),
        ("scores.z_threshold", "2", {**WHO, "on_behalf_of": "ana"}, "by"),  # an analyst
        ("scores.z_threshold", "2", {**WHO, "on_behalf_of": "ghost"}, "by"),
        ("no.such", "2", WHO, "unknown"),
    ],
)
def test_a_refused_change_stores_and_records_nothing(store, name, value, who, problem):
    accounts.add_user(store, "ana", "analyst", actor="cli:test", actor_role="", password="x" * 16)
    before = audit.count(store)
    with pytest.raises(ParameterError) as raised:
        param_overrides.set_override(store, name, value, **who)
    assert raised.value.problem == problem
    assert audit.count(store) == before and param_overrides.list_overrides(store) == []


def test_resetting_a_default_is_refused_without_an_entry(store):
    with pytest.raises(ParameterError) as raised:
        param_overrides.reset_override(store, "scores.z_threshold", **WHO)
    assert raised.value.problem == "not_overridden"
    assert audit.count(store) == 0


def test_on_behalf_of_a_supervisor_is_recorded_as_the_author(store):
    accounts.add_user(store, "sup", "supervisor", actor="cli:test", actor_role="", password="x" * 16)
    param_overrides.set_override(store, "scores.min_events", 3, **WHO, on_behalf_of="sup")
    assert param_overrides.list_overrides(store)[0].updated_by == "sup"
    entry = entries(store)[-1]
    assert entry["actor"] == "cli:test" and json.loads(entry["detail_json"])["on_behalf_of"] == "sup"


def test_no_store_means_no_overrides_and_no_file_is_made(tmp_path):
    path = tmp_path / "none" / "access.sqlite"
    params, overrides = param_overrides.effective_params(path)
    assert overrides == [] and params == ScoringParams() and not path.exists()


def test_a_stored_override_that_is_no_longer_valid_stops_scoring_loudly(store):
    param_overrides.set_override(store, "scores.z_threshold", "2", **WHO)
    with access_store.write(store) as con:  # as if the bounds had narrowed since it was stored
        con.execute("update parameters set value_json = '40.0' where name = 'scores.z_threshold'")
    with pytest.raises(ParameterError, match=r"scores\.z_threshold must be between"):
        param_overrides.effective_params(store)


def test_a_store_made_before_reasons_were_kept_gets_the_column(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        con.execute(
            "create table parameters (name text primary key, value_json text not null,"
            " updated_at text not null, updated_by text not null)"
        )
    param_overrides.set_override(path, "scores.min_events", 3, **WHO)
    assert param_overrides.list_overrides(path)[0].reason == REASON


def test_the_run_records_the_overrides_beside_the_values():
    from pipelines.run import recorded_params

    params = param_overrides.apply_overrides({"scores.z_threshold": 2})
    override = param_overrides.Override("scores.z_threshold", 2.0, "2026-11-28T10:00:00+00:00", "sup", REASON)
    values = json.loads(recorded_params(params, param_overrides.recorded([override])))
    assert values["scores"]["z_threshold"] == 2.0
    assert values["overrides"] == [
        {
            "name": "scores.z_threshold",
            "value": 2.0,
            "default": 1.5,
            "updated_at": "2026-11-28T10:00:00+00:00",
            "updated_by": "sup",
            "reason": REASON,
        }
    ]
    assert json.loads(recorded_params(ScoringParams()))["overrides"] == []


def test_the_docs_list_the_changeable_parameters():
    docs = (ROOT / "docs" / "pipelines.md").read_text(encoding="utf-8")
    for name in TUNABLES:
        shown = "signals.<CODE>.weight" if name.startswith("signals.") else name
        assert f"`{shown}`" in docs, name
    assert "`parameter_change`" in (ROOT / "docs" / "access.md").read_text(encoding="utf-8")


def test_the_params_command_sets_lists_and_resets_with_exit_statuses(store):
    done = cli("params", "set", "scores.z_threshold", "2.0", "--reason", REASON, store=store)
    assert done.returncode == 0, done.stderr
    assert (
        "scores.z_threshold 1.5 -> 2.0" in done.stderr and "next `python -m pipelines score`" in done.stderr
    )
    refused = cli("params", "set", "scores.z_threshold", "9", "--reason", REASON, store=store)
    assert refused.returncode == 2 and "between 0.5 and 5" in refused.stderr
    assert cli("params", "set", "scores.z_threshold", "2", "--reason", "short", store=store).returncode == 2
    assert cli("params", "set", "scores.z_threshold", "2", "--reason", REASON, store=store).returncode == 1
    assert cli("params", "set", "scores.z_threshold", "2", store=store).returncode == 2  # --reason required
    listed = cli("params", "list", store=store)
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    header, body = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert header[:3] == ["name", "value", "default"] and set(body) == set(TUNABLES)
    assert body["scores.z_threshold"]["value"] == "2.0" and body["scores.z_threshold"]["reason"] == REASON
    assert body["scores.min_events"]["updated_by"] == ""
    assert cli("params", "reset", "scores.z_threshold", "--reason", REASON, store=store).returncode == 0
    assert cli("params", "reset", "scores.z_threshold", "--reason", REASON, store=store).returncode == 1
    changes = [e for e in entries(store) if e["action"] == "parameter_change"]
    assert len(changes) == 2 and all(e["actor"].startswith("cli:") for e in changes)
    assert math.isclose(json.loads(changes[0]["detail_json"])["to"], 2.0)
