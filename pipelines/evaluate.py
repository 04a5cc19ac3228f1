"""Measure a scoring run against the generator's ground truth — the only code in the project that reads it.

Everything else in pipelines/ sees the feed alone; the truth folder lies outside it
(docs/demo-market.md). See shared DETECTION.md, "Evaluation protocol", for what is reported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from pipelines.watchlist import HARMS, RISK_TABLES, resolve_run, table_exists
from warehouse.publish import connect_readonly

LABELS_FILE, RINGS_FILE, HARD_NEGATIVES_FILE = "merchant_labels.csv", "rings.csv", "hard_negatives.csv"
KEY = ["platform_id", "merchant_id"]
KS = (20, 50, 100)  # inspector capacity (DETECTION.md)
COMPOSITE_SCORE = "risk_score"
HARM_SCORES = {harm: f"{harm}_score" for harm in HARMS}
HARD_NEGATIVE_TOP = {"composite": 100, "harm": 50}
DIGITS = 4  # rounding of reported metrics

# Baselines beside the model. A rule is a single yes/no test on the staged data: its
# merchants are ranked by the measured value and flagged at the threshold (design
# assumptions, not tuned on any seed; see DETECTION.md's "single rules").
BURST_WINDOW_RATIO = 3.0  # orders ÷ unique buyers within one hour (Shopee order brushing)
FRAUD_REFUND_SHARE = 0.05  # share of orders refunded as not-as-described or not-received
FRAUD_MIN_ORDERS = 20  # below this a share says nothing
REFUSED_RETURN_SHARE = 0.3  # share of 7-day no-reason return requests rejected
REFUSED_MIN_REQUESTS = 5


@dataclass(frozen=True)
class Rule:
    """A single-rule baseline: the measure (SQL returning platform_id, merchant_id, value) and its flag."""

    harm: str
    label: str
    sql: str
    threshold: float
    needs: tuple[str, ...]  # tables the SQL reads


RULES = (
    Rule(
        "fake_trade",
        f"rule: orders/buyer in 1 h >= {BURST_WINDOW_RATIO:g}",
        """
        with
            windows as (
                select
                    t.platform_id,
                    t.merchant_id,
                    count(*) over hour_after as order_count,
                    count(distinct t.buyer_id) over hour_after as buyer_count
                from stg_transactions as t
                window hour_after as (
                    partition by t.platform_id, t.merchant_id
                    order by t.ordered_at
                    range between current row and interval 1 hour following
                )
            )
        select w.platform_id, w.merchant_id, max(w.order_count / w.buyer_count) as rule_value
        from windows as w
        group by w.platform_id, w.merchant_id
        """,
        BURST_WINDOW_RATIO,
        ("stg_transactions",),
    ),
    Rule(
        "fraud",
        f"rule: NAD/not-received refunds >= {FRAUD_REFUND_SHARE:.0%}",
        """
        select
            t.platform_id,
            t.merchant_id,
            case
                when count(*) >= $min_orders
                    then avg(case when t.refund_reason in ('not_as_described', 'not_received') then 1.0 else 0.0 end)
                else 0.0
            end as rule_value
        from stg_transactions as t
        group by t.platform_id, t.merchant_id
        """,
        FRAUD_REFUND_SHARE,
        ("stg_transactions",),
    ),
    Rule(
        "after_sales",
        f"rule: 7-day returns refused >= {REFUSED_RETURN_SHARE:.0%}",
        """
        select
            t.platform_id,
            t.merchant_id,
            case
                when count(*) filter (where t.refund_reason = 'no_reason_7day') >= $min_requests
                    then avg(case when t.refund_outcome = 'rejected' then 1.0 else 0.0 end)
                        filter (where t.refund_reason = 'no_reason_7day')
                else 0.0
            end as rule_value
        from stg_transactions as t
        group by t.platform_id, t.merchant_id
        """,
        REFUSED_RETURN_SHARE,
        ("stg_transactions",),
    ),
    Rule(
        "license",
        "rule: credit code missing/invalid",
        """
        select
            m.platform_id,
            m.merchant_id,
            case when m.is_credit_code_valid then 0.0 else 1.0 end as rule_value
        from stg_merchants as m
        """,
        1.0,
        ("stg_merchants",),
    ),
)
RULE_PARAMETERS = {"min_orders": FRAUD_MIN_ORDERS, "min_requests": REFUSED_MIN_REQUESTS}

# {table} only ever comes from RISK_TABLES (see pipelines/watchlist.py); the run id is bound.
MODEL_SCORES_SQL = """
select
    m.platform_id,
    m.merchant_id,
    cast(m.risk_score as double) as risk_score,
    cast(m.fraud_score as double) as fraud_score,
    cast(m.fake_trade_score as double) as fake_trade_score,
    cast(m.after_sales_score as double) as after_sales_score,
    cast(m.license_score as double) as license_score
