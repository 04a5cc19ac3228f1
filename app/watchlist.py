"""The inspector's watchlist: shops kept in the session with notes, exported in the contract's watchlist format."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st
from openpyxl import load_workbook
from openpyxl.styles import Font

from app import db, i18n, market_data
from app.filters import Filters, dimension_condition
from app.market_data import RISK_LEVELS
from app.status import warehouse_status
from pipelines import brief
from pipelines.export_safety import safe_text_cell
from pipelines.watchlist import SCORE_DECIMALS, WATCHLIST_COLUMNS, write_csv, write_xlsx

SESSION_KEY = "watchlist"  # list of {"platform_id", "merchant_id", "note"} in the order they were added
NOTES_SHEET = "notes"


def entries() -> list[dict]:
    """The watchlist of this session (a list the caller must not keep across reruns)."""
    return st.session_state.setdefault(SESSION_KEY, [])


def contains(platform_id: str, merchant_id: str) -> bool:
    """True if the shop is on the watchlist."""
    return any(e["platform_id"] == platform_id and e["merchant_id"] == merchant_id for e in entries())


def add(platform_id: str, merchant_id: str, note: str = "") -> bool:
    """Put a shop on the watchlist; False if it was there already."""
    if contains(platform_id, merchant_id):
        return False
    entries().append({"platform_id": platform_id, "merchant_id": merchant_id, "note": note})
    return True


def remove(keys: set[tuple[str, str]]) -> None:
    """Take shops off the watchlist."""
    st.session_state[SESSION_KEY] = [e for e in entries() if (e["platform_id"], e["merchant_id"]) not in keys]


def set_notes(notes: dict[tuple[str, str], str]) -> None:
    """Replace the notes of the given shops."""
    for entry in entries():
        key = (entry["platform_id"], entry["merchant_id"])
        if key in notes:
            entry["note"] = notes[key] or ""


def top_keys(filters: Filters, levels: tuple[str, ...], limit: int) -> list[tuple[str, str]]:
    """The keys of the highest-ranked shops under the current filters and risk levels."""
    source = db.current_source()
    levels = tuple(level for level in levels if level in RISK_LEVELS)
    frame = _top_keys(
        source.path, source.version, filters.platforms, filters.regions, filters.categories, levels, limit
    )
    return list(zip(frame["platform_id"], frame["merchant_id"], strict=True))


@db.cached()
def _top_keys(path, version, platforms, regions, categories, levels, limit) -> pd.DataFrame:
    dims, params = dimension_condition(
        Filters(platforms=platforms, regions=regions, categories=categories), "merchant", "m"
    )
    return db.query(
        path,
        f"""
        select m.platform_id, m.merchant_id from out_merchant_risk as m
        where (len($levels::varchar[]) = 0 or list_contains($levels::varchar[], m.risk_level)) {dims}
        order by m.risk_rank
        limit $limit
        """,  # noqa: S608 - conditions from app.filters
        {"levels": list(levels), "limit": limit, **params},
    )


def export_rows(lang: str) -> pd.DataFrame:
    """The watchlist as the contract's rows (WATCHLIST_COLUMNS): ranked by risk score, reasons in `lang`."""
    keys = tuple((e["platform_id"], e["merchant_id"]) for e in entries())
    if not keys:
        return pd.DataFrame(columns=list(WATCHLIST_COLUMNS))
    source = db.current_source()
    return _export_rows(source.path, source.version, keys, lang)


@db.cached(max_entries=32)
def _export_rows(path, version, keys, lang) -> pd.DataFrame:
    frame = db.query(
        path,
        """
        with chosen as (
            select unnest($platforms::varchar[]) as platform_id, unnest($merchants::varchar[]) as merchant_id
        )
        select
            row_number() over (order by m.risk_score desc nulls last, m.risk_rank, m.platform_id, m.merchant_id)
                as rank,
            m.platform_id, m.merchant_id, m.shop_name, m.credit_code,
            round(cast(m.risk_score as double), $decimals) as risk_score,
            round(cast(m.fraud_score as double), $decimals) as fraud_score,
            round(cast(m.fake_trade_score as double), $decimals) as fake_trade_score,
            round(cast(m.after_sales_score as double), $decimals) as after_sales_score,
            round(cast(m.license_score as double), $decimals) as license_score,
            m.risk_level,
            coalesce(case $lang when 'en' then m.reasons_en else m.reasons_zh end, '') as reasons,
            m.run_id as score_run_id
        from out_merchant_risk as m
        join chosen using (platform_id, merchant_id)
        order by rank
        """,
        {
            "platforms": [k[0] for k in keys],
            "merchants": [k[1] for k in keys],
            "lang": lang,
            "decimals": SCORE_DECIMALS,
        },
    )
    return frame[list(WATCHLIST_COLUMNS)]


