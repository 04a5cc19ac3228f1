"""The app's pure parts on inline data: masking, filters as SQL, selections, strings, and what pages may import."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from app.charts import ring_layout
from app.filters import Filters, Window, dimension_condition, window_condition
from app.masking import mask_frame, mask_name, mask_phone, mask_text
from app.selection import rows_matching, selected_custom_data
from app.strings import LABELS, STRINGS
from app.url_state import GLOBAL_PARAMS, PAGE_PARAMS

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
APP_FILES = sorted((ROOT / "app").glob("*.py"))
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧*"), (" 李四 ", "李*"), ("", ""), (None, None), ("Ann Lee", "A*")],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("0086 13812341234", "138****1234"),
        ("010-12345678", "010****5678"),
        ("12345", "****"),
        (None, None),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_text_hides_phones_and_the_named_person():
    text = "我是王小明，电话 13912345678，或 +86 139 1234 5678，订单号 20260101123456789"
    masked = mask_text(text, ("王小明", None, ""))
    assert "13912345678" not in masked and "王小明" not in masked
    assert "139****5678" in masked and "王*" in masked
    assert "20260101123456789" in masked  # long order numbers are not phones


def test_mask_frame_masks_only_the_contract_personal_columns():
    frame = pd.DataFrame(
        {
            "consumer_name": ["张三"],
            "consumer_phone": ["13812341234"],
            "legal_representative": ["李四"],
            "shop_name": ["张三的店"],
        }
    )
    masked = mask_frame(frame)
    assert masked.iloc[0].to_dict() == {
        "consumer_name": "张*",
        "consumer_phone": "138****1234",
        "legal_representative": "李*",
        "shop_name": "张三的店",
    }
    assert frame.iloc[0]["consumer_name"] == "张三"  # the input is left alone


@pytest.fixture()
def merchants() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect("")
    con.execute(
        "create table m as select * from (values ('P01', '广东', '服装', date '2026-09-01'),"
        " ('P02', '浙江', '食品', date '2026-08-01'), ('P01', '浙江', '食品', date '2026-06-01')) v(platform_id, region, main_category, day)"
    )
    return con


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), 3),
        (Filters(platforms=("P01",)), 2),
        (Filters(platforms=("P01",), regions=("浙江",)), 1),
        (Filters(categories=("食品", "服装")), 3),
        (Filters(regions=("'; drop table m; --",)), 0),  # values are bound, never spliced
    ],
)
def test_dimension_condition_filters_with_bound_values(merchants, filters, expected):
    sql, params = dimension_condition(filters, "merchant")
    assert merchants.execute(f"select count(*) from m where true {sql}", params).fetchone()[0] == expected


def test_window_condition_is_half_open(merchants):
    sql, params = window_condition(Window(dt.date(2026, 8, 1), dt.date(2026, 9, 1)), "day")
    assert merchants.execute(f"select count(*) from m where true {sql}", params).fetchone()[0] == 1


def test_periods_end_at_the_as_of_day_and_compare_with_the_one_before():
    as_of = dt.date(2026, 9, 29)
    filters = Filters(period="30d")
    assert filters.window(as_of) == Window(dt.date(2026, 8, 30), as_of)
    assert filters.previous_window(as_of) == Window(dt.date(2026, 7, 31), dt.date(2026, 8, 30))
    assert Filters(period="all").previous_window(as_of) is None


def test_selection_points_become_table_rows():
    # The shape st.plotly_chart returns for a click and a box selection over a px.line with custom_data.
    event = {
        "selection": {
            "points": [
                {
                    "curve_number": 0,
                    "point_index": 3,
                    "x": "2026-09-07",
                    "y": 5,
                    "customdata": ["fraud", "2026-09-07"],
                },
                {
                    "curve_number": 1,
                    "point_index": 0,
                    "x": "2026-08-31",
                    "y": 2,
                    "customdata": ["quality", "2026-08-31"],
                },
                {"curve_number": 2, "point_index": 1, "x": "2026-09-07", "y": 1},
            ],
            "point_indices": [3, 0, 1],
            "box": [],
            "lasso": [],
        }
    }
    chosen = selected_custom_data(event)
    assert chosen == [("fraud", "2026-09-07"), ("quality", "2026-08-31")]
    frame = pd.DataFrame(
        {
            "value": ["fraud", "fraud", "quality", "price"],
            "period_text": ["2026-09-07", "2026-08-31", "2026-08-31", "2026-09-07"],
            "amount": [5, 3, 2, 1],
        }
    )
    assert list(rows_matching(frame, chosen, ["value", "period_text"])["amount"]) == [5, 2]
    assert rows_matching(frame, [], ["value", "period_text"]) is frame  # nothing selected: everything
    assert selected_custom_data(None) == [] and selected_custom_data({"selection": {"points": []}}) == []


def test_ring_layout_puts_shops_inside_and_groups_accounts_by_their_main_shop():
    nodes = pd.DataFrame(
        {
            "member_type": ["shop", "shop", "buyer", "buyer", "buyer", "buyer"],
            "member_id": ["S2", "S1", "b4", "b3", "b2", "b1"],
            "order_count": [9, 9, 1, 2, 3, 4],
            "ring_id": ["R"] * 6,
        }
    )
    edges = pd.DataFrame(
        {
            "buyer_id": ["b1", "b2", "b3", "b4", "b1"],
            "merchant_id": ["S2", "S1", "S2", "S1", "S1"],
            "order_count": [3, 2, 2, 1, 1],
        }
    )
    position = ring_layout(nodes, edges)
    assert position == ring_layout(nodes, edges)  # deterministic
    radius = {key: round(float(np.hypot(*xy)), 6) for key, xy in position.items()}
    assert {radius[("shop", "S1")], radius[("shop", "S2")]} == {1.0}
    assert {radius[("buyer", b)] for b in ("b1", "b2", "b3", "b4")} == {2.0}
    # Accounts are ordered around the circle by their main shop: S1's (b2, b4) before S2's (b1, b3).
    angles = {b: np.arctan2(*position[("buyer", b)][::-1]) % (2 * np.pi) for b in ("b1", "b2", "b3", "b4")}
    assert sorted(angles, key=angles.get) == ["b2", "b4", "b1", "b3"]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_both_languages_with_the_same_placeholders(key):
    zh, en = STRINGS[key]
    assert zh.strip() and en.strip()
    assert _placeholders(zh) == _placeholders(en)


def test_every_label_has_both_languages():
    for kind, names in LABELS.items():
        for code, pair in names.items():
            assert len(pair) == 2 and all(pair), (kind, code)


def _string_keys_used(source: str) -> set[str]:
    """Literal keys passed to t(), ui.empty() and ui.kpi() (f-string keys are checked by the page tests)."""
    keys = set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", source))
    keys |= set(
        re.findall(
            r"""["']((?:common|kpi|overview|detail|merchants|data|platforms|watchlist)\.[a-z0-9_.]+)["']""",
            source,
        )
    )
    return keys


