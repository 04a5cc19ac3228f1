"""out_complaints on tiny inline data: given categories kept, blanks predicted, shops matched, no personal data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
from threadpoolctl import threadpool_limits

from pipelines.complaint_text import (
    build_out_complaints,
    category_model,
    complainant_key,
    ngrams_behind_prediction,
    normalise_phone,
    top_ngrams_per_class,
)
from pipelines.params import ComplaintTextParams
from warehouse.ddl import ensure_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "pipelines.md"
# Small enough for 30 labelled complaints; min_df 1 because every phrase is rare here.
PARAMS = ComplaintTextParams(min_training_complaints=20, min_df=1, holdout_share=0.3)

PHRASES = {
    "non_delivery": ("付款后一直没有发货", "下单很久商家迟迟不发货", "物流信息一直不更新也不发货"),
    "counterfeit": ("收到的是假货高仿品", "品牌是假冒的根本不是正品", "鉴定结果是假货"),
    "refund_refused": ("申请退款被商家拒绝", "商家拒绝退款不给退", "退款申请一直被驳回拒绝"),
}
MERCHANTS = [
    ("M1", "P01", "悦颜美妆护肤旗舰店"),
    ("M2", "P01", "鲜丰食品专营店"),
    ("M9", "P02", "悦颜美妆护肤旗舰店"),
]
# complaint_id → (platform, merchant, shop name, category, description, name, phone)
UNLABELLED = {
    "U1": ("P01", "M2", None, None, "付款五天了还是没有发货", "王芳", "13800138000"),
    "U2": ("P01", None, "悦颜美妆护肤", None, "买到的是假货，高仿品", "李娜", "138 0013 8000"),
    "U3": ("P02", None, "悦颜美妆护肤旗舰店", None, "商家拒绝退款，申请被驳回", "张伟", None),
    "U4": (None, None, None, None, "付款后商家一直不发货", None, None),
}
# Given categories that the text contradicts: they stay as given.
CONTRADICTED = {
    "G1": ("P01", "M1", None, "quality", "付款后一直没有发货", "赵敏", "+86 139 0000 1111"),
    "G2": ("P01", None, "鲜丰食品", "price", "收到的是假货高仿品", "孙丽", "13900001111"),
}


def _labelled() -> dict[str, tuple]:
    rows = {}
    for category, phrases in PHRASES.items():
        for i in range(10):
            text = f"{phrases[i % 3]}，订单{i + 1}号，金额{10 * (i + 1)}元。"
            rows[f"L-{category}-{i:02d}"] = ("P01", "M1", None, category, text, f"顾客{i}", f"1370000{i:04d}")
    return rows


def stage(con: duckdb.DuckDBPyConnection, complaints: dict[str, tuple]) -> None:
    """Fill stg_merchants and stg_complaints from inline rows (values bound, never formatted)."""
    ensure_tables(con)
    con.execute("delete from stg_complaints")
    con.execute("delete from stg_merchants")
    con.executemany(
        "insert into stg_merchants (merchant_id, platform_id, shop_name, is_credit_code_valid, _load_id, _source_file)"
        " values (?, ?, ?, false, 'L1', 'merchants.csv')",
        MERCHANTS,
    )
    con.executemany(
        "insert into stg_complaints (complaint_id, received_at, platform_id, merchant_id, shop_name, category,"
        " description, consumer_name, consumer_phone, status, _load_id, _source_file)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 'L1', 'complaints.csv')",
        [(cid, dt.datetime(2026, 6, 1), *row) for cid, row in complaints.items()],
    )


def build(con: duckdb.DuckDBPyConnection, params: ComplaintTextParams = PARAMS, run_id: str = "S1") -> dict:
    with threadpool_limits(1):
        return build_out_complaints(con, params, run_id)


@pytest.fixture(scope="module")
def built():
    con = duckdb.connect("")
    stage(con, {**_labelled(), **UNLABELLED})
    metrics = build(con)
    out = con.execute("select * from out_complaints order by complaint_id").df().set_index("complaint_id")
    return con, metrics, out


def _documented_columns() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### `out_complaints`", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| ([a-z_]+) \| ([a-z0-9(),]+) \|", section, flags=re.MULTILINE)
    return [row for row in rows if row != ("column", "type")]


def test_columns_are_the_documented_ones(built):
    con, _, _ = built
    actual = con.execute(
        "select column_name, lower(data_type) from duckdb_columns() where table_name = 'out_complaints'"
        " order by column_index"
    ).fetchall()
    assert actual == _documented_columns()


def test_one_row_per_staged_complaint_with_the_run_id(built):
    con, metrics, out = built
    assert (
        len(out) == con.execute("select count(*) from stg_complaints").fetchone()[0] == metrics["complaints"]
    )
    assert set(out.run_id) == {"S1"}


def test_no_personal_data_is_copied(built):
    con, _, out = built
    assert not [c for c in out.columns if c.startswith("consumer_")]
    people = con.execute("select consumer_name, consumer_phone from stg_complaints").fetchall()
    cells = " ".join(str(v) for v in out.reset_index().to_numpy().ravel())
    digits = re.sub(r"\D", "", cells)
    for name, phone in people:
        assert name is None or name not in cells
        assert phone is None or normalise_phone(phone) not in digits


def test_given_categories_are_never_overwritten(built):
    con, _, out = built
    given = dict(
        con.execute("select complaint_id, category from stg_complaints where category is not null").fetchall()
    )
    kept = out.loc[list(given)]
    assert kept.category.to_dict() == given
    assert set(kept.category_source) == {"given"}
    assert set(kept.category_confidence) == {1.0}


def test_a_given_category_stays_even_where_the_text_says_otherwise():
    con = duckdb.connect("")
    stage(con, {**_labelled(), **UNLABELLED, **CONTRADICTED})
    build(con)
    out = con.execute("select * from out_complaints where complaint_id like 'G%' order by complaint_id").df()
    assert out.category.tolist() == ["quality", "price"]
    assert out.category_source.tolist() == ["given", "given"]
    assert (out.platform_id.tolist(), out.merchant_id.tolist()) == (["P01", "P01"], ["M1", "M2"])


@pytest.mark.parametrize(
    ("complaint_id", "category"), [("U1", "non_delivery"), ("U2", "counterfeit"), ("U3", "refund_refused")]
)
def test_predicted_categories_fill_the_blanks(built, complaint_id, category):
    _, _, out = built
    row = out.loc[complaint_id]
    assert (row.category, row.category_source) == (category, "predicted")
    assert 0 < row.category_confidence < 1


def test_only_blank_categories_are_predicted(built):
    _, metrics, out = built
    predicted = out[out.category_source == "predicted"]
    assert sorted(predicted.index) == sorted(UNLABELLED)
    assert metrics["classifier"]["n_predicted"] == len(UNLABELLED)


@pytest.mark.parametrize(
    ("complaint_id", "platform_id", "merchant_id", "method"),
    [
        ("U1", "P01", "M2", "given"),
        ("U2", "P01", "M1", "exact"),  # suffix dropped, phone written with blanks
        ("U3", "P02", "M9", "exact"),  # same name on P01: the complaint's platform decides
        ("U4", None, None, "unmatched"),
    ],
)
def test_shops_are_matched(built, complaint_id, platform_id, merchant_id, method):
    _, _, out = built
    row = out.loc[complaint_id].where(out.loc[complaint_id].notna(), None)
    assert (row.platform_id, row.merchant_id, row.match_method) == (platform_id, merchant_id, method)


def test_metrics_report_the_classifier_and_the_matches(built):
    _, metrics, _ = built
    classifier = metrics["classifier"]
    assert classifier["status"] == "trained"
    assert 0 <= classifier["macro_f1"] <= 1 and 0 <= classifier["accuracy"] <= 1
    assert set(classifier["per_class_f1"]) <= set(PHRASES)
    assert classifier["n_train"] + classifier["n_holdout"] == classifier["n_labelled"] == 30
    assert metrics["matching"] == {
        "given": 31,
        "exact": 2,
        "fuzzy": 0,
        "unmatched": 1,
        "unmatched_by_reason": {"no_shop_name": 1, "ambiguous": 0, "below_threshold": 0},
        "matched_across_platforms": 0,
    }
    assert {"read", "classify", "match", "write", "total"} <= set(metrics["seconds"])


def test_same_data_and_params_give_the_same_table(built):
    con, _, out = built
    build(con, run_id="S2")
    again = con.execute("select * from out_complaints order by complaint_id").df().set_index("complaint_id")
    assert set(again.run_id) == {"S2"}
    assert again.drop(columns="run_id").equals(out.drop(columns="run_id"))


@pytest.mark.parametrize(
    ("labelled", "min_training", "reason"),
    [
        ({k: v for k, v in _labelled().items() if k.endswith(("00", "01"))}, 20, "fewer than min_training"),
        ({k: v for k, v in _labelled().items() if "counterfeit" in k}, 5, "1 category"),
    ],
    ids=["too_few", "one_category"],
)
def test_without_enough_labels_nothing_is_predicted(labelled, min_training, reason):
    con = duckdb.connect("")
    stage(con, {**labelled, **UNLABELLED})
    metrics = build(con, dataclasses.replace(PARAMS, min_training_complaints=min_training))
    out = con.execute("select * from out_complaints order by complaint_id").df().set_index("complaint_id")
    blank = out.loc[list(UNLABELLED)]
    assert blank.category.isna().all()
    assert set(blank.category_source) == {"unclassified"}
    assert blank.category_confidence.isna().all()
    assert metrics["classifier"]["status"] == "skipped"
    assert reason in metrics["classifier"]["reason"]
    assert set(out.drop(index=list(UNLABELLED)).category_source) == {"given"}


def test_top_ngrams_explain_each_class(built):
    _, metrics, _ = built
    texts, labels = zip(*[(row[4], row[3]) for row in _labelled().values()], strict=True)
    with threadpool_limits(1):
        model = category_model(PARAMS).fit(list(texts), list(labels))
    top = top_ngrams_per_class(model, 5)
    assert set(top) == set(PHRASES)
    assert any("发货" in ngram for ngram, _ in top["non_delivery"])
    assert any("假" in ngram for ngram, _ in top["counterfeit"])
    assert all(weight > 0 for ngrams in top.values() for _, weight in ngrams)
    behind = ngrams_behind_prediction(model, "一直没有发货", 3)
    assert len(behind) == 3 and all(ngram in "一直没有发货" for ngram, _ in behind)
    assert set(metrics["classifier"]["top_ngrams"]) == set(PHRASES)


# --- complainant key ---------------------------------------------------------------------

SALT = "complainant-v1"


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "0086 13800138000",
        "１３８００１３８０００",
    ],
)
def test_the_same_phone_gives_the_same_key_whatever_its_formatting(phone):
    assert complainant_key(phone, "王芳", SALT) == complainant_key("13800138000", None, SALT)


def test_the_key_is_stable_and_is_not_the_phone():
    key = complainant_key("13800138000", None, SALT)
    # Pinned: a new scheme would split every repeat complainant across runs.
    assert key == complainant_key("13800138000", None, SALT)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert "13800138000" not in key
    assert key == "4035061f08e5d9430f743c4e1701ad3209b96632a63be10db29ca0fe67e0a841"


@pytest.mark.parametrize(
    ("phone", "name", "other_phone", "other_name", "same"),
    [
        ("13800138000", "王芳", "13800138000", "李娜", True),  # the phone decides
        ("13800138000", None, "13900139000", None, False),
        (None, "王芳", None, "王 芳", True),  # no phone: the name, blanks ignored
        (None, "王芳", None, "李娜", False),
        ("", "王芳", None, "王芳", True),  # an empty phone is no phone
        ("13800138000", None, None, "13800138000", False),  # a name never collides with a phone
    ],
)
def test_key_cases(phone, name, other_phone, other_name, same):
    assert (complainant_key(phone, name, SALT) == complainant_key(other_phone, other_name, SALT)) is same


@pytest.mark.parametrize(("phone", "name"), [(None, None), ("", "  "), ("--", None)])
def test_no_phone_and_no_name_gives_no_key(phone, name):
    assert complainant_key(phone, name, SALT) is None


def test_another_salt_gives_another_key():
    assert complainant_key("13800138000", None, SALT) != complainant_key("13800138000", None, "other")
