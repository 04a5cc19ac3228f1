"""Evaluation against the ground truth: ranking metrics, baselines, rings, hard negatives (pipelines/evaluate.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.evaluate import (
    evaluate_warehouse,
    hard_negative_report,
    random_expectation,
    ranking_metrics,
    render_text,
    report_json,
    ring_report,
)
from tests.unit.test_watchlist import create_risk_table
from warehouse.ddl import ensure_tables

PIPELINES_DIR = Path(__file__).resolve().parents[2] / "pipelines"
RUN = "S20260301T000000Z-bbbb0002"

# platform, merchant, shop name, credit code, risk, fraud, fake_trade, after_sales, license, level
MERCHANTS = [
    ("P01", "A", "甲店", None, 90.0, 80.0, 10.0, 10.0, 10.0, "high"),
    ("P01", "B", "乙店", None, 80.0, 10.0, 95.0, 10.0, 10.0, "high"),
    ("P01", "C", "丙店", None, 70.0, 70.0, 10.0, 10.0, 10.0, "medium"),
    ("P01", "D", "丁店", None, 60.0, 10.0, 10.0, 90.0, 10.0, "medium"),
    ("P01", "E", "戊店", None, 50.0, 10.0, 10.0, 10.0, 10.0, "low"),
    ("P02", "F", "己店", None, 40.0, 10.0, 10.0, 10.0, 99.0, "low"),
    ("P02", "G", "庚店", None, 30.0, 60.0, 60.0, 10.0, 10.0, "low"),
    ("P02", "H", "辛店", None, 20.0, 10.0, 10.0, 10.0, 10.0, "low"),
]
# The staged data the baselines read: C is the big shop; H has one buyer ordering three
# times within the hour; F's credit code fails; A has two staged complaints (one without platform)
# and one matched from the shop name alone.
STAGED_SQL = """
insert into stg_merchants (merchant_id, platform_id, shop_name, is_credit_code_valid, _load_id, _source_file)
select m, p, m, m <> 'F', 'L1', 'merchants.csv'
from (values ('P01', 'A'), ('P01', 'B'), ('P01', 'C'), ('P01', 'D'), ('P01', 'E'),
             ('P02', 'F'), ('P02', 'G'), ('P02', 'H')) as v(p, m);

insert into stg_transactions (order_id, platform_id, merchant_id, buyer_id, ordered_at, amount, status,
                              _load_id, _source_file)
values
    ('o1', 'P01', 'C', 'b1', timestamp '2026-05-01 10:00', 5000, 'completed', 'L1', 't.csv'),
    ('o2', 'P01', 'C', 'b2', timestamp '2026-05-01 10:10', 5000, 'completed', 'L1', 't.csv'),
    ('o3', 'P01', 'A', 'b3', timestamp '2026-05-01 11:00', 300, 'completed', 'L1', 't.csv'),
    ('o4', 'P02', 'H', 'b4', timestamp '2026-05-02 09:00', 10, 'completed', 'L1', 't.csv'),
    ('o5', 'P02', 'H', 'b4', timestamp '2026-05-02 09:20', 10, 'completed', 'L1', 't.csv'),
    ('o6', 'P02', 'H', 'b4', timestamp '2026-05-02 09:50', 10, 'completed', 'L1', 't.csv'),
    ('o7', 'P02', 'G', 'b5', timestamp '2026-05-02 09:00', 900, 'completed', 'L1', 't.csv');

insert into stg_complaints (complaint_id, received_at, platform_id, merchant_id, description, status,
                            _load_id, _source_file)
values
    ('c1', timestamp '2026-05-03', 'P01', 'A', '虚假宣传', 'open', 'L1', 'c.csv'),
    ('c2', timestamp '2026-05-03', null, 'A', '货不对板', 'open', 'L1', 'c.csv'),
    ('c3', timestamp '2026-05-03', 'P02', 'G', '质量差', 'resolved', 'L1', 'c.csv'),
    ('c4', timestamp '2026-05-03', null, null, '店名投诉', 'open', 'L1', 'c.csv'),
    ('c5', timestamp '2026-05-04', null, null, '甲店骗人', 'open', 'L1', 'c.csv');

