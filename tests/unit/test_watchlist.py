"""The watchlist export: contract columns and order, BOM, XLSX as text, filters, runs (pipelines/watchlist.py)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines import audit
from pipelines.cli import main
from pipelines.export_safety import FORMULA_TRIGGERS
from pipelines.watchlist import WATCHLIST_COLUMNS, WatchlistQuery, export_watchlist, select_watchlist

# out_merchant_risk as docs/pipelines.md lists it, plus one column that must never leave.
RISK_TABLE_SQL = """
create table {table} (
    run_id varchar, platform_id varchar, merchant_id varchar, shop_name varchar, credit_code varchar,
    main_category varchar, region varchar, peer_group varchar, order_count bigint, gmv_cny decimal(18, 2),
    complaint_count bigint, fraud_score double, fake_trade_score double, after_sales_score double,
    license_score double, risk_score double, risk_level varchar, driver varchar, risk_rank bigint,
    reason_codes varchar, reasons_zh varchar, reasons_en varchar, consumer_phone varchar
)
"""
INSERT_SQL = """
insert into {table} (
    run_id, platform_id, merchant_id, shop_name, credit_code, risk_score, fraud_score, fake_trade_score,
    after_sales_score, license_score, risk_level, risk_rank, reasons_zh, reasons_en, consumer_phone
) values ($run_id, $platform_id, $merchant_id, $shop_name, $credit_code, $risk, $fraud, $fake_trade,
    $after_sales, $license, $level, $rank, $reasons_zh, $reasons_en, '13800138000')
"""
RUN, OLD_RUN = "S20260301T000000Z-aaaa0001", "S20260201T000000Z-aaaa0001"


@pytest.fixture(autouse=True)
def access_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own access store, so command-line exports are never logged into a real one."""
    store = tmp_path / "access.sqlite"
    monkeypatch.setenv("MARKET_ACCESS_DB", str(store))
    return store


# platform, merchant, shop name, credit code, risk, fraud, fake_trade, after_sales, license, level
MERCHANTS = [
    ("P01", "M1", '=HYPERLINK("http://evil")', "91310000MA1FL0000X", 95.0, 90.0, 10.0, 20.0, 5.0, "high"),
    ("P01", "M2", "星河数码旗舰店", None, 80.0, 20.0, 99.0, 10.0, 5.0, "medium"),
    ("P02", "M3", "@拼拼好物", "-12345", 70.0, 30.0, 50.0, 88.0, 5.0, "medium"),
    ("P02", "M4", "+好物直播", "\t91440000", 40.0, 5.0, 5.0, 5.0, 100.0, "low"),
    ("P01", "M5", "平平小店", "91330000MA2A00001K", 40.0, 1.0, 1.0, 1.0, 1.0, "low"),  # ties M4 on risk
]


