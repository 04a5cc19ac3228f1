"""The real Chinese enterprise-registry export loads through its mapping with every row and check digit accounted for."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.credit_code import is_valid_uscc
from warehouse.loader import ingest

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "real" / "registry_beijing_sample.csv"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "real" / "china-enterprise-registry"
FULL_FILES = sorted(SHARED.glob("*.csv.gz"))


@pytest.mark.parametrize("mapping", [None, "registry_cn"], ids=["by-headers", "forced"])
def test_sample_loads_every_row_with_valid_check_digits(tmp_path: Path, mapping: str | None) -> None:
    db = tmp_path / "w.duckdb"
    report = ingest([SAMPLE], db, mapping_name=mapping)
    (result,) = report.results
    assert (result.status, result.dataset, result.mapping) == ("loaded", "licenses", "registry_cn")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (200, 200, 0)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select credit_code, is_credit_code_valid, license_type, status from stg_licenses"
    ).fetchall()
    assert len(rows) == 200
    assert all(valid and is_valid_uscc(code) for code, valid, _, _ in rows)
    assert {(t, s) for _, _, t, s in rows} == {("business_license", "active")}
    extra = con.execute('select "注册资金", "注册地址" from raw_licenses where _source_line = 2').fetchone()
    assert extra == ("100(万元人民币)", "北京市顺义区南法信镇信中街12号院8号楼102门3层3009室")
    first = con.execute(
        "select company_name, issued_on::varchar, registered_region from stg_licenses where _source_line = 2"
    )
    assert first.fetchone() == ("东方普拉特(北京)建筑设计有限公司", "2019-01-02", "北京")


def test_invalid_check_digit_is_a_finding_not_a_dropped_row(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:3]
    lines[1] = lines[1].replace("91110113MA01GHE6XA", "91110113MA01GHE6XB")
    feed = tmp_path / "registry.csv"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest([feed], tmp_path / "w.duckdb")
    assert report.results[0].rows_loaded == 2
    assert {f.check_name: f.bad_row_count for f in report.findings if f.table_name == "stg_licenses"}[
        "invalid_credit_codes"
    ] == 1


@pytest.mark.skipif(not FULL_FILES, reason=f"real registry files not present under {SHARED}")
def test_full_real_registry_files_load_completely(tmp_path: Path) -> None:
    report = ingest(FULL_FILES, tmp_path / "w.duckdb")
    assert [r.status for r in report.results] == ["loaded"] * len(FULL_FILES)
    assert sum(r.rows_read for r in report.results) == sum(r.rows_loaded for r in report.results) == 10_200
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute(
        "select count(*), count(*) filter (where is_credit_code_valid) from stg_licenses"
    ).fetchone() == (
        10_200,
        10_200,
    )