create table out_complaints (run_id varchar, complaint_id varchar, platform_id varchar, merchant_id varchar,
                             match_method varchar);
insert into out_complaints values
    ($run, 'c1', 'P01', 'A', 'given'),
    ($run, 'c4', 'P01', 'E', 'fuzzy'),
    ($run, 'c5', 'P01', 'A', 'exact'),
    ('S-older', 'c4', 'P01', 'D', 'fuzzy');

create table out_ring_members (run_id varchar, ring_id varchar, platform_id varchar, member_type varchar,
                               member_id varchar, order_count bigint);
insert into out_ring_members values
    ($run, 'X1', 'P01', 'buyer', 'u1', 1), ($run, 'X1', 'P01', 'buyer', 'u2', 1),
    ($run, 'X1', 'P01', 'buyer', 'u9', 1), ($run, 'X1', 'P01', 'shop', 'B', 2),
    ($run, 'X1', 'P01', 'shop', 'E', 1), ('S-older', 'X0', 'P02', 'buyer', 'u4', 3);
"""
LABELS_CSV = """platform_id,merchant_id,shop_name,harm,pattern,intensity
P01,A,甲店,fraud,false_advertising,0.5
P01,B,乙店,fake_trade,crowd_ring,0.2
P01,D,丁店,after_sales,slow_refund,0.9
P02,F,己店,license,missing_code,0
P02,H,辛店,fake_trade,private_ring,0.3
P02,H,辛店,fraud,counterfeit,0.1
P02,Z,壬店,license,out_of_scope,0.4
"""
RINGS_CSV = """ring_id,ring_type,platform_id,member_type,member_id,start_at,end_at
R001,crowd_ring,P01,buyer,u1,2026-05-01 00:00:00,2026-05-15 00:00:00
R001,crowd_ring,P01,buyer,u2,2026-05-01 00:00:00,2026-05-15 00:00:00
R001,crowd_ring,P01,buyer,u3,2026-05-01 00:00:00,2026-05-15 00:00:00
R001,crowd_ring,P01,shop,B,2026-05-01 00:00:00,2026-05-15 00:00:00
R002,private_ring,P02,buyer,u4,2026-05-01 00:00:00,2026-05-15 00:00:00
R002,private_ring,P02,shop,H,2026-05-01 00:00:00,2026-05-15 00:00:00
"""
HARD_NEGATIVES_CSV = """platform_id,merchant_id,kind
P01,C,big_shop
P02,G,viral_burst
"""


def build_warehouse(path: Path, merchants: list[tuple] = MERCHANTS, run_id: str = RUN) -> Path:
    """A scored warehouse file: staged tables from the contract schema, the run's out_ tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_tables(con)
    create_risk_table(con, "out_merchant_risk", run_id, merchants)
    for statement in STAGED_SQL.split(";"):
        if statement.strip():
            params = {"run": run_id} if "$run" in statement else {}
            con.execute(statement, params)
    con.close()
    return path