def create_risk_table(con: duckdb.DuckDBPyConnection, table: str, run_id: str, rows: list[tuple]) -> None:
    """A merchant-risk table (out_merchant_risk or its history) with `rows` as in MERCHANTS."""
    con.execute(RISK_TABLE_SQL.format(table=table))
    ranked = sorted(rows, key=lambda r: (-r[4], r[0], r[1]))
    for row in rows:
        platform_id, merchant_id, shop_name, credit_code, risk, fraud, fake, after, lic, level = row
        con.execute(
            INSERT_SQL.format(table=table),
            {
                "run_id": run_id,
                "platform_id": platform_id,
                "merchant_id": merchant_id,
                "shop_name": shop_name,
                "credit_code": credit_code,
                "risk": risk,
                "fraud": fraud,
                "fake_trade": fake,
                "after_sales": after,
                "license": lic,
                "level": level,
                "rank": ranked.index(row) + 1,
                "reasons_zh": f"-{merchant_id} 投诉率高;退款慢",
                "reasons_en": f"{merchant_id} many complaints;slow refunds",
            },
        )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with a current run, an older run in the history, and score_runs (tests only read it)."""
    path = tmp_path_factory.mktemp("watchlist") / "market.duckdb"
    con = duckdb.connect(str(path))
    create_risk_table(con, "out_merchant_risk", RUN, MERCHANTS)
    create_risk_table(con, "out_merchant_risk_history", OLD_RUN, MERCHANTS[:2])
    con.execute("create table score_runs (run_id varchar, started_at timestamp, finished_at timestamp)")
    con.execute(
        "insert into score_runs values ($old, '2026-02-01', '2026-02-01 00:10'), ($new, '2026-03-01', '2026-03-01 00:10')",
        {"old": OLD_RUN, "new": RUN},
    )
    con.close()
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def merchants_of(con: duckdb.DuckDBPyConnection, **query) -> list[str]:
    return [row[2] for row in select_watchlist(con, WatchlistQuery(**query))]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["M1", "M2", "M3", "M5", "M4"]),  # M4/M5 tie on risk: the scorer's risk_rank decides
        ({"top": 2}, ["M1", "M2"]),
        ({"harm": "fake_trade"}, ["M2", "M3", "M1", "M4", "M5"]),
        ({"harm": "after_sales", "top": 1}, ["M3"]),
        ({"harm": "license"}, ["M4", "M1", "M2", "M3", "M5"]),
        ({"platform_id": "P02"}, ["M3", "M4"]),
        ({"risk_level": "medium"}, ["M2", "M3"]),
        ({"risk_level": "low", "platform_id": "P01"}, ["M5"]),
        ({"platform_id": "P09"}, []),
        ({"run_id": OLD_RUN}, ["M1", "M2"]),  # an older run comes from the history table
    ],
)
def test_filters_and_order(warehouse: Path, query: dict, expected: list[str]) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    assert merchants_of(con, **query) == expected


def test_rank_follows_the_chosen_order_after_filters(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = select_watchlist(con, WatchlistQuery(harm="fake_trade", platform_id="P02"))
    assert [(r[0], r[2]) for r in rows] == [(1, "M3"), (2, "M4")]


def test_unknown_run_is_an_error(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    with pytest.raises(LookupError, match="no scoring run"):
        select_watchlist(con, WatchlistQuery(run_id="S-nope"))


@pytest.mark.parametrize(
    "bad", [{"harm": "drop table"}, {"risk_level": "urgent"}, {"lang": "fr"}, {"top": 0}]
)
def test_invalid_query_values_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        WatchlistQuery(**bad)


def test_csv_has_bom_contract_columns_and_neutralised_text(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "watchlist.csv"
    con = duckdb.connect(str(warehouse), read_only=True)
    assert export_watchlist(con, WatchlistQuery(top=None), out) == 5
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert tuple(rows[0]) == WATCHLIST_COLUMNS
    body = rows[1:]
    assert [r[0] for r in body] == ["1", "2", "3", "4", "5"]
    assert body[0][3] == '\'=HYPERLINK("http://evil")'
    assert body[2][3] == "'@拼拼好物" and body[2][4] == "'-12345"
    assert body[4][4] == "'\t91440000"
    assert body[1][3] == "星河数码旗舰店" and body[1][4] == ""
    assert body[0][11] == "'-M1 投诉率高;退款慢"  # reasons in Chinese by default, neutralised
    assert {r[12] for r in body} == {RUN}
    text_columns = [
        i for i, c in enumerate(WATCHLIST_COLUMNS) if c not in {"rank"} and not c.endswith("_score")
    ]
    assert not any(r[i].startswith(FORMULA_TRIGGERS) for r in body for i in text_columns)
    assert b"13800138000" not in raw  # personal data never leaves


def test_reasons_in_english(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "watchlist.csv"
    con = duckdb.connect(str(warehouse), read_only=True)
    export_watchlist(con, WatchlistQuery(top=1, lang="en"), out)
    assert read_csv(out)[1][11] == "M1 many complaints;slow refunds"


def test_xlsx_text_cells_are_strings_equal_to_the_csv(warehouse: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    export_watchlist(con, WatchlistQuery(top=None), tmp_path / "w.csv")
    export_watchlist(con, WatchlistQuery(top=None), tmp_path / "w.xlsx")
    csv_rows = read_csv(tmp_path / "w.csv")
    sheet = load_workbook(tmp_path / "w.xlsx").active
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[c].width >= 8 for c in "ABCDEFGHIJKLM")
    xlsx_rows = list(sheet.iter_rows())
    assert [c.value for c in xlsx_rows[0]] == list(WATCHLIST_COLUMNS)
    assert len(xlsx_rows) == len(csv_rows)
    for cells, csv_row in zip(xlsx_rows[1:], csv_rows[1:], strict=True):
        assert not any(c.data_type == "f" for c in cells)
        for name, cell, text in zip(WATCHLIST_COLUMNS, cells, csv_row, strict=True):
            if name == "rank" or name.endswith("_score"):
                assert float(cell.value) == float(text)
            elif text == "":
                assert cell.value is None
            else:
                assert cell.data_type == "s" and cell.value == text


def test_cli_writes_and_reports_an_empty_selection(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "empty.csv"
    assert main(["watchlist", "--db", str(warehouse), "--out", str(out), "--platform", "P09"]) == 0
    assert "header only" in capsys.readouterr().err
    assert read_csv(out) == [list(WATCHLIST_COLUMNS)]


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--top", "2", "--harm", "fraud", "--level", "high"], 0),
        (["--top", "0", "--lang", "en"], 0),
        (["--run", "S-nope"], 1),
        (["--top", "-1"], 2),
    ],
)
def test_cli_exit_status(warehouse: Path, tmp_path: Path, args: list[str], status: int) -> None:
    out = tmp_path / "w.xlsx"
    assert main(["watchlist", "--db", str(warehouse), "--out", str(out), *args]) == status


def test_cli_refuses_other_formats(warehouse: Path, tmp_path: Path) -> None:
    assert main(["watchlist", "--db", str(warehouse), "--out", str(tmp_path / "w.txt")]) == 2
    assert not (tmp_path / "w.txt").exists()


def test_cli_help(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["watchlist", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert "--harm" in help_text and ", ".join(WATCHLIST_COLUMNS) in help_text.replace("\n  ", " ")


def test_cli_export_is_audited_once_with_filters_rows_and_hash(
    warehouse: Path, tmp_path: Path, access_store: Path
) -> None:
    out = tmp_path / "w.csv"
    assert (
        main(["watchlist", "--db", str(warehouse), "--out", str(out), "--top", "2", "--harm", "fraud"]) == 0
    )
    (entry,) = audit.entries(access_store, limit=None)
    assert (entry["action"], entry["target"], entry["actor"]) == ("export", "watchlist", audit.cli_actor())
    detail = json.loads(entry["detail_json"])
    assert detail["row_count"] == len(read_csv(out)) - 1 == 2
    assert detail["filters"]["harm"] == "fraud" and detail["filters"]["top"] == 2
    assert detail["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert audit.verify(access_store).ok


def test_cli_export_that_cannot_be_logged_leaves_no_file(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    store = tmp_path / "no_such_dir" / "sub" / "access.sqlite"
    (tmp_path / "no_such_dir").write_text("a file where the store's folder should be")
    assert main(["watchlist", "--db", str(warehouse), "--out", str(out), "--access-db", str(store)]) == 1
    assert not out.exists()
