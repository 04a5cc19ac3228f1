"""Market-wide queries for the overview, merchants, platforms and trends pages: out_* marts only, never raw orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from app import db
from app.filters import Filters, Window, dimension_condition, window_condition
from app.status import warehouse_status

RISK_LEVELS = ("high", "medium", "low")
HARMS = ("fraud", "fake_trade", "after_sales", "license")
GRAINS = ("day", "week", "month")
# Where merchant scores live: the current run, and every run. Only these names enter SQL.
RISK_TABLES = ("out_merchant_risk", "out_merchant_risk_history")
# Breakdowns of out_merchant_risk: the user picks a key, SQL gets the whitelisted column.
MERCHANT_DIMENSIONS = {"platform": "platform_id", "region": "region", "category": "main_category"}
# Most rows the merchants table sends to the browser; the count of all matches is shown beside it.
MERCHANT_TABLE_LIMIT = 2000


@dataclass(frozen=True)
class Measure:
    """A quantity the trends page can plot: the mart it comes from and its aggregate expression."""

    table: str
    expression: str
    kind: str  # which DIMENSION_COLUMNS entry applies to its table
    additive: bool = True  # a count or sum: a period without rows is a zero (a rate is unknown instead)


MEASURES: dict[str, Measure] = {
    "complaints": Measure("out_complaint_series", "sum(complaint_count)", "complaint_series"),
    "orders": Measure("out_order_series", "sum(order_count)", "order_series"),
    "gmv": Measure("out_order_series", "sum(gmv_cny)", "order_series"),
    "refund_requests": Measure("out_order_series", "sum(refund_request_count)", "order_series"),
    "refund_rate": Measure(
        "out_order_series",
        "sum(refund_request_count) / nullif(sum(order_count), 0)",
        "order_series",
        additive=False,
    ),
    "no_reason_returns": Measure("out_order_series", "sum(no_reason_return_count)", "order_series"),
    "refund_rejections": Measure("out_order_series", "sum(refund_rejected_count)", "order_series"),
}
# Dimensions a measure can be split by, per mart; "total" draws one line.
TREND_DIMENSIONS: dict[str, dict[str, str]] = {
    "complaint_series": {
        "total": "''",
        "complaint_category": "category",
        "platform": "platform_id",
        "region": "region",
        "category": "merchant_category",
    },
    "order_series": {"total": "''", "platform": "platform_id", "region": "region", "category": "category"},
}
# The heat map's two axes in each mart.
HEATMAP_AXES = {"complaint_series": ("merchant_category", "region"), "order_series": ("category", "region")}


@dataclass(frozen=True)
class FilterOptions:
    """The values the sidebar filters offer."""

    platforms: dict[str, str]  # id → display name
    regions: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Kpi:
    """A headline number and the same number for the comparison period or run (None if there is none)."""

    value: float
    previous: float | None


def _source() -> tuple[str, tuple | None]:
    source = db.current_source()
    return source.path, source.version


def filter_options() -> FilterOptions:
    """Platforms, regions and categories present in the scored (or at least loaded) merchants."""
    status = warehouse_status()
    if not status.exists or status.error:
        return FilterOptions({}, (), ())
    table = "out_merchant_risk" if status.has_scores else "stg_merchants" if status.has_staged else None
    if table is None:
        return FilterOptions({}, (), ())
    return _filter_options(*_source(), table, status.has("stg_platforms"))


@db.cached(max_entries=8)
def _filter_options(path: str, version: tuple, table: str, has_platforms: bool) -> FilterOptions:
    if table not in ("out_merchant_risk", "stg_merchants"):
        raise ValueError(f"not a merchant table: {table!r}")
    sql = f"select distinct m.platform_id, m.region, m.main_category from {table} as m"  # noqa: S608 - whitelisted
    frame = db.query(path, sql)
    names = {}
    if has_platforms:
        named = db.query(path, "select p.platform_id, p.platform_name from stg_platforms as p")
        names = dict(zip(named["platform_id"], named["platform_name"], strict=True))
    platforms = {p: names.get(p) or p for p in sorted(frame["platform_id"].dropna().unique())}
    regions = tuple(sorted(frame["region"].dropna().unique()))
    categories = tuple(sorted(frame["main_category"].dropna().unique()))
    return FilterOptions(platforms, regions, categories)


def overview_kpis(filters: Filters) -> dict[str, Kpi]:
    """Merchants monitored, high-risk shops, GMV at high-risk shops (vs the previous run) and complaints (vs the previous period)."""
    status = warehouse_status()
    window, previous = filters.window(status.as_of), filters.previous_window(status.as_of)
    if previous is not None and status.first_day is not None and previous.start < status.first_day:
        previous = None  # the data do not reach back a whole period: a change would mislead
    return _overview_kpis(
        *_source(),
        status.run_id,
        status.previous_run_id,
        filters.platforms,
        filters.regions,
        filters.categories,
        window,
        previous,
    )


@db.cached()
def _overview_kpis(
    path: str,
    version: tuple,
    run_id: str,
    previous_run_id: str | None,
    platforms: tuple,
    regions: tuple,
    categories: tuple,
    window: Window,
    previous: Window | None,
) -> dict[str, Kpi]:
    filters = Filters(platforms=platforms, regions=regions, categories=categories)
    now = _merchant_counts(path, "out_merchant_risk", run_id, filters)
    before = (
        _merchant_counts(path, "out_merchant_risk_history", previous_run_id, filters)
        if previous_run_id
        else None
    )
    complaints_now = _complaint_total(path, filters, window)
    complaints_before = _complaint_total(path, filters, previous) if previous else None
    return {
        "merchants": Kpi(now["merchants"], before["merchants"] if before else None),
        "high_risk": Kpi(now["high_risk"], before["high_risk"] if before else None),
        "complaints": Kpi(complaints_now, complaints_before),
        "high_risk_gmv": Kpi(now["high_risk_gmv"], before["high_risk_gmv"] if before else None),
    }


def _merchant_counts(path: str, table: str, run_id: str, filters: Filters) -> dict[str, float]:
    if table not in RISK_TABLES:
        raise ValueError(f"not a merchant-risk table: {table!r}")
    dims, params = dimension_condition(filters, "merchant")
    frame = db.query(
        path,
        f"""
        select
            count(*) as merchants,
            count(*) filter (m.risk_level = 'high') as high_risk,
            coalesce(sum(m.gmv_cny) filter (m.risk_level = 'high'), 0) as high_risk_gmv
        from {table} as m
        where m.run_id = $run_id {dims}
        """,  # noqa: S608 - whitelisted table, conditions from filters.dimension_condition
        {"run_id": run_id, **params},
    )
    return {k: float(v) for k, v in frame.iloc[0].items()}


def _complaint_total(path: str, filters: Filters, window: Window) -> float:
    dims, params = dimension_condition(filters, "complaint_series", "s")
    when, window_params = window_condition(window, "s.day")
    total = db.scalar(
        path,
        f"select coalesce(sum(s.complaint_count), 0) from out_complaint_series as s where true {dims} {when}",  # noqa: S608
        {**params, **window_params},
    )
    return float(total or 0)


def risk_breakdown(filters: Filters, dimension: str) -> pd.DataFrame:
    """Shops per risk level for each platform, region or category: value, risk_level, merchant_count, gmv_cny."""
    if dimension not in MERCHANT_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return _risk_breakdown(*_source(), filters.platforms, filters.regions, filters.categories, dimension)


@db.cached()
def _risk_breakdown(path, version, platforms, regions, categories, dimension) -> pd.DataFrame:
    column = MERCHANT_DIMENSIONS[dimension]
    dims, params = dimension_condition(
        Filters(platforms=platforms, regions=regions, categories=categories), "merchant", "m"
    )
    return db.query(
        path,
        f"""
        select coalesce(m.{column}, '') as value, m.risk_level, count(*) as merchant_count, sum(m.gmv_cny) as gmv_cny
        from out_merchant_risk as m
        where true {dims}
        group by all
        order by value, m.risk_level
        """,  # noqa: S608 - column from MERCHANT_DIMENSIONS
        params,
    )


def series(filters: Filters, measure: str, dimension: str, grain: str, as_of: dt.date | None) -> pd.DataFrame:
    """A measure over time (period, value, amount), split by a dimension, within the selected period."""
    if measure not in MEASURES or grain not in GRAINS:
        raise ValueError(f"unknown measure or grain: {measure!r}, {grain!r}")
    if dimension not in TREND_DIMENSIONS[MEASURES[measure].kind]:
        raise ValueError(f"{measure} cannot be split by {dimension!r}")
    window = filters.window(as_of)
    return _series(
        *_source(), filters.platforms, filters.regions, filters.categories, window, measure, dimension, grain
    )


@db.cached()
def _series(path, version, platforms, regions, categories, window, measure, dimension, grain) -> pd.DataFrame:
    spec = MEASURES[measure]
    column = TREND_DIMENSIONS[spec.kind][dimension]
    filters = Filters(platforms=platforms, regions=regions, categories=categories)
    dims, params = dimension_condition(filters, spec.kind, "s")
    when, window_params = window_condition(window, "s.day")
    frame = db.query(
        path,
        f"""
        select date_trunc($grain, s.day)::date as period, coalesce({column}, '') as value,
               cast({spec.expression} as double) as amount
        from {spec.table} as s
        where true {dims} {when}
        group by all
        order by period, value
        """,  # noqa: S608 - table, column and expression from MEASURES / TREND_DIMENSIONS
        {"grain": grain, **params, **window_params},
    )
    if spec.additive and len(frame):
        # Marts hold no row for a day without events: draw it as zero, not as a line across the gap.
        grid = pd.MultiIndex.from_product(
            [sorted(frame["period"].unique()), sorted(frame["value"].unique())], names=["period", "value"]
        )
        frame = frame.set_index(["period", "value"]).reindex(grid, fill_value=0.0).reset_index()
    return frame


def heatmap(filters: Filters, measure: str, as_of: dt.date | None) -> pd.DataFrame:
    """A measure by merchant category × region within the period: category, region, amount."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    window = filters.window(as_of)
    return _heatmap(*_source(), filters.platforms, filters.regions, filters.categories, window, measure)


