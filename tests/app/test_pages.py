"""Every page renders in both languages on a scored warehouse, with its key content, and guidance without one."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.app.conftest import PAGES, Warehouses, new_app, read_table
from tests.app.helpers import assert_clean, plotly_charts, text

LANGUAGES = ("zh", "en")


def top_shop(warehouses: Warehouses) -> tuple[str, str, str]:
    """(platform_id, merchant_id, shop_name) of the highest-ranked shop."""
    return read_table(
        warehouses.scored,
        "select platform_id, merchant_id, shop_name from out_merchant_risk order by risk_rank limit 1",
    )[0]


def open_page(page: str, lang: str, extra: dict | None = None):
    """A fresh session opened on `page` through its URL parameters, as a shared link would."""
    at = new_app()
    at.query_params["lang"] = lang
    for key, value in (extra or {}).items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(PAGES[page]).run()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_overview(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("overview", lang)
    assert_clean(at)
    assert at.title[0].value == text("overview.title", lang)
    labels = [m.label for m in at.metric]
    assert labels == [
        text(k, lang) for k in ("kpi.merchants", "kpi.high_risk", "kpi.complaints", "kpi.high_risk_gmv")
    ]
    merchants = read_table(warehouses.scored, "select count(*) from out_merchant_risk")[0][0]
    assert at.metric[0].value == f"{merchants:,}"
    assert at.metric[0].delta  # the fixture has a previous run to compare with
    assert len(plotly_charts(at)) == 2
    elevated = read_table(
        warehouses.scored, "select count(*) from out_merchant_risk where risk_level <> 'low'"
    )[0][0]
    assert len(at.dataframe[-1].value) == min(10, elevated)  # top shops


@pytest.mark.parametrize("lang", LANGUAGES)
def test_merchants(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("merchants", lang)
    assert_clean(at)
    table = at.dataframe[0].value
    merchants = read_table(warehouses.scored, "select count(*) from out_merchant_risk")[0][0]
    assert len(table) == merchants
    assert list(table["risk_rank"]) == sorted(table["risk_rank"])
    assert text("col.risk_level", lang) == at.main.multiselect[0].label


@pytest.mark.parametrize("lang", LANGUAGES)
def test_merchant_detail_from_a_shared_link(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    platform_id, merchant_id, shop_name = top_shop(warehouses)
    at = open_page("merchant", lang, {"merchant_platform": platform_id, "merchant": merchant_id})
    assert_clean(at)
    assert at.title[0].value == shop_name
    assert [tab.label for tab in at.tabs] == [
        text(f"detail.tab.{n}", lang)
        for n in ("scores", "complaints", "orders", "rings", "history", "profile")
    ]
    assert len(plotly_charts(at)) >= 3  # sub-scores, weekly orders, history at least
    assert at.query_params["merchant"] == merchant_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_merchant_detail_without_a_shop_offers_a_search(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("merchant", lang)
    assert_clean(at)
    assert at.info[0].value == text("detail.pick", lang)
    assert len(at.dataframe[0].value) > 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_platforms(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("platforms", lang, {"drill": "P01"})
    assert_clean(at)
    platforms = read_table(warehouses.scored, "select count(*) from out_platform_scoreboard")[0][0]
    assert len(at.dataframe[0].value) == platforms
    shops = at.dataframe[1].value  # the drilled platform's shops
    assert set(shops["platform_id"]) == {"P01"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_trends(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("trends", lang, {"measure": "orders", "dim": "platform", "grain": "week"})
    assert_clean(at)
    assert [s.value for s in at.main.selectbox] == ["orders", "platform", "week"]
    assert len(plotly_charts(at)) >= 2
    assert at.title[0].value == text("trends.title", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_watchlist_starts_empty(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("watchlist", lang)
    assert_clean(at)
    assert at.info[-1].value == text("watchlist.empty", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("data", lang)
    assert_clean(at)
    freshness = at.dataframe[0].value
    assert len(freshness) == 5
    assert len(at.dataframe) >= 3  # freshness, loads, quarantined rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_method(warehouses, use_warehouse, lang):
    use_warehouse(warehouses.scored)
    at = open_page("method", lang)
    assert_clean(at)
    assert at.title[0].value == text("method.title", lang)
    assert at.metric[0].label == text("method.macro_f1", lang)
    assert len(at.expander) >= 4  # one per harm


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_explains_a_missing_warehouse(warehouses, use_warehouse, page):
    use_warehouse(warehouses.missing)
    at = open_page(page, "en")
    assert_clean(at)
    shown = [i.value for i in at.info] + [c.value for c in at.code]
    if page == "method":  # the method text needs no data; the run part explains
        assert any("python -m pipelines ingest" in s for s in shown)
    else:
        assert any(s.startswith(text("guide.no_warehouse", "en", path="")[:20]) for s in shown), shown


@pytest.mark.parametrize("page", ["overview", "merchants", "platforms", "trends", "watchlist"])
def test_pages_ask_for_a_scoring_run_when_only_loaded(warehouses, use_warehouse, page):
    use_warehouse(warehouses.unscored)
    at = open_page(page, "en")
    assert_clean(at)
    assert at.warning[0].value == text("guide.not_scored", "en")


def test_data_page_works_before_scoring(warehouses, use_warehouse):
    use_warehouse(warehouses.unscored)
    at = open_page("data", "en")
    assert_clean(at)
    assert len(at.dataframe[0].value) == 5


def test_a_file_that_is_not_a_warehouse_is_explained(use_warehouse, tmp_path):
    broken = tmp_path / "market.duckdb"
    broken.write_bytes(b"this is not a DuckDB file" * 100)
    use_warehouse(broken)
    at = open_page("merchants", "en")
    assert not at.exception
    assert at.error[0].value.startswith(text("guide.unreadable", "en", path=broken, error="")[:30])


def test_an_unexpected_error_shows_a_message_not_a_traceback(warehouses, use_warehouse, tmp_path):
    damaged = tmp_path / "market.duckdb"
    shutil.copyfile(warehouses.scored, damaged)
    with duckdb.connect(str(damaged)) as con:  # a mart from an incompatible pipeline version
        con.execute("alter table out_platform_scoreboard drop column high_risk_share")
    use_warehouse(damaged)
    at = open_page("platforms", "en")
    assert not at.exception
    assert [e.value for e in at.error] == [text("error.unexpected", "en")]
    assert at.expander[0].label == text("error.details", "en")
    assert "Traceback" not in "".join(t.value for t in at.text)
    assert at.sidebar.multiselect(key="platform") is not None  # the rest of the app still works