def write_truth(folder: Path) -> Path:
    """A truth folder as the generator writes it, outside any feed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "merchant_labels.csv").write_text(LABELS_CSV, encoding="utf-8")
    (folder / "rings.csv").write_text(RINGS_CSV, encoding="utf-8")
    (folder / "hard_negatives.csv").write_text(HARD_NEGATIVES_CSV, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("evaluate")
    return build_warehouse(root / "warehouse" / "market.duckdb"), write_truth(root / "truth")


@pytest.fixture(scope="module")
def report(scored: tuple[Path, Path]) -> dict:
    db, truth = scored
    return evaluate_warehouse(db, truth)


def ranking(scores: list[float], positives: list[int], keys: list[str] | None = None) -> pd.DataFrame:
    keys = keys or [f"M{i:02d}" for i in range(len(scores))]
    return pd.DataFrame(
        {
            "platform_id": "P01",
            "merchant_id": keys,
            "score": scores,
            "is_positive": [bool(p) for p in positives],
        }
    )


# Hand-computed: AP is the mean, over positives, of the precision at each positive's rank.
@pytest.mark.parametrize(
    ("positives", "expected"),
    [
        (
            [1, 0, 1, 0, 0, 1],
            {
                "precision_at_1": 1.0,
                "precision_at_2": 0.5,
                "precision_at_3": 2 / 3,
                "recall_at_3": 2 / 3,
                "pr_auc": (1 + 2 / 3 + 3 / 6) / 3,
                "roc_auc": 5 / 9,  # positives beat 3, 2 and 0 of the 3 negatives
            },
        ),
        ([1, 1, 0, 0], {"precision_at_1": 1.0, "precision_at_3": 2 / 3, "recall_at_2": 1.0, "pr_auc": 1.0}),
        (
            [0, 0, 1],
            {"precision_at_1": 0.0, "recall_at_2": 0.0, "recall_at_3": 1.0, "pr_auc": 1 / 3, "roc_auc": 0.0},
        ),
        ([0, 1], {"precision_at_3": 0.5, "recall_at_3": 1.0, "pr_auc": 0.5}),  # k > n: divide by n
        ([0, 0, 0], {"precision_at_1": 0.0, "recall_at_1": None, "pr_auc": None, "roc_auc": None}),
    ],
)
def test_ranking_metrics_hand_computed(positives: list[int], expected: dict) -> None:
    scores = [float(len(positives) - i) for i in range(len(positives))]  # already in rank order
    metrics = ranking_metrics(ranking(scores, positives), "score", "is_positive", ks=(1, 2, 3))
    for name, value in expected.items():
        assert metrics[name] == (None if value is None else pytest.approx(value)), name


def test_ties_at_the_cutoff_are_broken_by_the_key_whatever_the_row_order() -> None:
    frame = ranking([5.0, 5.0, 5.0, 1.0], [1, 0, 0, 1], keys=["M3", "M1", "M2", "M0"])
    metrics = ranking_metrics(frame, "score", "is_positive", ks=(1, 2, 3))
    assert (metrics["precision_at_1"], metrics["precision_at_3"]) == (0.0, pytest.approx(1 / 3))
    for seed in range(5):
        shuffled = frame.sample(frac=1, random_state=seed)
        assert ranking_metrics(shuffled, "score", "is_positive", ks=(1, 2, 3)) == metrics


def test_random_expectation_is_the_prevalence() -> None:
    expected = random_expectation(5, 15, ks=(10, 50))
    assert expected["precision_at_10"] == expected["pr_auc"] == 0.25
    assert (expected["recall_at_10"], expected["recall_at_50"], expected["roc_auc"]) == (0.5, 1.0, 0.5)


def test_ring_precision_and_recall_on_a_tiny_case() -> None:
    predicted = pd.DataFrame(
        [("P01", "buyer", "u1"), ("P01", "buyer", "u2"), ("P01", "buyer", "u9"), ("P01", "shop", "B")],
        columns=["platform_id", "member_type", "member_id"],
    )
    truth = pd.DataFrame(
        [
            ("R1", "crowd_ring", "P01", "buyer", "u1"),
            ("R1", "crowd_ring", "P01", "buyer", "u2"),
            ("R1", "crowd_ring", "P01", "buyer", "u3"),
            ("R1", "crowd_ring", "P01", "shop", "B"),
            ("R2", "private_ring", "P02", "buyer", "u1"),  # same id on another platform: another account
        ],
        columns=["ring_id", "ring_type", "platform_id", "member_type", "member_id"],
    )
    rings = ring_report(predicted, truth)
    buyers = rings["buyer"]
    assert (buyers["overall"]["precision"], buyers["overall"]["recall"]) == (
        pytest.approx(2 / 3, abs=1e-4),
        0.5,
    )
    by_type = buyers["by_ring_type"]
    assert by_type["crowd_ring"]["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert by_type["private_ring"]["recall"] == 0.0
    assert (rings["shop"]["overall"]["precision"], rings["shop"]["overall"]["recall"]) == (1.0, 1.0)


def test_hard_negatives_counted_inside_the_top_list_only() -> None:
    merchants = pd.DataFrame({"platform_id": "P01", "merchant_id": [f"M{i:03d}" for i in range(150)]})
    for column in ("risk_score", "fraud_score", "fake_trade_score", "after_sales_score", "license_score"):
        merchants[column] = [150.0 - i for i in range(150)]
    negatives = pd.DataFrame(
        [("P01", "M004", "big_shop"), ("P01", "M120", "viral_burst"), ("P01", "M049", "viral_burst")],
        columns=["platform_id", "merchant_id", "kind"],
    )
    hard = hard_negative_report(merchants, negatives)
    assert hard["composite_top100"]["by_kind"] == {"big_shop": 1, "viral_burst": 1}
    assert hard["fraud_top50"]["count"] == 2 and hard["total"]["count"] == 3


def rows_of(report: dict, level: str, harm: str | None = None, pattern: str | None = None) -> dict[str, dict]:
    return {
        r["method"]: r
        for r in report["ranking"]
        if (r["level"], r["harm"], r["pattern"]) == (level, harm, pattern)
    }


@pytest.mark.parametrize(
    ("level", "harm", "pattern", "methods"),
    [
        ("composite", None, None, {"model", "random", "gmv", "complaints"}),
        ("harm", "fraud", None, {"model", "random", "gmv", "complaints", "rule"}),
        ("harm", "fake_trade", None, {"model", "random", "gmv", "complaints", "rule"}),
        ("harm", "after_sales", None, {"model", "random", "gmv", "complaints", "rule"}),
        ("harm", "license", None, {"model", "random", "gmv", "complaints", "rule"}),
        ("pattern", "fake_trade", "private_ring", {"model", "random", "gmv", "complaints", "rule"}),
        ("pattern", "license", "out_of_scope", {"model", "random", "gmv", "complaints", "rule"}),
    ],
)
def test_baseline_rows_beside_the_model(
    report: dict, level: str, harm: str, pattern: str, methods: set
) -> None:
    assert set(rows_of(report, level, harm, pattern)) == methods


def test_composite_counts_an_unscored_planted_shop_last(report: dict) -> None:
    model = rows_of(report, "composite")["model"]
    assert (model["positives"], model["negatives"], report["merchants"]) == (6, 3, 9)
    # risk order A B C D E F G H, then Z (not in the run): positives at ranks 1 2 4 6 8 9
    assert model["pr_auc"] == pytest.approx((1 + 1 + 3 / 4 + 4 / 6 + 5 / 8 + 6 / 9) / 6, abs=1e-4)
    assert model["precision_at_20"] == pytest.approx(6 / 9, abs=1e-4)
    assert any("not in the run" in note for note in report["notes"])


def test_pattern_rows_judge_against_unlabelled_shops_only(report: dict) -> None:
    crowd = rows_of(report, "pattern", "fake_trade", "crowd_ring")["model"]
    assert (crowd["positives"], crowd["negatives"], crowd["pr_auc"]) == (1, 3, 1.0)
    private = rows_of(report, "pattern", "fake_trade", "private_ring")
    # H ties C and E on fake_trade_score (10): one threshold for AP, last by key for P@k.
    assert (private["model"]["pr_auc"], private["model"]["roc_auc"]) == (0.25, pytest.approx(1 / 3, abs=1e-4))
    assert private["rule"]["flagged"] == 1 and private["rule"]["flag_precision"] == 1.0


def test_baselines_read_the_staged_data(report: dict) -> None:
    license_rule = rows_of(report, "harm", "license")["rule"]
    assert (license_rule["flagged"], license_rule["flag_precision"], license_rule["flag_recall"]) == (
        1,
        1.0,
        0.5,
    )
    fraud = rows_of(report, "harm", "fraud")
    assert fraud["complaints"]["precision_at_20"] == pytest.approx(2 / 9, abs=1e-4)
    # A alone on top (3 complaints); H is among the six with none: one threshold at 2/9.
    assert fraud["complaints"]["pr_auc"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 9, abs=1e-4)
    assert rows_of(report, "composite")["gmv"]["precision_at_20"] == pytest.approx(6 / 9, abs=1e-4)
    # A: two staged complaints (one without platform_id) plus one matched by shop name.
    assert any("2 shop-name matches from out_complaints" in note for note in report["notes"])


def test_rings_and_hard_negatives_in_the_report(report: dict) -> None:
    assert report["ring_run_id"] == RUN
    buyers, shops = report["rings"]["buyer"], report["rings"]["shop"]
    assert (buyers["overall"]["precision"], buyers["overall"]["recall"]) == (0.6667, 0.5)
    assert buyers["by_ring_type"]["private_ring"] == {
        "found": 1,
        "planted": 1,
        "true_positives": 0,
        "precision": 0.0,
        "recall": 0.0,
    }
    assert (shops["overall"]["precision"], shops["by_ring_type"]["crowd_ring"]["recall"]) == (0.5, 1.0)
    hard = report["hard_negatives"]
    assert hard["composite_top100"]["by_kind"] == {"big_shop": 1, "viral_burst": 1}
    assert hard["fraud_top50"]["merchants"] == ["P01/C:big_shop", "P02/G:viral_burst"]


def test_evaluate_reads_the_truth_only_from_its_own_folder_and_leaves_the_warehouse_unchanged(
    scored: tuple[Path, Path], report: dict
) -> None:
    db, truth = scored
    assert truth not in db.parents and db.parent not in truth.parents  # two separate folders
    con = duckdb.connect(str(db), read_only=True)
    tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
    con.close()
    assert not {"merchant_labels", "rings", "hard_negatives"} & tables  # the warehouse never holds the truth
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert report_json(evaluate_warehouse(db, truth)) == report_json(report)  # deterministic
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # read-only


def test_no_other_pipeline_module_reads_the_truth() -> None:
    truth_names = ("merchant_labels.csv", "rings.csv", "hard_negatives.csv")
    readers = {
        str(path.relative_to(PIPELINES_DIR))
        for path in PIPELINES_DIR.rglob("*.py")
        if "demo_market" not in path.parts  # the generator writes the truth
        and any(name in path.read_text(encoding="utf-8") for name in truth_names)
    }
    assert readers <= {"evaluate.py", "commands/evaluate.py"}  # the command's --help names the files


def test_json_has_stable_keys(report: dict) -> None:
    document = json.loads(report_json(report))
    assert set(document) == {
        "run_id",
        "risk_table",
        "truth_dir",
        "merchants",
        "planted_merchants",
        "ks",
        "ranking",
        "rings",
        "ring_run_id",
        "hard_negatives",
        "notes",
    }
    assert {tuple(sorted(row)) for row in document["ranking"]} == {
        tuple(
            sorted(
                [
                    "level",
                    "harm",
                    "pattern",
                    "method",
                    "method_label",
                    "positives",
                    "negatives",
                    "pr_auc",
                    "roc_auc",
                ]
                + [f"{m}_at_{k}" for m in ("precision", "recall") for k in (20, 50, 100)]
                + ["flagged", "flag_precision", "flag_recall"]
            )
        )
    }


def test_text_report_shows_the_model_beside_the_baselines(report: dict) -> None:
    text = render_text(report)
    for expected in (
        "random (expected)",
        "GMV",
        "complaint count",
        "rule: credit code",
        "Rings",
        "Hard negatives",
    ):
        assert expected in text


def test_cli_prints_one_json_document(scored: tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    db, truth = scored
    assert main(["evaluate", "--db", str(db), "--truth", str(truth), "--run", RUN, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] == RUN


@pytest.mark.parametrize("case", ["no truth folder", "no such run", "no warehouse"])
def test_cli_errors(scored: tuple[Path, Path], tmp_path: Path, case: str) -> None:
    db, truth = scored
    argv = {
        "no truth folder": ["--db", str(db), "--truth", str(tmp_path / "missing")],
        "no such run": ["--db", str(db), "--truth", str(truth), "--run", "S-nope"],
        "no warehouse": ["--db", str(tmp_path / "none.duckdb"), "--truth", str(truth)],
    }[case]
    assert main(["evaluate", *argv]) == 1


def test_cli_help(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "--help"])
    assert exit_info.value.code == 0
    assert "--truth" in capsys.readouterr().out
