"""What an inspector does: filter, search, open a shop, share a link, switch language, build and export a watchlist."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pandas as pd
from openpyxl import load_workbook

from app import watchlist as watchlist_module
from app.db import current_source
from app.strings import LABELS
from pipelines.watchlist import WATCHLIST_COLUMNS
from tests.app.conftest import BAD_NAME, BAD_PHONE, BAD_REPRESENTATIVE, PAGES, new_app, read_table
from tests.app.helpers import assert_clean, everything_shown, text

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def on_page(page: str, **params):
    at = new_app()
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(PAGES[page]).run()


def test_platform_filter_narrows_the_merchant_table(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("merchants")
    everyone = len(at.dataframe[0].value)
    at.sidebar.multiselect(key="platform").set_value(["P02"]).run()
    assert_clean(at)
    table = at.dataframe[0].value
    expected = read_table(
        warehouses.scored, "select count(*) from out_merchant_risk where platform_id = 'P02'"
    )[0][0]
    assert set(table["platform_id"]) == {"P02"}
    assert len(table) == expected < everyone


def test_search_finds_a_shop_by_part_of_its_name_or_code(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    shop_name, credit_code = read_table(
        warehouses.scored,
        "select shop_name, credit_code from out_merchant_risk where credit_code is not null limit 1",
    )[0]
    at = on_page("merchants")
    at.main.text_input(key="q").input(credit_code[-8:].lower()).run()
    assert_clean(at)
    assert shop_name in set(at.dataframe[0].value["shop_name"])
    at.main.text_input(key="q").input("没有这样的店铺%_").run()
    assert at.info[0].value == text("merchants.no_match")


def test_selecting_a_row_opens_the_shop_with_its_key_in_the_url(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("merchants", platform=["P03"])
    chosen = at.dataframe[0].value.iloc[2]
    at.session_state["merchant_table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert_clean(at)
    assert at.title[0].value == chosen["shop_name"]
    assert at.query_params["merchant"] == chosen["merchant_id"]
    assert at.query_params["merchant_platform"] == chosen["platform_id"]
    assert at.query_params["platform"] == "P03"  # the filters travel with the link


def test_selecting_a_top_shop_on_the_overview_opens_it(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("overview")
    chosen = at.dataframe[-1].value.iloc[0]
    at.session_state["overview_top"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert_clean(at)
    assert at.title[0].value == chosen["shop_name"]


def test_filters_persist_across_pages_and_in_the_url(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("merchants")
    at.sidebar.multiselect(key="platform").set_value(["P01"]).run()
    at.sidebar.selectbox(key="period").set_value("90d").run()
    at.switch_page(PAGES["trends"]).run()
    assert_clean(at)
    assert at.sidebar.multiselect(key="platform").value == ["P01"]
    assert at.query_params["platform"] == "P01"
    assert at.query_params["period"] == "90d"
    assert "q" not in at.query_params  # another page's state stays on that page


def test_a_shared_link_restores_filters_and_page_state(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("merchants", platform=["P01", "P02"], level=["high", "medium"], lang="en")
    assert_clean(at)
    table = at.dataframe[0].value
    assert set(table["platform_id"]) <= {"P01", "P02"}
    assert set(table["risk_level"]) <= {"High", "Medium"}
    assert at.title[0].value == text("merchants.title", "en")


def test_unknown_values_in_a_link_are_dropped_not_fatal(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("trends", platform=["P99"], period="7y", measure="nonsense", lang="xx")
    assert_clean(at)
    assert at.sidebar.multiselect(key="platform").value == []
    assert at.title[0].value == text("trends.title", "zh")


def test_switching_language_translates_the_page(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("overview")
    assert at.title[0].value == text("overview.title", "zh")
    at.sidebar.button_group[0].set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == text("overview.title", "en")
    assert at.query_params["lang"] == "en"


def test_period_changes_the_complaint_count(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("overview")
    month = at.metric[2].value
    at.sidebar.selectbox(key="period").set_value("all").run()
    everything = read_table(warehouses.scored, "select sum(complaint_count) from out_complaint_series")[0][0]
    assert at.metric[2].value == f"{everything:,}" != month


def test_watchlist_from_filters_exports_the_rows_on_screen(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("watchlist", platform=["P01", "P02", "P03"])
    at.main.multiselect(key="wl_levels").set_value(["high", "medium"])
    at.main.number_input(key="wl_top").set_value(5)
    at.main.button(key="wl_add_filtered").click().run()
    assert_clean(at)
    screen = at.data_editor[0].value
    expected = read_table(
        warehouses.scored,
        "select merchant_id from out_merchant_risk where risk_level in ('high', 'medium')"
        " and platform_id in ('P01', 'P02', 'P03') order by risk_rank limit 5",
    )
    assert set(screen["merchant_id"]) == {m for (m,) in expected}
    assert list(screen["rank"]) == list(range(1, len(screen) + 1))

    # The download buttons get the export of the session's list: build it the same way.
    keys = tuple((e["platform_id"], e["merchant_id"]) for e in at.session_state["watchlist"])
    source = current_source()
    rows = watchlist_module._export_rows(source.path, source.version, keys, "zh")
    payload = watchlist_module.csv_bytes(rows)
    assert payload.startswith(b"\xef\xbb\xbf")
    exported = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))
    assert tuple(exported[0]) == WATCHLIST_COLUMNS
    on_screen = screen[list(WATCHLIST_COLUMNS)].values.tolist()
    assert exported[1:] == [[_as_written(v) for v in row] for row in on_screen]

    workbook = load_workbook(io.BytesIO(watchlist_module.xlsx_bytes(rows, {keys[0]: "=回访"})))
    sheet = workbook["watchlist"]
    assert [c.value for c in sheet[1]] == list(WATCHLIST_COLUMNS)
    assert sheet.max_row == len(screen) + 1
    assert workbook["notes"]["C2"].value == "'=回访"  # the note is text, never a formula


def _as_written(value: object) -> str:
    """A screen cell as the CSV holds it: empty for missing, text neutralised against formulas."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text_value = str(value)
    return "'" + text_value if text_value[:1] in ("=", "+", "-", "@") else text_value