from {table} as m
where m.run_id = $run_id
"""
GMV_SQL = """
select t.platform_id, t.merchant_id, sum(cast(t.amount as double)) as gmv_cny
from stg_transactions as t
group by t.platform_id, t.merchant_id
"""
# Complaints that name the merchant; platform_id may be missing (matched on merchant_id then).
STG_COMPLAINTS_SQL = """
select c.platform_id, c.merchant_id, count(*) as complaint_count
from stg_complaints as c
where c.merchant_id is not null
group by c.platform_id, c.merchant_id
"""
# Complaints the run matched from the shop name alone; 'given' ones are already counted above.
MATCHED_COMPLAINTS_SQL = """
select c.platform_id, c.merchant_id, count(*) as complaint_count
from out_complaints as c
where c.run_id = $run_id and c.match_method in ('exact', 'fuzzy') and c.merchant_id is not null
group by c.platform_id, c.merchant_id
"""
RING_MEMBERS_SQL = """
select distinct r.platform_id, r.member_type, r.member_id
from out_ring_members as r
where r.run_id = $run_id
"""


@dataclass(frozen=True)
class Truth:
    """The generator's ground truth: planted labels, rings (if any) and hard negatives (if any)."""

    labels: pd.DataFrame  # platform_id, merchant_id, harm, pattern
    rings: pd.DataFrame | None  # ring_id, ring_type, platform_id, member_type, member_id
    hard_negatives: pd.DataFrame | None  # platform_id, merchant_id, kind


def read_truth(truth_dir: Path | str) -> Truth:
    """Read the truth folder; FileNotFoundError if merchant_labels.csv is missing (the others are optional)."""
    truth_dir = Path(truth_dir)
    labels_path = truth_dir / LABELS_FILE
    if not labels_path.exists():
        raise FileNotFoundError(f"no {LABELS_FILE} in {truth_dir}: is this a truth folder?")

    def read(name: str, columns: Sequence[str]) -> pd.DataFrame | None:
        path = truth_dir / name
        if not path.exists():
            return None
        # Ids are text ("P01", "M000123"): never let pandas guess numbers or NaN.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{path} lacks column(s) {', '.join(missing)}")
        return frame[list(columns)]

    return Truth(
        labels=read(LABELS_FILE, ["platform_id", "merchant_id", "harm", "pattern"]),
        rings=read(RINGS_FILE, ["ring_id", "ring_type", "platform_id", "member_type", "member_id"]),
        hard_negatives=read(HARD_NEGATIVES_FILE, ["platform_id", "merchant_id", "kind"]),
    )


def ranking_order(frame: pd.DataFrame, score: str) -> pd.DataFrame:
    """`frame` sorted by `score` descending, ties broken by the merchant key ascending (deterministic)."""
    return frame.sort_values([score, *KEY], ascending=[False, True, True], kind="mergesort")


def ranking_metrics(
    frame: pd.DataFrame, score: str, positive: str, ks: Sequence[int] = KS
) -> dict[str, float | int | None]:
    """Precision@k, recall@k, average precision and ROC-AUC of ranking `frame` by `score` against `positive`.

    Precision@k divides by min(k, merchants): with fewer merchants than k the whole list is
    inspected. Average precision and ROC-AUC come from sklearn on the scores themselves, so
    tied merchants count as one threshold whatever their order; only precision@k and
    recall@k cut a tie, by the merchant key.
    """
    ordered = ranking_order(frame, score)
    y = ordered[positive].to_numpy(dtype=bool)
    scores = ordered[score].to_numpy(dtype=float)
    n, positives = len(y), int(y.sum())
    hits = np.cumsum(y)
    result: dict[str, float | int | None] = {"positives": positives, "negatives": n - positives}
    for k in ks:
        found = int(hits[min(k, n) - 1]) if n else 0
        result[f"precision_at_{k}"] = found / min(k, n) if n else None
        result[f"recall_at_{k}"] = found / positives if positives else None
    result["pr_auc"] = float(average_precision_score(y, scores)) if positives else None
    result["roc_auc"] = float(roc_auc_score(y, scores)) if 0 < positives < n else None
    return result


