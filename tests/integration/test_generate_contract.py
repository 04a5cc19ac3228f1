"""The generated feed follows the data contract, is reproducible, and keeps the ground truth apart."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.demo_market.generate import generate_market
from pipelines.demo_market.params import GeneratorParams
from tests.conftest import SMALL_MARKET, small_market
from warehouse.credit_code import is_valid_uscc
from warehouse.schema import DATASETS, TRANSACTIONS

CSV_DATASETS = ("platforms", "merchants", "licenses", "complaints")


def read_csv_rows(path: Path, encoding: str = "utf-8") -> tuple[list[str], list[dict]]:
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("dataset", CSV_DATASETS)
def test_csv_datasets_follow_the_contract(market, dataset):
    header, rows = read_csv_rows(market.feed / f"{dataset}.csv")
    schema = DATASETS[dataset]
    assert header == list(schema.column_names)
    assert rows, f"{dataset} is empty"
    for field in schema.fields:
        values = [r[field.name] for r in rows]
        if field.required:
            assert all(values), f"{dataset}.{field.name} has empty required values"
        if field.allowed:
            assert set(values) - {""} <= set(field.allowed), (
                f"{dataset}.{field.name} has values outside the contract"
            )


def test_transactions_follow_the_contract(market):
    files = sorted(market.feed.glob("transactions_*.parquet"))
    assert [f.name for f in files] == [
        "transactions_2026-06.parquet",
        "transactions_2026-07.parquet",
        "transactions_2026-08.parquet",
        "transactions_2026-09.parquet",
    ]
    con = duckdb.connect()
    con.execute(f"create view rel as select * from read_parquet({[str(f) for f in files]})")
    columns = [r[0] for r in con.execute("describe rel").fetchall()]
    assert columns == list(TRANSACTIONS.column_names)
    checks = {
        "required": " or ".join(f"{c} is null" for c in TRANSACTIONS.required_columns),
        "negative amount": "amount < 0",
        "rating outside 1-5": "rating not between 1 and 5",
        "status": f"status not in {tuple(TRANSACTIONS.field('status').allowed)}",
        "refund reason": f"refund_reason not in {tuple(TRANSACTIONS.field('refund_reason').allowed)}",
        "refund outcome": f"refund_outcome not in {tuple(TRANSACTIONS.field('refund_outcome').allowed)}",
        "delivered before shipped": "delivered_at < shipped_at",
        "shipped before ordered": "shipped_at < ordered_at",
        "reviewed before delivered": "reviewed_at < delivered_at",
        "refund done before asked": "refund_completed_at < refund_requested_at",
        "refund without reason": "(refund_requested_at is null) <> (refund_reason is null)",
        "after the period": "greatest(ordered_at, shipped_at, delivered_at, reviewed_at, refund_requested_at,"
        " refund_completed_at) >= date '2026-09-29'",
    }
    for name, condition in checks.items():
        bad = con.execute(f"select count(*) from rel where {condition}").fetchone()[0]
        assert bad == 0, f"{bad} orders break: {name}"
    keys = con.execute("select count(*), count(distinct (platform_id, order_id)) from rel").fetchone()
    assert keys[0] == keys[1], "order keys are not unique"
    orphans = con.execute(
        f"select count(*) from rel t anti join read_csv('{market.feed / 'merchants.csv'}', all_varchar=true) m "
        "using (platform_id, merchant_id)"
    ).fetchone()[0]
    assert orphans == 0


def test_credit_codes_valid_except_where_planted(market):
    _, merchants = read_csv_rows(market.feed / "merchants.csv")
    _, licenses = read_csv_rows(market.feed / "licenses.csv")
    _, labels = read_csv_rows(market.truth / "merchant_labels.csv")
    planted = {(r["platform_id"], r["merchant_id"]): r["pattern"] for r in labels if r["harm"] == "license"}
    assert all(is_valid_uscc(r["credit_code"]) for r in licenses)
    for shop in merchants:
        pattern = planted.get((shop["platform_id"], shop["merchant_id"]))
        if pattern == "missing_code":
            assert shop["credit_code"] == ""
        elif pattern == "invalid_check_digit":
            assert shop["credit_code"] and not is_valid_uscc(shop["credit_code"])
        else:
            assert is_valid_uscc(shop["credit_code"]), shop


def test_merchant_keys_unique_and_shop_names_unique_per_platform(market):
    _, merchants = read_csv_rows(market.feed / "merchants.csv")
    keys = [(r["platform_id"], r["merchant_id"]) for r in merchants]
    names = [(r["platform_id"], r["shop_name"]) for r in merchants]
    assert len(set(keys)) == len(keys) == SMALL_MARKET.merchants
    assert len(set(names)) == len(names)


def test_complaints_name_a_shop_one_way_or_another(market):
    _, complaints = read_csv_rows(market.feed / "complaints.csv")
    assert all(r["merchant_id"] or r["shop_name"] for r in complaints)
    shop_only = sum(1 for r in complaints if not r["merchant_id"]) / len(complaints)
    uncategorised = sum(1 for r in complaints if not r["category"]) / len(complaints)
    assert 0.2 < shop_only < 0.5
    assert 0.15 < uncategorised < 0.35
    assert len({r["complaint_id"] for r in complaints}) == len(complaints)
    assert len({r["description"] for r in complaints}) > 0.95 * len(complaints)


def test_ground_truth_only_under_truth_dir(market):
    feed_files = {p.name for p in market.feed.iterdir()}
    assert all(name.split("_")[0].split(".")[0] in DATASETS for name in feed_files)
    truth_files = {p.name for p in market.truth.iterdir()}
    assert truth_files == {"merchant_labels.csv", "rings.csv", "hard_negatives.csv", "manifest.json"}
    manifest = json.loads((market.truth / "manifest.json").read_text())
    assert manifest["params"]["seed"] == market.params.seed
    assert sorted(manifest["feed_files"]) == sorted(feed_files)


@pytest.mark.parametrize("inside", ["truth_in_feed", "feed_in_truth", "same"])
def test_truth_inside_feed_is_refused(tmp_path, inside):
    feed, truth = {
        "truth_in_feed": (tmp_path / "feed", tmp_path / "feed" / "truth"),
        "feed_in_truth": (tmp_path / "truth" / "feed", tmp_path / "truth"),
        "same": (tmp_path / "x", tmp_path / "x"),
    }[inside]
    with pytest.raises(ValueError, match="outside"):
        generate_market(SMALL_MARKET, feed, truth)


def test_same_seed_gives_identical_files_and_another_seed_another_market(market_root, tmp_path):
    first = small_market(market_root, seed=11)
    again = tmp_path / "again"
    generate_market(first.params, again / "feed", again / "truth")
    assert digest(again / "feed") == digest(first.feed)
    assert digest(again / "truth") == digest(first.truth)
    other = small_market(market_root, seed=23)
    differing = {name for name, h in digest(other.feed).items() if digest(first.feed).get(name) != h}
    assert differing == {p.name for p in first.feed.iterdir()}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("gb18030", {"merchants": "gb18030", "licenses": "gb18030", "complaints": "gb18030"}),
        ("mixed", {"merchants": "utf-8-sig", "licenses": "gb18030", "complaints": "utf-8"}),
        ("utf-8-sig", {"merchants": "utf-8-sig", "licenses": "utf-8-sig", "complaints": "utf-8-sig"}),
    ],
)
def test_csv_encodings(tmp_path, setting, expected):
    params = GeneratorParams(merchants=60, days=20, orders=3000, csv_encoding=setting)
    generate_market(params, tmp_path / "feed", tmp_path / "truth")
    for dataset, encoding in expected.items():
        raw = (tmp_path / "feed" / f"{dataset}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        header, rows = read_csv_rows(tmp_path / "feed" / f"{dataset}.csv", encoding)
        assert header == list(DATASETS[dataset].column_names)
        assert any("\u4e00" <= ch <= "\u9fff" for row in rows[:20] for ch in "".join(row.values()))


def test_transactions_as_csv_read_back_alike(tmp_path):
    for fmt in ("parquet", "csv"):
        params = GeneratorParams(merchants=60, days=20, orders=3000, transactions_format=fmt)
        generate_market(params, tmp_path / fmt / "feed", tmp_path / fmt / "truth")
    con = duckdb.connect()
    from_parquet = con.execute(
        f"select * from read_parquet('{tmp_path}/parquet/feed/transactions_*.parquet')"
    ).fetchall()
    from_csv = con.execute(
        f"select * from read_csv('{tmp_path}/csv/feed/transactions_*.csv', types={{'order_id': 'varchar', 'amount': 'decimal(12,2)'}})"
    ).fetchall()
    assert len(from_csv) == len(from_parquet) > 0
    assert [str(v) for v in from_csv[0]] == [str(v) for v in from_parquet[0]]


def test_cli_help_and_bad_params(tmp_path):
    root = Path(__file__).resolve().parents[2]
    top = subprocess.run(
        [sys.executable, "-m", "pipelines", "--help"], capture_output=True, text=True, cwd=root
    )
    assert top.returncode == 0 and "generate" in top.stdout
    sub = subprocess.run(
        [sys.executable, "-m", "pipelines", "generate", "--help"], capture_output=True, text=True, cwd=root
    )
    assert sub.returncode == 0 and "--truth" in sub.stdout and "--camouflage" in sub.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines",
            "generate",
            "--out",
            str(tmp_path / "f"),
            "--truth",
            str(tmp_path / "t"),
            "--merchants",
            "5",
        ],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert bad.returncode == 2 and "merchants must be at least 20" in bad.stderr


@pytest.mark.parametrize("days", [1, 5, 13])
def test_short_periods_generate(tmp_path, days):
    params = GeneratorParams(merchants=40, days=days, orders=2000, ring_workers=(5, 9))
    summary = generate_market(params, tmp_path / "feed", tmp_path / "truth")
    assert summary.rows["transactions"] > 0