def test_a_shop_added_from_its_page_appears_on_the_watchlist(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    platform_id, merchant_id = read_table(
        warehouses.scored, "select platform_id, merchant_id from out_merchant_risk order by risk_rank limit 1"
    )[0]
    at = on_page("merchant", merchant_platform=platform_id, merchant=merchant_id)
    at.main.button(key="add_to_watchlist").click().run()
    assert_clean(at)
    assert at.session_state["watchlist"] == [
        {"platform_id": platform_id, "merchant_id": merchant_id, "note": ""}
    ]
    at.switch_page(PAGES["watchlist"]).run()
    assert list(at.data_editor[0].value["merchant_id"]) == [merchant_id]


def test_personal_data_never_reaches_the_screen(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    platform_id, merchant_id = read_table(
        warehouses.scored,
        "select platform_id, merchant_id from out_complaints where merchant_id is not null"
        " group by all order by count(*) desc limit 1",
    )[0]
    at = on_page("merchant", merchant_platform=platform_id, merchant=merchant_id, period="all")
    assert_clean(at)
    shown = everything_shown(at)
    names = {
        n
        for (n,) in read_table(
            warehouses.scored, "select consumer_name from stg_complaints where merchant_id = ?", [merchant_id]
        )
        if n
    }
    representatives = {
        r for (r,) in read_table(warehouses.scored, "select legal_representative from stg_licenses") if r
    }
    assert not MOBILE.search(shown)
    assert not any(name in shown for name in names if len(name) > 1)
    assert not any(rep in shown for rep in representatives if len(rep) > 1)

    at.switch_page(PAGES["data"]).run()
    masked = {"complaints": ("139****5678", "王*"), "licenses": ("赵*",)}
    for dataset, expected in masked.items():
        at.main.selectbox(key="dataset").set_value(dataset).run()
        assert_clean(at)
        shown = at.dataframe[-1].value.to_csv()
        assert BAD_PHONE not in shown and BAD_NAME not in shown and BAD_REPRESENTATIVE not in shown
        assert all(value in shown for value in expected)


UPLOADED_COMPLAINTS = (
    "complaint_id,received_at,channel,platform_id,merchant_id,shop_name,category,description,amount_involved,"
    "consumer_name,consumer_phone,status,first_response_at,closed_at,outcome,resolution_channel\n"
    "CUPL0001,2026-08-20 09:00:00,12315,P01,,某店,quality,收到的货有质量问题,35,,,open,,,,\n"
    "CUPL0002,2026-08-21 09:00:00,web,P02,,某店,price,价格欺诈,20,,,open,,,,\n"
).encode()


def test_uploading_a_feed_file_loads_it_through_the_same_ingest(warehouses, use_warehouse, tmp_path):
    copy = tmp_path / "market.duckdb"
    shutil.copyfile(warehouses.unscored, copy)  # the upload publishes a new version of this file only
    use_warehouse(copy)
    before = read_table(copy, "select count(*) from stg_complaints")[0][0]
    at = on_page("data")
    at.main.file_uploader[0].set_value([("complaints_upload.csv", UPLOADED_COMPLAINTS, "text/csv")]).run()
    at.main.button(key="load_uploads").click().run()
    assert_clean(at)
    report = at.dataframe[-1].value
    assert list(report["status"]) == ["loaded"] and list(report["rows_loaded"]) == [2]
    assert at.info[-1].value == text("data.rescore")
    at.run()  # the next run reads the newly published file
    freshness = at.dataframe[0].value.set_index("dataset")
    assert freshness.loc[LABELS["dataset"]["complaints"][0], "rows_staged"] == before + 2


def test_filters_that_match_nothing_explain_themselves(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    # A region that has no shop on P01: together they select nothing.
    (region,) = read_table(
        warehouses.scored,
        "select region from out_merchant_risk group by region"
        " having count(*) filter (platform_id = 'P01') = 0 order by region limit 1",
    )[0]
    for page in ("overview", "merchants", "trends", "watchlist"):
        at = on_page(page, platform=["P01"], region=[region])
        assert_clean(at)
        assert at.info, page  # some "nothing to show" guidance instead of empty charts
    at = on_page("platforms", platform=["P01"], region=[region])
    assert_clean(at)  # the scoreboard is per platform, and says the region does not apply to it
    assert text("platforms.filters_note") in [c.value for c in at.caption]


def test_notes_and_removal_on_the_watchlist(warehouses, use_warehouse):
    use_warehouse(warehouses.scored)
    at = on_page("watchlist")
    at.main.multiselect(key="wl_levels").set_value(["high", "medium"])
    at.main.number_input(key="wl_top").set_value(3)
    at.main.button(key="wl_add_filtered").click().run()
    editor = at.data_editor[0]
    first, second = editor.value["merchant_id"].iloc[0], editor.value["merchant_id"].iloc[1]
    at.session_state[editor.key] = {
        "edited_rows": {0: {"note": "=回访 13912345678"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    notes = {e["merchant_id"]: e["note"] for e in at.session_state["watchlist"]}
    assert notes[first] == "=回访 13912345678"
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {1: {"remove": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    kept = [e["merchant_id"] for e in at.session_state["watchlist"]]
    assert second not in kept and first in kept and len(kept) == 2
    assert list(at.data_editor[0].value["merchant_id"]) == [
        m for m in editor.value["merchant_id"] if m != second
    ]