def random_expectation(positives: int, negatives: int, ks: Sequence[int] = KS) -> dict:
    """What a random ranking scores on average: precision = prevalence, recall@k = k / n, ROC-AUC = 0.5."""
    n = positives + negatives
    prevalence = positives / n if n else None
    result: dict[str, float | int | None] = {"positives": positives, "negatives": negatives}
    for k in ks:
        result[f"precision_at_{k}"] = prevalence
        result[f"recall_at_{k}"] = min(k, n) / n if positives else None
    result["pr_auc"] = prevalence if positives else None
    result["roc_auc"] = 0.5 if 0 < positives < n else None
    return result


def flag_metrics(frame: pd.DataFrame, score: str, positive: str, threshold: float) -> dict:
    """How many merchants a rule flags (score ≥ threshold), and the flag's precision and recall."""
    flagged = frame[score] >= threshold
    true_flags = int((flagged & frame[positive]).sum())
    positives = int(frame[positive].sum())
    count = int(flagged.sum())
    return {
        "flagged": count,
        "flag_precision": true_flags / count if count else None,
        "flag_recall": true_flags / positives if positives else None,
    }


def fill_missing_scores(values: pd.Series) -> pd.Series:
    """Scores with gaps ranked last: below the lowest score (so the metrics never see NaN)."""
    values = values.astype(float)
    if values.isna().all():
        return values.fillna(0.0)
    return values.fillna(values.min() - 1.0)


def _merge_counts(universe: pd.DataFrame, counts: pd.DataFrame, column: str) -> pd.Series:
    """Per-merchant counts aligned to `universe`; rows without platform_id match on merchant_id alone."""
    # Sum first: counts may come from several sources (staged and matched complaints).
    with_platform = counts[counts["platform_id"].notna()].groupby(KEY, as_index=False)[column].sum()
    merged = universe[KEY].merge(with_platform, on=KEY, how="left")[column].fillna(0).to_numpy()
    without = counts[counts["platform_id"].isna()].groupby("merchant_id")[column].sum()
    if len(without):
        merged = merged + universe["merchant_id"].map(without).fillna(0).to_numpy()
    return pd.Series(merged, index=universe.index, dtype=float)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