@db.cached()
def _heatmap(path, version, platforms, regions, categories, window, measure) -> pd.DataFrame:
    spec = MEASURES[measure]
    category, region = HEATMAP_AXES[spec.kind]
    filters = Filters(platforms=platforms, regions=regions, categories=categories)
    dims, params = dimension_condition(filters, spec.kind, "s")
    when, window_params = window_condition(window, "s.day")
    return db.query(
        path,
        f"""
        select {category} as category, {region} as region, cast({spec.expression} as double) as amount
        from {spec.table} as s
        where {category} <> '' and {region} <> '' {dims} {when}
        group by all
        """,  # noqa: S608 - identifiers from MEASURES / HEATMAP_AXES
        {**params, **window_params},
    )


def spike_alerts(filters: Filters, as_of: dt.date | None, limit: int = 50) -> pd.DataFrame:
    """Weeks where a platform's complaints of one category jumped, most recent first."""
    return _spike_alerts(*_source(), filters.platforms, filters.window(as_of), limit)


@db.cached()
def _spike_alerts(path, version, platforms, window, limit) -> pd.DataFrame:
    dims, params = dimension_condition(Filters(platforms=platforms), "platform", "a")
    # A week counts when it ends inside the period, so the week containing its first day is kept.
    start = window.start - dt.timedelta(days=6) if window.start else None
    when, window_params = window_condition(Window(start, window.end), "a.week")
    return db.query(
        path,
        f"""
        select a.week, a.platform_id, a.category, a.complaint_count, a.baseline_mean, a.spike_z
        from out_spike_alerts as a
        where true {dims} {when}
        order by a.week desc, a.spike_z desc
        limit $limit
        """,  # noqa: S608 - conditions from app.filters
        {"limit": limit, **params, **window_params},
    )


