"""The Parameters page: supervisors see value, default and bounds, change one with a reason, reset it; audited once."""

from __future__ import annotations

import json

import pytest

from pipelines import audit, param_overrides
from pipelines.access_policy import POLICY
from tests.app.conftest import account, new_app
from tests.app.helpers import assert_clean, text
from tests.app.test_injection import INJECTIONS, rendered_text

PAGE = "pages/parameters_page.py"
REASON = "案件复核：减少边缘案例 2026-118"


@pytest.fixture()
def scored(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    return warehouses


def new_entries(store, since: int) -> list[dict]:
    return [e for e in reversed(audit.entries(store, limit=None)) if e["entry_id"] > since]


def last_id(store) -> int:
    rows = audit.entries(store, limit=1)
    return rows[0]["entry_id"] if rows else 0


def submit(at, name: str, value: str, reason: str, button: str = "pe_save"):
    at.selectbox(key="pe_name").set_value(name)
    at.text_input(key="pe_value").input(value)
    at.text_input(key="pe_reason").input(reason)
    return at.button(key=button).click().run()


def shown_value(at, name: str) -> str:
    frame = at.dataframe[0].value.set_index("name")
    return frame.loc[name, "value"]


def test_a_supervisor_changes_and_resets_a_parameter_with_one_entry_each(scored, use_access_store):
    store = use_access_store
    at = new_app("supervisor")
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert at.title[0].value == text("params.title")
    frame = at.dataframe[0].value
    assert set(frame["name"]) == set(param_overrides.TUNABLES)
    assert shown_value(at, "scores.z_threshold") == "1.5"
    assert at.code[0].value == "python -m pipelines score"  # how to apply the change
    before = last_id(store)

    submit(at, "scores.z_threshold", "2", "short")
    assert at.warning[-1].value == text(
        "params.error.reason", minimum=POLICY.min_reason_length, maximum=POLICY.max_reason_length
    )
    submit(at, "scores.z_threshold", "9", REASON)
    assert at.warning[-1].value == text(
        "params.error.bounds", name="scores.z_threshold", minimum="0.5", maximum="5", value="9"
    )
    submit(at, "scores.min_events", "2.5", REASON)
    assert at.warning[-1].value == text(
        "params.error.type_int", name="scores.min_events", minimum="1", maximum="20"
    )
    submit(at, "scores.tiers.high.share", "0.3", REASON)
    assert at.warning[-1].value.startswith("scores.tiers.high.share")
    assert new_entries(store, before) == []

    submit(at, "scores.z_threshold", "2", REASON)
    assert_clean(at)
    assert at.success[-1].value == text(
        "params.changed", name="scores.z_threshold", before=1.5, after=2.0, default=1.5
    )
    assert shown_value(at, "scores.z_threshold") == "2"
    assert text("params.run_stale", run_id=scored.run_ids[1]) in [c.value for c in at.caption]
    (entry,) = new_entries(store, before)
    assert (entry["action"], entry["actor"], entry["role"], entry["target"]) == (
        "parameter_change",
        account("supervisor").username,
        "supervisor",
        "scores.z_threshold",
    )
    assert json.loads(entry["detail_json"]) == {"from": 1.5, "to": 2.0, "default": 1.5, "reason": REASON}
    params, overrides = param_overrides.effective_params(store)
    assert params.scores.z_threshold == 2.0 and overrides[0].updated_by == account("supervisor").username

    before = last_id(store)
    submit(at, "scores.z_threshold", "", REASON, button="pe_reset")
    assert_clean(at)
    assert shown_value(at, "scores.z_threshold") == "1.5"
    assert [(e["action"], e["target"]) for e in new_entries(store, before)] == [
        ("parameter_change", "scores.z_threshold")
    ]
    assert param_overrides.list_overrides(store) == []


def test_the_page_speaks_english_too(scored):
    at = new_app("supervisor")
    at.switch_page(PAGE).run()
    at.sidebar.button_group[0].set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == text("params.title", "en")
    helps = at.dataframe[0].value.set_index("name")["help"]
    assert helps["signals.FT_RING.weight"].startswith("weight of the")
    assert helps["scores.z_threshold"] == text("params.help.scores.z_threshold", "en")


def test_hostile_values_are_refused_and_a_hostile_reason_is_kept_as_text(scored, use_access_store):
    store = use_access_store
    at = new_app("supervisor")
    at.switch_page(PAGE).run()
    before = last_id(store)
    for hostile in INJECTIONS:
        submit(at, "signals.FT_RING.weight", hostile, REASON)
        assert_clean(at)
        assert at.warning[-1].value == text(
            "params.error.type", name="signals.FT_RING.weight", minimum="0", maximum="10"
        )
        assert hostile not in rendered_text(at)
    assert new_entries(store, before) == [] and param_overrides.list_overrides(store) == []
    reason = "<script>alert(1)</script> =cmd|' /C calc'!A0 ' or 1=1 --"
    submit(at, "signals.FT_RING.weight", "5", reason)
    assert_clean(at)
    assert param_overrides.list_overrides(store)[0].reason == reason
    assert "<script>" not in rendered_text(at)
    submit(at, "signals.FT_RING.weight", "", REASON, button="pe_reset")
    assert [e["target"] for e in new_entries(store, before)] == ["signals.FT_RING.weight"] * 2
    assert param_overrides.list_overrides(store) == []
