"""Ingest the committed feeds: every bad-input case gets a clear outcome and every row is accounted for."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import warehouse.loader
from pipelines.cli import main
from warehouse.loader import ingest

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "feeds" / "good"
BAD = DATA / "feeds" / "bad"


@pytest.fixture(scope="module")
def bad_load(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("bad") / "w.duckdb"
    ingest([GOOD], db)
    report = ingest([BAD], db)
    return report, duckdb.connect(str(db), read_only=True)


def result_for(report, source_file: str):
    matches = [r for r in report.results if r.source_file.endswith(source_file)]
    assert len(matches) == 1, source_file
    return matches[0]


@pytest.mark.parametrize(
    ("source_file", "status", "read", "loaded", "quarantined", "message"),
    [
        ("transactions_empty.csv", "rejected", 0, 0, 0, "file is empty"),
        ("transactions_header_only.csv", "loaded", 0, 0, 0, "header only"),
        ("transactions_binary.csv", "rejected", 0, 0, 0, "binary content"),
        ("transactions_truncated.csv", "loaded", 3, 2, 1, ""),
        ("transactions_truncated.parquet", "rejected", 0, 0, 0, "not a readable Parquet file"),
        ("merchants_utf8.csv", "loaded", 4, 4, 0, "gb18030 (despite a UTF-8 BOM)"),
        ("complaints_mixed_encoding.csv", "loaded", 4, 3, 1, "mixed: utf-8"),
        (
            "licenses_missing_status.csv",
            "rejected",
            0,
            0,
            0,
            "missing required column(s) status in licenses_missing_status.csv",
        ),
        ("transactions_bad_rows.csv", "loaded", 12, 3, 9, ""),
        ("transactions_wrong_types.parquet", "loaded", 3, 1, 2, ""),
        ("feed_workbook.xlsx#merchants", "loaded", 4, 4, 0, "sheet 'merchants'; not loaded: 'README'"),
        ("feed_workbook.xlsx#transactions", "loaded", 2, 2, 0, "sheet 'transactions'"),
        (
            "complaints_unnamed_sheets.xlsx#Sheet",
            "loaded",
            2,
            2,
            0,
            "first sheet: none is named after a dataset",
        ),
    ],
)
def test_each_bad_input_has_a_clear_outcome(
    bad_load, source_file, status, read, loaded, quarantined, message
) -> None:
    report, _ = bad_load
    result = result_for(report, source_file)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        status,
        read,
        loaded,
        quarantined,
    )
    assert message in result.message


def test_rejected_files_make_exit_status_two_and_the_rest_still_load(bad_load) -> None:
    report, con = bad_load
    assert report.exit_status == 2
    assert report.published
    assert con.execute("select count(*) from stg_transactions where order_id = 'S002'").fetchone()[0] == 1


def test_load_log_accounts_for_every_row(bad_load) -> None:
    _, con = bad_load
    broken = con.execute(
        "select source_file from load_log where rows_read <> rows_loaded + rows_quarantined"
    ).fetchall()
    assert broken == []
    for dataset in ("merchants", "licenses", "transactions", "complaints"):
        per_file = con.execute(
            f"""
            select log.source_file, log.rows_quarantined, count(q._source_line)
            from load_log as log
            left join quarantine_{dataset} as q
                on q._load_id = log.load_id and q._source_file = log.source_file
            where log.dataset = $dataset
            group by all
            having log.rows_quarantined <> count(q._source_line)
            """,
            {"dataset": dataset},
        ).fetchall()
        assert per_file == []


@pytest.mark.parametrize(
    ("line", "reasons"),
    [
        (3, ["ordered_at: cannot parse '2026-13-45'"]),
        (4, ["amount: negative value -5"]),
        (5, ["rating: 0 outside 1–5"]),
        (6, ["rating: 9 outside 1–5"]),
        (7, ["status: unknown value 'shipped'"]),
        (8, ["duplicate key within file, first kept at line 2"]),
        (9, ["order_id: required value missing"]),
        (10, ["ship_to_region: longer than 64 characters"]),
        (
            13,
            [
                "ordered_at: cannot parse 'yesterday'",
                "amount: cannot parse 'abc'",
                "quantity: cannot parse '1.5'",
                "status: unknown value 'Shipped'",
                "refund_reason: unknown value 'lost_it'",
                "rating: 6 outside 1–5",
            ],
        ),
    ],
)
def test_bad_rows_carry_file_line_values_and_every_reason(bad_load, line: int, reasons: list[str]) -> None:
    _, con = bad_load
    rows = con.execute(
        "select reasons, order_id from quarantine_transactions where _source_file like $f and _source_line = $line",
        {"f": "%transactions_bad_rows.csv", "line": line},
    ).fetchall()
    assert len(rows) == 1
    assert rows[0][0] == reasons


def test_undecodable_and_truncated_records_keep_their_text(bad_load) -> None:
    _, con = bad_load
    mixed = con.execute(
        "select _source_line, _raw_record, reasons from quarantine_complaints where _source_file like '%mixed%'"
    ).fetchall()
    assert mixed == [
        (
            4,
            "K003,2026-01-10 11:00:00,假冒伪劣商品,open",
            ["encoding: line 4 is not valid utf-8 like the rest of the file"],
        )
    ]
    cut = con.execute(
        "select _source_line, _raw_record, reasons from quarantine_transactions where _source_file like '%truncated.csv'"
    ).fetchall()
    assert cut == [(4, "X003,P01,M001,B01,2026-02-0", ["csv: Expected Number of Columns: 8 Found: 5"])]


def test_formula_like_text_is_stored_as_it_came(bad_load) -> None:
    _, con = bad_load
    rows = dict(
        con.execute(
            "select order_id, buyer_id from stg_transactions where order_id in ('B009', 'B010', 'S001')"
        ).fetchall()
    )
    assert rows == {
        "B009": '=HYPERLINK("http://evil.example")',
        "B010": "@SUM(A1)",
        "S001": "=cmd|' /C calc'!A0",
    }
    region = con.execute("select ship_to_region from stg_transactions where order_id = 'B010'").fetchone()[0]
    assert region == "-北京"


def test_good_feed_loads_every_format_and_encoding(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    report = ingest([GOOD], db)
    assert report.exit_status == 0
    assert all(r.status == "loaded" and r.rows_quarantined == 0 for r in report.results)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "select company_name from stg_licenses where license_type = 'food_operation'"
    ).fetchone() == ("中检科教育科技(北京)有限公司",)
    assert con.execute("select shop_name from stg_merchants where merchant_id = 'M001'").fetchone() == (
        "老王服装店",
    )
    assert con.execute("select count(*) from stg_transactions").fetchone() == (7,)
    assert con.execute("select shop_url from raw_merchants where merchant_id = 'M001'").fetchone() == (
        "https://shop.example/1",
    )
    valid = dict(con.execute("select merchant_id, is_credit_code_valid from stg_merchants").fetchall())
    assert valid == {"M001": True, "M002": True, "M003": False, "M004": False}


def test_loading_the_same_files_again_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    ingest([GOOD], db)
    before = db.read_bytes()
    copy = tmp_path / "renamed"
    shutil.copytree(GOOD, copy)
    report = ingest([GOOD, copy], db)
    assert {r.status for r in report.results} == {"already loaded"}
    assert not report.published
    assert db.read_bytes() == before


def write_orders(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["order_id,platform_id,merchant_id,buyer_id,ordered_at,amount,status"]
    lines += [f"{oid},P01,M1,B1,2026-01-01 10:00:00,{amount},completed" for oid, amount in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Files appended to the layer tables on their own (as big files are) keep the same delivery rules.
DIRECT_MODES = pytest.mark.parametrize("direct_rows", [2**62, 0], ids=["batched", "direct"])


@DIRECT_MODES
def test_redelivered_keys_replace_the_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_rows: int
) -> None:
    monkeypatch.setattr(warehouse.loader, "DIRECT_ROWS", direct_rows)
    db = tmp_path / "w.duckdb"
    ingest([write_orders(tmp_path / "transactions_a.csv", [("O1", "10"), ("O2", "20")])], db)
    ingest([write_orders(tmp_path / "transactions_b.csv", [("O2", "25"), ("O3", "30")])], db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select order_id, amount::varchar, _source_file from stg_transactions order by 1"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("O1", "10.00"), ("O2", "25.00"), ("O3", "30.00")]
    assert rows[1][2].endswith("transactions_b.csv")
    assert con.execute("select count(*) from raw_transactions").fetchone() == (4,)  # raw keeps both versions
    superseded = con.execute(
        "select order_id, amount::varchar, _source_file, _superseded_by_load_id from superseded_transactions"
    ).fetchall()
    second_load = con.execute("select max(_load_id) from stg_transactions where order_id = 'O2'").fetchone()[
        0
    ]
    assert [(r[0], r[1], Path(r[2]).name, r[3]) for r in superseded] == [
        ("O2", "20.00", "transactions_a.csv", second_load)
    ]
    statuses = con.execute("select _status, count(*) from raw_transactions group by 1 order by 1").fetchall()
    assert statuses == [("staged", 3), ("superseded", 1)]


@DIRECT_MODES
def test_a_later_file_of_the_same_load_supersedes_an_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_rows: int
) -> None:
    monkeypatch.setattr(warehouse.loader, "DIRECT_ROWS", direct_rows)
    db = tmp_path / "w.duckdb"
    first = write_orders(tmp_path / "transactions_a.csv", [("O1", "10"), ("O2", "20")])
    second = write_orders(tmp_path / "transactions_b.csv", [("O2", "25")])
    ingest([first, second], db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select amount::varchar from stg_transactions where order_id = 'O2'").fetchone() == (
        "25.00",
    )
    assert con.execute("select amount::varchar from superseded_transactions").fetchall() == [("20.00",)]


def test_cli_exit_status_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(GOOD), "--db", str(db), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "transactions_2026-02.parquet" in out and "rows read" in out
    assert main(["ingest", str(BAD / "licenses_missing_status.csv"), "--db", str(db)]) == 2
    captured = capsys.readouterr()
    assert "missing required column(s) status" in captured.out
    assert "[1/1]" in captured.err and "rows/s" in captured.err
    assert main(["ingest", str(GOOD), "--db", str(db)]) == 0
    assert "already loaded" in capsys.readouterr().out


def test_cli_honours_market_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("MARKET_DB", str(db))
    assert main(["ingest", str(GOOD / "platforms.csv"), "--quiet"]) == 0
    assert duckdb.connect(str(db), read_only=True).execute(
        "select count(*) from stg_platforms"
    ).fetchone() == (2,)


def test_cli_help_documents_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    text = capsys.readouterr().out
    assert "exit status" in text and "--mapping" in text and "MARKET_DB" in text


def test_orphans_are_kept_counted_and_reported(tmp_path: Path) -> None:
    orders = write_orders(tmp_path / "transactions.csv", [("O1", "10")])  # merchant M1 is not in the feed
    complaints = tmp_path / "complaints.csv"
    complaints.write_text(
        "complaint_id,received_at,platform_id,merchant_id,description,status\n"
        "C1,2026-01-01 10:00:00,P01,M404,没发货,open\n"
        "C2,2026-01-01 10:00:00,P01,M001,没发货,open\n",
        encoding="utf-8",
    )
    report = ingest([GOOD / "merchants.csv", orders, complaints], tmp_path / "w.duckdb")
    counts = {f.check_name: f.bad_row_count for f in report.findings}
    assert counts["orphan_transactions"] == 1
    assert counts["orphan_complaints"] == 1
    assert all(r.rows_quarantined == 0 for r in report.results)


@pytest.mark.parametrize(
    ("flush_rows", "direct_rows"),
    [(1, 2**62), (2_000_000, 2**62), (2_000_000, 0)],
    ids=["flush-every-file", "flush-at-end", "direct"],
)
def test_later_file_in_the_same_load_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flush_rows: int, direct_rows: int
) -> None:
    monkeypatch.setattr(warehouse.loader, "FLUSH_ROWS", flush_rows)
    monkeypatch.setattr(warehouse.loader, "DIRECT_ROWS", direct_rows)
    db = tmp_path / "w.duckdb"
    first = write_orders(tmp_path / "transactions_a.csv", [("O1", "10"), ("O2", "20")])
    second = write_orders(tmp_path / "transactions_b.csv", [("O2", "25"), ("O2", "26")])
    report = ingest([first, second], db)
    assert [(r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results] == [
        (2, 2, 0),
        (2, 1, 1),
    ]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("select order_id, amount::varchar from stg_transactions order by 1").fetchall()
    assert rows == [("O1", "10.00"), ("O2", "25.00")]


def test_batched_and_direct_files_of_one_load_keep_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # b goes straight to the layer tables, a and c through batches: the last delivery still wins.
    monkeypatch.setattr(warehouse.loader, "goes_direct", lambda con, path: path.name == "transactions_b.csv")
    files = [
        write_orders(tmp_path / "transactions_a.csv", [("O1", "10"), ("O2", "20")]),
        write_orders(tmp_path / "transactions_b.csv", [("O1", "11"), ("O2", "21"), ("O3", "30")]),
        write_orders(tmp_path / "transactions_c.csv", [("O2", "22"), ("O3", "31"), ("O3", "32")]),
    ]
    report = ingest(files, tmp_path / "w.duckdb")
    assert [(r.rows_read, r.rows_loaded, r.rows_quarantined) for r in report.results] == [
        (2, 2, 0),
        (3, 3, 0),
        (3, 2, 1),
    ]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    staged = con.execute("select order_id, amount::varchar from stg_transactions order by 1").fetchall()
    assert staged == [("O1", "11.00"), ("O2", "22.00"), ("O3", "31.00")]
    superseded = con.execute("select order_id, amount::varchar from superseded_transactions order by 1, 2")
    assert superseded.fetchall() == [("O1", "10.00"), ("O2", "20.00"), ("O2", "21.00"), ("O3", "30.00")]
    assert con.execute("select count(*) from quarantine_transactions").fetchone() == (1,)
