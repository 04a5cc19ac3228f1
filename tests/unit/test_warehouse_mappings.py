"""Source mappings: the shipped ones parse, a broken one says what is wrong, headers pick the right one."""

from __future__ import annotations

import pytest

from warehouse.columns import plan_columns
from warehouse.mappings import available_mappings, get_mapping, mapping_for_header, parse_mapping
from warehouse.schema import LICENSES, TRANSACTIONS

REGISTRY_HEADER = [
    "企业名称",
    "统一社会信用代码",
    "注册日期",
    "企业类型",
    "法人代表",
    "注册资金",
    "经营范围",
    "所在省份",
    "地区",
    "注册地址",
]


def test_shipped_mappings_parse() -> None:
    assert "registry_cn" in available_mappings()


def test_registry_header_is_recognised() -> None:
    mapping = mapping_for_header(REGISTRY_HEADER)
    assert mapping is not None and mapping.name == "registry_cn"
    assert mapping_for_header(["order_id", "amount"]) is None


def test_registry_plan_maps_keeps_extras_and_fills_constants() -> None:
    plan = plan_columns(REGISTRY_HEADER, LICENSES, get_mapping("registry_cn"))
    assert plan.sources["credit_code"] == "统一社会信用代码"
    assert plan.constants == {"license_type": "business_license", "status": "active"}
    assert set(plan.extras) == {"企业类型", "注册资金", "地区", "注册地址"}
    assert plan.missing_required == ()


def test_plan_without_mapping_matches_headers_loosely_and_renames_clashing_extras() -> None:
    plan = plan_columns([" Order_ID ", "platform_id", "_load_id", "reasons"], TRANSACTIONS, None)
    assert plan.sources == {"order_id": " Order_ID ", "platform_id": "platform_id"}
    assert set(plan.extras) == {"_load_id_extra", "reasons_extra"}
    assert "amount" in plan.missing_required


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('dataset = "nope"', "dataset must be one of"),
        ('dataset = "licenses"\n[columns]\nnot_a_column = "x"', "no column 'not_a_column'"),
        ('dataset = "licenses"\n[cleanups]\nstatus = ["shout"]', "unknown clean-up 'shout'"),
        ('dataset = "licenses"\n[columns]\nstatus = "a"\n[constants]\nstatus = "active"', "both"),
    ],
)
def test_broken_mapping_says_what_is_wrong(toml: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_mapping("broken", toml)


def test_unknown_mapping_name_lists_known_ones() -> None:
    with pytest.raises(ValueError, match="registry_cn"):
        get_mapping("nope")