def baseline_scores(
    con: duckdb.DuckDBPyConnection, universe: pd.DataFrame, run_id: str
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Baseline score columns for `universe`, their labels, and notes on what was skipped or used."""
    scores = pd.DataFrame(index=universe.index)
    labels: dict[str, str] = {}
    notes: list[str] = []
    if table_exists(con, "stg_transactions"):
        gmv = _frame(con, GMV_SQL)
        scores["gmv"] = _merge_counts(universe, gmv, "gmv_cny")
        labels["gmv"] = "GMV (sum of amount)"
    else:
        notes.append("GMV baseline skipped: no stg_transactions")
    if table_exists(con, "stg_complaints"):
        counts = _frame(con, STG_COMPLAINTS_SQL)
        source = "stg_complaints by merchant_id"
        if table_exists(con, "out_complaints"):
            matched = _frame(con, MATCHED_COMPLAINTS_SQL, {"run_id": run_id})
            counts = pd.concat([counts, matched], ignore_index=True)
            source += f" + {int(matched['complaint_count'].sum()):,} shop-name matches from out_complaints"
        else:
            source += " (no out_complaints: shop-name-only complaints not counted)"
        scores["complaints"] = _merge_counts(universe, counts, "complaint_count")
        labels["complaints"] = "complaint count (raw)"
        notes.append(f"complaint-count baseline: {source}")
    else:
        notes.append("complaint-count baseline skipped: no stg_complaints")
    for rule in RULES:
        missing = [t for t in rule.needs if not table_exists(con, t)]
        if missing:
            notes.append(f"{rule.harm} rule skipped: no {', '.join(missing)}")
            continue
        params = {k: v for k, v in RULE_PARAMETERS.items() if f"${k}" in rule.sql}
        values = _frame(con, rule.sql, params)
        column = f"rule_{rule.harm}"
        scores[column] = _merge_counts(universe, values, "rule_value")
        labels[column] = rule.label
    return scores, labels, notes


def _round(value: object) -> object:
    return round(value, DIGITS) if isinstance(value, float) else value


def _rows_for_target(
    frame: pd.DataFrame,
    level: str,
    harm: str | None,
    pattern: str | None,
    model_score: str,
    baseline_labels: dict[str, str],
) -> list[dict]:
    """The model's row and each applicable baseline's row for one target (frame has `is_positive`)."""
    target = {"level": level, "harm": harm, "pattern": pattern}
    no_flag = {"flagged": None, "flag_precision": None, "flag_recall": None}
    rows = [{**target, "method": "model", "method_label": f"model ({model_score})"}]
    rows[0].update(ranking_metrics(frame, model_score, "is_positive"))
    rows[0].update(no_flag)
    positives = int(frame["is_positive"].sum())
    random_row = {**target, "method": "random", "method_label": "random (expected)"}
    random_row.update(random_expectation(positives, len(frame) - positives))
    rows.append({**random_row, **no_flag})
    for column in ("gmv", "complaints"):
        if column in baseline_labels:
            row = {**target, "method": column, "method_label": baseline_labels[column]}
            row.update(ranking_metrics(frame, column, "is_positive"))
            rows.append({**row, **no_flag})
    rule = next((r for r in RULES if r.harm == harm), None)
    column = f"rule_{harm}"
    if rule is not None and column in baseline_labels:
        row = {**target, "method": "rule", "method_label": baseline_labels[column]}
        row.update(ranking_metrics(frame, column, "is_positive"))
        row.update(flag_metrics(frame, column, "is_positive", rule.threshold))
        rows.append(row)
    return [{k: _round(v) for k, v in row.items()} for row in rows]


def ranking_report(
    merchants: pd.DataFrame, labels: pd.DataFrame, baseline_labels: dict[str, str]
) -> list[dict]:
    """Rows of the ranking table: composite, each harm, each planted pattern; model and baselines each."""
    labelled = set(zip(labels["platform_id"], labels["merchant_id"], strict=True))
    keys = list(zip(merchants["platform_id"], merchants["merchant_id"], strict=True))
    rows: list[dict] = []

    def positives_of(subset: pd.DataFrame) -> pd.Series:
        members = set(zip(subset["platform_id"], subset["merchant_id"], strict=True))
        return pd.Series([k in members for k in keys], index=merchants.index)

    any_label = pd.Series([k in labelled for k in keys], index=merchants.index)
    rows += _rows_for_target(
        merchants.assign(is_positive=any_label), "composite", None, None, COMPOSITE_SCORE, baseline_labels
    )
    for harm in HARMS:
        frame = merchants.assign(is_positive=positives_of(labels[labels["harm"] == harm]))
        rows += _rows_for_target(frame, "harm", harm, None, HARM_SCORES[harm], baseline_labels)
    harm_order = {h: i for i, h in enumerate(HARMS)}
    patterns = labels[labels["harm"].isin(HARMS)][["harm", "pattern"]].drop_duplicates()
    for harm, pattern in sorted(patterns.itertuples(index=False), key=lambda p: (harm_order[p[0]], p[1])):
        has_pattern = positives_of(labels[(labels["harm"] == harm) & (labels["pattern"] == pattern)])
        # Negatives are the unlabelled shops only: another pattern's shop is neither.
        frame = merchants.assign(is_positive=has_pattern)[has_pattern | ~any_label]
        rows += _rows_for_target(frame, "pattern", harm, pattern, HARM_SCORES[harm], baseline_labels)
    return rows


def ring_report(predicted: pd.DataFrame, truth: pd.DataFrame) -> dict:
    """Buyer- and shop-level precision and recall of the found ring members, overall and per planted ring type.

    Per ring type, members of other planted ring types count neither way (as for patterns):
    precision = found of this type ÷ (found of this type + found in no planted ring).
    """
    report: dict[str, dict] = {}
    for member_type in ("buyer", "shop"):
        found = {
            (p, m)
            for p, t, m in predicted[["platform_id", "member_type", "member_id"]].itertuples(index=False)
            if t == member_type
        }
        of_type = truth[truth["member_type"] == member_type]
        planted = set(zip(of_type["platform_id"], of_type["member_id"], strict=True))
        false_found = len(found - planted)
        report[member_type] = {"overall": _set_metrics(found, planted, len(found)), "by_ring_type": {}}
        for ring_type in sorted(of_type["ring_type"].unique()):
            members = of_type[of_type["ring_type"] == ring_type]
            planted_type = set(zip(members["platform_id"], members["member_id"], strict=True))
            hits = len(found & planted_type)
            report[member_type]["by_ring_type"][ring_type] = _set_metrics(
                found, planted_type, hits + false_found
            )
    return report


def _set_metrics(found: set, planted: set, judged: int) -> dict:
    hits = len(found & planted)
    return {
        "found": judged,
        "planted": len(planted),
        "true_positives": hits,
        "precision": _round(hits / judged) if judged else None,
        "recall": _round(hits / len(planted)) if planted else None,
    }


def hard_negative_report(merchants: pd.DataFrame, hard_negatives: pd.DataFrame) -> dict:
    """How many hard negatives (and of which kinds) sit in the composite top 100 and each harm's top 50."""
    kinds = sorted(hard_negatives["kind"].unique())
    report: dict[str, dict] = {
        "total": {"count": len(hard_negatives), "by_kind": _kind_counts(hard_negatives, kinds)}
    }
    tops = [("composite", COMPOSITE_SCORE, HARD_NEGATIVE_TOP["composite"])]
    tops += [(harm, HARM_SCORES[harm], HARD_NEGATIVE_TOP["harm"]) for harm in HARMS]
    for name, score, k in tops:
        top = ranking_order(merchants, score).head(k)[KEY]
        caught = hard_negatives.merge(top, on=KEY, how="inner")
        report[f"{name}_top{k}"] = {
            "count": len(caught),
            "by_kind": _kind_counts(caught, kinds),
            "merchants": sorted(f"{p}/{m}:{kind}" for p, m, kind in caught.itertuples(index=False)),
        }
    return report


def _kind_counts(frame: pd.DataFrame, kinds: list[str]) -> dict[str, int]:
    counts = frame["kind"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in kinds}


def ring_run(con: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    """The run whose out_ring_members to judge: `run_id` if it wrote any, else the latest there; None if none."""
    if not table_exists(con, "out_ring_members"):
        return None
    row = con.execute(
        "select count(*) from out_ring_members as r where r.run_id = $run_id", {"run_id": run_id}
    ).fetchone()
    if row[0]:
        return run_id
    latest = con.execute("select max(r.run_id) from out_ring_members as r").fetchone()[0]
    return None if latest is None else str(latest)


def evaluate_run(con: duckdb.DuckDBPyConnection, truth_dir: Path | str, run_id: str | None = None) -> dict:
    """The evaluation of a run (the latest by default) against the truth folder, as a JSON-ready dict."""
    truth = read_truth(truth_dir)
    run_id, table = resolve_run(con, run_id)
    if table not in RISK_TABLES:
        raise ValueError(f"not a merchant-risk table: {table!r}")
    scored = _frame(con, MODEL_SCORES_SQL.format(table=table), {"run_id": run_id})
    labelled_keys = truth.labels[KEY].drop_duplicates()
    # A planted shop the run did not score still counts: it joins the ranking last.
    merchants = scored.merge(labelled_keys, on=KEY, how="outer", indicator="source")
    unscored = int((merchants["source"] == "right_only").sum())
    merchants = merchants.drop(columns="source").sort_values(KEY, kind="mergesort").reset_index(drop=True)
    for column in (COMPOSITE_SCORE, *HARM_SCORES.values()):
        merchants[column] = fill_missing_scores(merchants[column])
    baselines, baseline_labels, notes = baseline_scores(con, merchants, run_id)
    merchants = pd.concat([merchants, baselines], axis=1)
    if unscored:
        notes.append(f"{unscored} planted merchants are not in the run; ranked last")
    unknown_harms = sorted(set(truth.labels["harm"]) - set(HARMS))
    if unknown_harms:
        notes.append(f"labels with unknown harms ignored: {', '.join(unknown_harms)}")

    report: dict = {
        "run_id": run_id,
        "risk_table": table,
        "truth_dir": str(truth_dir),
        "merchants": len(merchants),
        "planted_merchants": len(labelled_keys),
        "ks": list(KS),
        "ranking": ranking_report(merchants, truth.labels, baseline_labels),
        "rings": None,
        "ring_run_id": None,
        "hard_negatives": None,
        "notes": notes,
    }
    if truth.rings is not None:
        ring_run_id = ring_run(con, run_id)
        if ring_run_id is None:
            notes.append("rings not judged: no out_ring_members")
        else:
            predicted = _frame(con, RING_MEMBERS_SQL, {"run_id": ring_run_id})
            report["ring_run_id"] = ring_run_id
            report["rings"] = ring_report(predicted, truth.rings)
            if ring_run_id != run_id:
                notes.append(f"rings judged on run {ring_run_id}: run {run_id} wrote no ring members")
    if truth.hard_negatives is not None:
        report["hard_negatives"] = hard_negative_report(merchants, truth.hard_negatives)
    return report


def evaluate_warehouse(db_path: Path | str, truth_dir: Path | str, run_id: str | None = None) -> dict:
    """Open the warehouse read-only and evaluate a run (see evaluate_run)."""
    con = connect_readonly(db_path)
    try:
        return evaluate_run(con, truth_dir, run_id)
    finally:
        con.close()


def report_json(report: dict) -> str:
    """The report as one JSON document with sorted keys (stable for machines and diffs)."""
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True)


def _fmt(value: object, width: int) -> str:
    if value is None:
        return "-".rjust(width)
    if isinstance(value, float):
        return f"{value:.3f}".rjust(width)
    return str(value).rjust(width)


def _target_name(row: dict) -> str:
    if row["level"] == "composite":
        return "composite (any label)"
    if row["level"] == "harm":
        return f"harm {row['harm']}"
    return f"  {row['harm']}/{row['pattern']}"


def render_text(report: dict) -> str:
    """The report as readable text tables: ranking with baselines, rings, hard negatives, notes."""
    ks = report["ks"]
    metric_keys = [f"precision_at_{k}" for k in ks] + [f"recall_at_{k}" for k in ks] + ["pr_auc", "roc_auc"]
    metric_heads = [f"P@{k}" for k in ks] + [f"R@{k}" for k in ks] + ["PR-AUC", "ROC-AUC"]
    lines = [
        f"Evaluation of scoring run {report['run_id']} ({report['risk_table']}) "
        f"against {report['truth_dir']}",
        f"{report['merchants']:,} merchants, {report['planted_merchants']:,} planted. "
        "Pattern rows: negatives are the unlabelled shops only.",
        "",
        f"{'target':<34} {'method':<38} {'pos':>5} {'neg':>6} "
        + " ".join(h.rjust(7) for h in metric_heads)
        + f" {'flagged':>7} {'flag P':>7} {'flag R':>7}",
    ]
    previous = None
    for row in report["ranking"]:
        name = _target_name(row)
        if name != previous and previous is not None:
            lines.append("")
        shown = name if name != previous else ""
        previous = name
        lines.append(
            f"{shown:<34} {row['method_label']:<38} {row['positives']:>5} {row['negatives']:>6} "
            + " ".join(_fmt(row[k], 7) for k in metric_keys)
            + " "
            + " ".join(_fmt(row[k], 7) for k in ("flagged", "flag_precision", "flag_recall"))
        )
    if report["rings"] is not None:
        lines += ["", f"Rings (out_ring_members of run {report['ring_run_id']})"]
        lines.append(
            f"{'member':<8} {'ring type':<16} {'found':>7} {'planted':>8} {'hits':>7} {'precision':>10} {'recall':>8}"
        )
        for member_type, part in report["rings"].items():
            entries = [("all", part["overall"]), *part["by_ring_type"].items()]
            for ring_type, m in entries:
                lines.append(
                    f"{member_type:<8} {ring_type:<16} {m['found']:>7} {m['planted']:>8} "
                    f"{m['true_positives']:>7} {_fmt(m['precision'], 10)} {_fmt(m['recall'], 8)}"
                )
    if report["hard_negatives"] is not None:
        hard = report["hard_negatives"]
        lines += ["", f"Hard negatives ({hard['total']['count']} planted) in the model's top lists"]
        for name, part in hard.items():
            kinds = ", ".join(f"{kind} {count}" for kind, count in part["by_kind"].items() if count)
            lines.append(f"{name:<22} {part['count']:>4}" + (f"  ({kinds})" if kinds else ""))
    if report["notes"]:
        lines += ["", "Notes:", *(f"- {note}" for note in report["notes"])]
    return "\n".join(lines)