@pytest.mark.parametrize("path", [*PAGE_FILES, *APP_FILES, ROOT / "dashboard.py"], ids=lambda p: p.name)
def test_string_keys_in_code_exist(path):
    missing = {k for k in _string_keys_used(path.read_text(encoding="utf-8")) if k not in STRINGS}
    assert not missing


@pytest.mark.parametrize("path", [*PAGE_FILES, ROOT / "dashboard.py"], ids=lambda p: p.name)
def test_pages_hold_no_interface_text_and_no_sql(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not [s for s in literals if CJK.search(s)], "text belongs in app/strings.py"
    assert not re.search(r"\b(select|insert|create table)\b.+\bfrom\b", source, re.IGNORECASE | re.DOTALL)
    assert len(source.splitlines()) < 200


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_pages_import_only_the_app_package(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    allowed = ("app", "streamlit", "pandas", "dataclasses", "datetime")
    assert all(m.split(".")[0] in allowed for m in modules), modules


def test_only_app_db_opens_connections():
    offenders = [
        p.name
        for p in [*APP_FILES, *PAGE_FILES]
        if "duckdb.connect" in p.read_text() or "open_for_write" in p.read_text()
    ]
    assert offenders == []


def test_the_docs_list_every_page_and_url_parameter():
    docs = (ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")
    for page, params in PAGE_PARAMS.items():
        assert f"`/{page}`" in docs, page
        for name in params:
            assert f"`{name}`" in docs, name
    for name in GLOBAL_PARAMS:
        assert f"`{name}`" in docs, name