def csv_bytes(rows: pd.DataFrame) -> bytes:
    """The rows as CSV in UTF-8 with a BOM, every text cell formula-neutralised (pipelines/watchlist.py)."""
    with tempfile.TemporaryDirectory(prefix="watchlist-") as folder:
        out = Path(folder) / "watchlist.csv"
        write_csv(_tuples(rows), out)
        return out.read_bytes()


def xlsx_bytes(rows: pd.DataFrame, notes: dict[tuple[str, str], str] | None = None) -> bytes:
    """The rows as an XLSX sheet in the contract's format, plus a `notes` sheet for the inspector's notes."""
    with tempfile.TemporaryDirectory(prefix="watchlist-") as folder:
        out = Path(folder) / "watchlist.xlsx"
        write_xlsx(_tuples(rows), out)
        written = [(p, m, n) for (p, m), n in (notes or {}).items() if n]
        if written:
            # A separate sheet, so the first one stays exactly the contract's columns.
            workbook = load_workbook(out)
            sheet = workbook.create_sheet(NOTES_SHEET)
            for column, name in enumerate(("platform_id", "merchant_id", "note"), start=1):
                sheet.cell(row=1, column=column, value=name).font = Font(bold=True)
            for row_number, row in enumerate(written, start=2):
                for column, value in enumerate(row, start=1):
                    cell = sheet.cell(row=row_number, column=column, value=safe_text_cell(value))
                    cell.data_type = "s"
            workbook.save(out)
        return out.read_bytes()


def pdf_brief(rows: pd.DataFrame, lang: str, filters: Filters) -> Callable[[], bytes]:
    """A function rendering the rows' PDF brief (pipelines/brief.py), for st.download_button to call on click.

    The shops' facts, the notes and the filters are read now (cached queries, session state); the
    callable only renders plain data, since Streamlit runs it outside the script run.
    """
    records = _tuples(rows)
    run_ids = sorted({str(r) for r in rows["score_run_id"].dropna()})  # one: rows come from out_merchant_risk
    keys = tuple((str(r[1]), str(r[2])) for r in records)
    facts = _brief_facts(keys, run_ids[0], lang) if keys and len(run_ids) == 1 else {}
    notes = notes_by_key()
    header = filter_summary(filters, lang)

    def render() -> bytes:
        context = brief.BriefContext(", ".join(run_ids), dt.datetime.now().astimezone(), lang, header)
        return brief.render_brief(records, context, facts, notes)

    return render


def _brief_facts(keys: tuple[tuple[str, str], ...], run_id: str, lang: str) -> dict:
    status = warehouse_status()
    names = {p: n for p, n in market_data.filter_options().platforms.items() if n and n != p}
    source = db.current_source()
    return _brief_facts_of(
        source.path,
        source.version,
        keys,
        run_id,
        lang,
        status.has("out_merchant_features"),
        status.has("out_merchant_reasons"),
        tuple(sorted(names.items())),
    )


@db.cached(max_entries=32)
def _brief_facts_of(path, version, keys, run_id, lang, has_features, has_reasons, platform_names) -> dict:
    if has_features:
        facts = db.query(path, brief.FACTS_SQL, brief.facts_params(keys, run_id)).to_dict("records")
    else:
        facts = [{"platform_id": p, "merchant_id": m} for p, m in keys]
    reasons = []
    if has_reasons:
        reasons = db.query(path, brief.REASONS_SQL, brief.reasons_params(keys, run_id, lang)).to_dict(
            "records"
        )
    return brief.facts_from_records(facts, reasons, dict(platform_names))


def filter_summary(filters: Filters, lang: str) -> tuple[tuple[str, str], ...]:
    """The sidebar filters as (name, value) text in `lang`, for the brief's header."""
    every = i18n.t("filters.all", lang)
    platforms = market_data.filter_options().platforms
    return (
        (i18n.t("filters.period", lang), i18n.label("period", filters.period, lang)),
        (
            i18n.t("filters.platform", lang),
            ", ".join(platforms.get(p) or p for p in filters.platforms) or every,
        ),
        (
            i18n.t("filters.region", lang),
            ", ".join(i18n.region_label(r, lang) for r in filters.regions) or every,
        ),
        (
            i18n.t("filters.category", lang),
            ", ".join(i18n.label("merchant_category", c, lang) for c in filters.categories) or every,
        ),
    )


def _tuples(rows: pd.DataFrame) -> list[tuple]:
    # Plain Python values for csv/openpyxl: numpy scalars and NaN become numbers and None.
    clean = rows[list(WATCHLIST_COLUMNS)].astype(object).where(rows[list(WATCHLIST_COLUMNS)].notna(), None)
    return [
        tuple(v.item() if hasattr(v, "item") else v for v in row) for row in clean.itertuples(index=False)
    ]


def notes_by_key() -> dict[tuple[str, str], str]:
    """The inspector's notes by shop key."""
    return {(e["platform_id"], e["merchant_id"]): e["note"] for e in entries()}
