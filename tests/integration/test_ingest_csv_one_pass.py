"""A CSV file checked in one pass (no copy of its text) loads exactly as through the text path it replaces."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import warehouse.loader
from warehouse.loader import ingest

FEEDS = Path(__file__).resolve().parents[1] / "data"
BAD_ROWS = FEEDS / "feeds" / "bad" / "transactions_bad_rows.csv"
REGISTRY = FEEDS / "real" / "registry_beijing_sample.csv"
# Every table a load writes, with the columns that differ between two loads (ids, times) left out.
TABLES = {
    "stg_transactions": "* exclude (_load_id)",
    "quarantine_transactions": "* exclude (_load_id)",
    "superseded_transactions": "* exclude (_load_id, _superseded_by_load_id)",
    "stg_licenses": "* exclude (_load_id)",
    "quarantine_licenses": "* exclude (_load_id)",
    "load_log": "dataset, mapping, encoding, rows_read, rows_loaded, rows_quarantined, status, message",
}


def extra_columns_feed(tmp_path: Path) -> Path:
    """Bad values (no key repeated), padded and blank values, and two columns the contract lacks."""
    lines = BAD_ROWS.read_text(encoding="utf-8").splitlines()
    header = lines[0] + ",渠道,note"
    body = [line + ",直播,x" for line in lines[1:] if not line.startswith("B001,P01,M001,B09")]
    body += [
        " B020 , P01 ,M001,B01, 2026-02-03 09:00:00 , 12.50 , 2 , completed , 4 ,,上海,直播, ",
        "B021,P01,M001,B01,2026-02-03 09:00:00,12.50,2,completed,4,,   ,,",
    ]
    path = tmp_path / "transactions_extra.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


def table_rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            name: con.execute(f"select {columns} from {name} order by all").fetchall()
            for name, columns in TABLES.items()
        }


@pytest.mark.parametrize("mapping", [None, "registry_cn"], ids=["by-headers", "forced-mapping"])
def test_one_pass_and_text_path_load_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mapping: str | None
) -> None:
    files = [REGISTRY] if mapping else [BAD_ROWS, extra_columns_feed(tmp_path), REGISTRY]
    took_one_pass: dict[str, bool] = {}
    check_rows = warehouse.loader.check_rows

    def recording_check_rows(con, part, *args):
        part_table = check_rows(con, part, *args)
        took_one_pass[part.path.name] = part_table is None
        return part_table

    with monkeypatch.context() as patch:
        patch.setattr(warehouse.loader, "check_rows", recording_check_rows)
        one_pass = ingest(files, tmp_path / "one_pass.duckdb", mapping_name=mapping)
    # The bad-rows feed repeats a key, so it goes the text way; the others in one pass.
    assert took_one_pass == {f.name: f != BAD_ROWS for f in files}
    with monkeypatch.context() as patch:
        patch.setattr(warehouse.loader, "check_csv_in_one_pass", lambda *args: False)
        text_path = ingest(files, tmp_path / "text_path.duckdb", mapping_name=mapping)
    assert [r.status for r in one_pass.results] == [r.status for r in text_path.results]
    fast, slow = table_rows(tmp_path / "one_pass.duckdb"), table_rows(tmp_path / "text_path.duckdb")
    assert fast == slow
    if not mapping:
        # The comparison is only worth something if the files hold what it is about.
        quarantined = fast["quarantine_transactions"]
        assert len(quarantined) >= 10
        assert any("duplicate key" in " ".join(row[2]) for row in quarantined)
        assert any(row[0].endswith("transactions_extra.csv") for row in quarantined)
        assert any(row[-1] == "x" or row[-2] == "直播" for row in fast["stg_transactions"])


def test_a_record_duckdb_sets_aside_sends_the_file_down_the_text_path(tmp_path: Path) -> None:
    lines = BAD_ROWS.read_text(encoding="utf-8").splitlines()
    feed = tmp_path / "transactions_short.csv"
    feed.write_text("\n".join([*lines[:3], "B030,P01", *lines[3:]]) + "\n", encoding="utf-8")
    report = ingest([feed], tmp_path / "w.duckdb")
    (result,) = report.results
    assert result.rows_read == len(lines)  # every record, the short one included
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        short = con.execute(
            "select _source_line, _raw_record from quarantine_transactions where _raw_record is not null"
        ).fetchall()
        after = con.execute(
            "select _source_line from quarantine_transactions where order_id = 'B003'"
        ).fetchone()
    assert short == [(4, "B030,P01")]
    assert after == (5,)  # the line after the set-aside record keeps its own number