def merchant_table(
    filters: Filters,
    search: str = "",
    levels: tuple[str, ...] = (),
    lang: str = "zh",
    limit: int = MERCHANT_TABLE_LIMIT,
) -> pd.DataFrame:
    """Shops ranked by risk, filtered and searched (shop name, credit code or id); match_count holds all matches."""
    levels = tuple(level for level in levels if level in RISK_LEVELS)
    return _merchant_table(
        *_source(),
        filters.platforms,
        filters.regions,
        filters.categories,
        search.strip(),
        levels,
        lang,
        limit,
    )


@db.cached(max_entries=128)
def _merchant_table(
    path, version, platforms, regions, categories, search, levels, lang, limit
) -> pd.DataFrame:
    filters = Filters(platforms=platforms, regions=regions, categories=categories)
    dims, params = dimension_condition(filters, "merchant", "m")
    extra = []
    if levels:
        extra.append("and list_contains($levels::varchar[], m.risk_level)")
        params["levels"] = list(levels)
    if search:
        # contains() instead of LIKE: what the inspector types is matched literally, % and _ included.
        extra.append(
            "and (contains(lower(m.shop_name), lower($q)) or contains(lower(coalesce(m.credit_code, '')), lower($q))"
            " or contains(lower(m.merchant_id), lower($q)))"
        )
        params["q"] = search
    return db.query(
        path,
        f"""
        select
            m.risk_rank, m.platform_id, m.merchant_id, m.shop_name, m.credit_code, m.main_category, m.region,
            m.risk_level, m.risk_score, m.fraud_score, m.fake_trade_score, m.after_sales_score, m.license_score,
            m.driver, m.complaint_count, m.order_count, m.gmv_cny,
            case $lang when 'en' then m.reasons_en else m.reasons_zh end as reasons,
            count(*) over () as match_count
        from out_merchant_risk as m
        where true {dims} {" ".join(extra)}
        order by m.risk_rank
        limit $limit
        """,  # noqa: S608 - conditions built from whitelists, values bound
        {"lang": lang, "limit": limit, **params},
    )


def platform_scoreboard(filters: Filters) -> pd.DataFrame:
    """The 12315-style scoreboard, one row per platform (the platform filter applies)."""
    return _platform_scoreboard(*_source(), filters.platforms)


@db.cached()
def _platform_scoreboard(path, version, platforms) -> pd.DataFrame:
    dims, params = dimension_condition(Filters(platforms=platforms), "platform", "b")
    return db.query(
        path,
        f"select b.* from out_platform_scoreboard as b where true {dims} order by b.high_risk_share desc, b.platform_id",  # noqa: S608
        params,
    )
