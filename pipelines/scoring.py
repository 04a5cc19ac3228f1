"""Scores: per-harm evidence against each shop's peers, 0–100 sub-scores, a composite, tiers and reasons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special, stats

from pipelines.params import (
    HARM_ZH,
    LICENCE_STATUS_ZH,
    PERMIT_ZH,
    SIGNALS,
    ScoreParams,
    Signal,
)

HARMS = ("fraud", "fake_trade", "after_sales", "license")
BAD_LICENCE_STATUSES = ("expired", "revoked", "cancelled", "abnormal")
SIZE_BAND_NAMES = ("small", "medium", "large")
# The category of a shop that names none.
UNKNOWN_CATEGORY = "未知"


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype=float)


def prepare(features: pd.DataFrame, params: ScoreParams) -> pd.DataFrame:
    """Features plus the derived columns the signals read: peer group, licence flags, new-company rule."""
    df = features.copy().reset_index(drop=True)
    df["main_category"] = df["main_category"].fillna(UNKNOWN_CATEGORY)
    orders = _num(df, "order_count")
    band = np.searchsorted(np.array(params.size_bands), orders, side="right")
    df["size_band"] = [SIZE_BAND_NAMES[min(b, len(SIZE_BAND_NAMES) - 1)] for b in band]
    df["peer_group"] = df["main_category"] + "·" + df["size_band"]
    df["comparison_group"] = peer_groups(df, params.min_peer_group)
    status = df["licence_status"].fillna("")
    df["is_licence_bad"] = status.isin(BAD_LICENCE_STATUSES) | df["is_licence_past_expiry"].fillna(
        False
    ).astype(bool)
    df["licence_status"] = np.where(
        df["is_licence_past_expiry"].fillna(False).astype(bool) & ~status.isin(BAD_LICENCE_STATUSES),
        "expired",
        status,
    )
    sales_pct = pd.Series(_num(df, "gmv_cny")).rank(pct=True).to_numpy()
    age = pd.to_numeric(df["company_age_days"], errors="coerce")
    age_at_opening = pd.to_numeric(df["company_age_at_opening_days"], errors="coerce")
    top_seller = sales_pct >= params.new_company_sales_percentile
    young = (age < params.new_company_days).fillna(False).to_numpy()
    # A company set up only weeks before its shop opened looks like a vehicle for the shop: stronger.
    shell = (age_at_opening < params.new_company_at_opening_days).fillna(False).to_numpy()
    df["is_new_company_top_sales"] = np.where(young & top_seller, np.where(shell, 1.0, 0.5), 0.0)
    return df


def _group_mad(values: pd.Series, group: pd.Series) -> np.ndarray:
    """Median absolute deviation of values within each group, as an array aligned with values."""
    median = values.groupby(group.to_numpy()).transform("median")
    return (values - median).abs().groupby(group.to_numpy()).transform("median").to_numpy()


def _trimmed_pooled_rate(
    x: np.ndarray, n: np.ndarray, rate: np.ndarray, exposed: np.ndarray, group: pd.Series, quantile: float
) -> tuple[np.ndarray, np.ndarray]:
    """The rate of the shop's peers without their most extreme shops, so offenders do not set the norm.

    Shops whose rate is above the group's `quantile` among well-exposed shops are left out of
    the pooled rate (when that quantile is 0, as for rare events, nobody is left out). The
    shop itself is always left out: a big shop would otherwise be compared mostly with itself.
    Returns the rate and which shops were kept as the norm.
    """
    g = group.to_numpy()
    cut = pd.Series(np.where(exposed, rate, np.nan)).groupby(g).transform(lambda v: v.quantile(quantile))
    cut = cut.to_numpy()
    keep = ~((cut > 0) & (np.nan_to_num(rate) > cut))
    kept_x, kept_n = np.where(keep, x, 0.0), np.where(keep, n, 0.0)
    totals = pd.DataFrame({"x": kept_x, "n": kept_n, "g": g}).groupby("g")[["x", "n"]].transform("sum")
    peers_x, peers_n = totals["x"].to_numpy() - kept_x, totals["n"].to_numpy() - kept_n
    everyone = pd.DataFrame({"x": x, "n": n, "g": g}).groupby("g")[["x", "n"]].transform("sum")
    all_x, all_n = everyone["x"].to_numpy() - x, everyone["n"].to_numpy() - n
    global_rate = x.sum() / max(n.sum(), 1)
    fallback = np.where(all_n > 0, all_x / np.where(all_n > 0, all_n, 1), global_rate)
    return np.where(peers_n > 0, peers_x / np.where(peers_n > 0, peers_n, 1), fallback), keep


def peer_groups(df: pd.DataFrame, min_size: int) -> pd.Series:
    """Each shop's peer group for comparisons: category × size band, or the category when that is too small.

    Shops naming no category form a category of their own: a mixed sample of the market.
    """
    sizes = df.groupby("peer_group")["peer_group"].transform("size")
    return pd.Series(np.where(sizes >= min_size, df["peer_group"], df["main_category"]), index=df.index)


def rate_z(
    x: np.ndarray, n: np.ndarray, group: pd.Series, params: ScoreParams, min_spread: float
) -> np.ndarray:
    """How surprising x events out of n are at the group's pooled rate, allowing for spread between shops.

    The spread τ (between-shop standard deviation of true rates, beyond binomial noise) shrinks
    a big shop's sample to an effective size n / (1 + (n − 1)ρ), ρ = τ² / p(1 − p), so a big shop
    is judged by how far its rate is from its peers', a small one by how unlikely its count is.
    The upper binomial tail then becomes a z-score, which stays honest for counts of 0, 1 or 2.
    """
    rate = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
    exposed = n >= params.spread_min_exposure
    p0, kept = _trimmed_pooled_rate(x, n, rate, exposed, group, params.baseline_trim_quantile)
    p0 = np.clip(p0, 1e-5, 1 - 1e-5)
    # The spread comes from the well-exposed shops that set the norm, and only where there are
    # enough of them: two shops, one of them an offender, say nothing about honest variation.
    informs = exposed & kept
    frame = pd.DataFrame({"g": group.to_numpy()})
    mad = _group_mad(pd.Series(np.where(informs, rate, np.nan)), frame["g"])
    noise = pd.Series(np.where(informs, p0 * (1 - p0) / np.maximum(n, 1), np.nan)).groupby(frame["g"])
    tau2 = np.nan_to_num((1.4826 * mad) ** 2 - noise.transform("median").to_numpy())
    informers = pd.Series(informs).groupby(frame["g"]).transform("sum").to_numpy()
    tau2 = np.where(informers >= params.spread_min_shops, tau2, 0.0)
    floor = np.maximum(min_spread * p0, params.min_rate_spread_abs)
    tau2 = np.maximum(tau2, floor**2)
    rho = np.minimum(tau2 / (p0 * (1 - p0)), 1.0)
    n_eff = n / (1 + np.maximum(n - 1, 0) * rho)
    x_eff = x * np.where(n > 0, n_eff / np.where(n > 0, n, 1), 0)
    above = (n > 0) & (x_eff > n_eff * p0)
    tail = special.betainc(np.where(above, x_eff, 1), np.where(above, n_eff - x_eff + 1, 1), p0)
    return np.where(above, stats.norm.isf(np.clip(tail, 1e-300, 0.5)), 0.0)


def level_z(value: np.ndarray, n: np.ndarray, group: pd.Series, params: ScoreParams) -> np.ndarray:
    """Robust z of log(value) within the group, against the spread of true levels plus sampling noise.

    A shop's level is a median of n observations (refund times, response times); such a median
    wanders by about σ·√(π/2n) on a log scale, so a few observations count for less, and the
    spread between honest shops' true levels (τ, from the group's MAD net of that noise) is the
    rest. z = (log value − group median) / √(τ² + σ²π/2n).
    """
    ok = (value > 0) & (n > 0)
    logv = pd.Series(np.log(np.where(ok, value, np.nan)))
    g = group.to_numpy()
    median = logv.groupby(g).transform("median").to_numpy()
    mad = (logv - median).abs().groupby(g).transform("median").to_numpy()
    noise = np.where(ok, params.level_noise_sd**2 * (math.pi / 2) / np.maximum(n, 1), np.nan)
    typical_noise = pd.Series(noise).groupby(g).transform("median").to_numpy()
    tau2 = np.maximum(np.nan_to_num((1.4826 * mad) ** 2 - typical_noise), params.level_min_spread**2)
    z = (logv.to_numpy() - median) / np.sqrt(tau2 + np.nan_to_num(noise))
    return np.where(ok, np.nan_to_num(z), 0.0)


def window_z(k: np.ndarray, n: np.ndarray, share: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """z of k events out of n in a shop's busiest window at its usual share, corrected for the
    number of windows it was picked among (so one lucky day of a small shop is no evidence)."""
    share = np.clip(share, 1e-4, 1 - 1e-4)
    above = (n > 0) & (k > n * share)
    tail = special.betainc(np.where(above, k, 1), np.where(above, n - k + 1, 1), share)
    p_any = np.clip(tail * np.maximum(windows, 1), 1e-300, 1.0)
    return np.where(above, stats.norm.isf(np.minimum(p_any, 0.5)), 0.0)


def peer_percentile(value: np.ndarray, valid: np.ndarray, peer: pd.Series) -> np.ndarray:
    """Percentile (0–100) of each value among its peer group's valid values."""
    series = pd.Series(np.where(valid, value, np.nan))
    return (series.groupby(peer.to_numpy()).rank(pct=True) * 100).fillna(0).round().to_numpy()


def signal_evidence(
    df: pd.DataFrame, signal: Signal, params: ScoreParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evidence (≥ 0) each shop gives for the signal, with the value shown and its peer percentile."""
    category = df["comparison_group"]
    if signal.kind == "flag":
        # Flags are booleans, or values where a rule holds more or less firmly (up to full_at).
        raw = df[signal.numerator]
        value = pd.to_numeric(raw.astype("object").where(raw.notna(), 0), errors="coerce").to_numpy(
            dtype=float
        )
        strength = np.clip(value / signal.full_at, 0, 1)
        return signal.weight * strength, value, np.full(len(df), 100.0)
    x = _num(df, signal.numerator)
    n = _num(df, signal.denominator) if signal.denominator else np.ones(len(df))
    if signal.kind == "rate":
        # One event is never evidence against a shop, however rare such events are.
        z = np.where(x >= params.min_events, rate_z(x, n, category, params, signal.min_spread), 0.0)
        value = np.where(n > 0, x / np.where(n > 0, n, 1), 0.0)
        valid = n > 0
    elif signal.kind == "level":
        z = level_z(x, n, category, params)
        value, valid = x, (n > 0) & (x > 0)
    elif signal.kind == "peak":
        # numerator: events in the shop's busiest window; denominator: all orders in it.
        z = window_z(x, n, _num(df, "newcomer_share"), _num(df, "active_days") / params.peak_window_days)
        value, valid = x, x > 0
    else:
        raise ValueError(f"unknown signal kind {signal.kind!r}")
    z = np.minimum(np.nan_to_num(z), params.z_cap)
    evidence = signal.weight * np.maximum(z - params.z_threshold, 0)
    return evidence, value, peer_percentile(value, valid, df["peer_group"])


def to_score(evidence: np.ndarray, params: ScoreParams) -> np.ndarray:
    """Evidence to a 0–100 score: 0 without evidence, approaching 100 as it piles up."""
    return np.round(100 * (1 - np.exp(-evidence / params.evidence_scale)), 1)


def _reason_fields(row: dict, value: float, pct: float) -> tuple[dict, float]:
    orders = float(row.get("order_count") or 0)
    fields = {
        k: (v if v is not None and not (isinstance(v, float) and math.isnan(v)) else 0)
        for k, v in row.items()
    }
    fields.update(
        value=value,
        pct=int(pct),
        count=value,
        per_1000=0.0,
        window_orders=float(row.get("newcomer_peak_window_orders") or 0),
        usual_share=float(row.get("newcomer_share") or 0),
        p50_days=float(row.get("refund_latency_p50_days") or 0),
        licence_status_zh=LICENCE_STATUS_ZH.get(
            str(row.get("licence_status")), str(row.get("licence_status"))
        ),
        required_permit_zh=PERMIT_ZH.get(str(row.get("required_permit")), str(row.get("required_permit"))),
    )
    return fields, orders


def reason_text(signal: Signal, row: dict, value: float, pct: float) -> tuple[str, str]:
    """The signal's Chinese and English sentence for one shop, with its evidence filled in."""
    fields, orders = _reason_fields(row, value, pct)
    if signal.kind == "rate":
        fields["count"] = float(row.get(signal.numerator) or 0)
        fields["per_1000"] = 1000 * fields["count"] / orders if orders else 0.0
    return signal.zh.format_map(fields), signal.en.format_map(fields)


def score_merchants(
    features: pd.DataFrame, params: ScoreParams, run_id: str, signals: tuple[Signal, ...] = SIGNALS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every shop with `signals` (their weights); returns (out_merchant_risk rows, out_merchant_reasons rows)."""
    df = prepare(features, params)
    evidence = {h: np.zeros(len(df)) for h in HARMS}
    contributions = []
    for signal in signals:
        e, value, pct = signal_evidence(df, signal, params)
        evidence[signal.harm] += e
        for i in np.flatnonzero(e > 0):
            contributions.append((i, signal, float(e[i]), float(value[i]), float(pct[i])))

    risk = df[
        ["platform_id", "merchant_id", "shop_name", "credit_code", "main_category", "region", "peer_group"]
    ].copy()
    risk.insert(0, "run_id", run_id)
    risk["order_count"] = _num(df, "order_count").astype(int)
    risk["gmv_cny"] = _num(df, "gmv_cny").round(2)
    risk["complaint_count"] = _num(df, "complaint_count").astype(int)
    for harm in HARMS:
        risk[f"{harm}_score"] = to_score(evidence[harm], params)
    sub = risk[[f"{h}_score" for h in HARMS]].to_numpy() / 100
    risk["risk_score"] = np.round(100 * (1 - np.prod(1 - sub, axis=1)), 1)
    risk["driver"] = np.where(sub.max(axis=1) > 0, np.array(HARMS)[sub.argmax(axis=1)], "")
    risk = risk.sort_values(["risk_score", "platform_id", "merchant_id"], ascending=[False, True, True])
    risk["risk_rank"] = np.arange(1, len(risk) + 1)
    risk["risk_level"] = "low"
    for name, share, min_score in reversed(params.tiers):
        cutoff = max(1, math.ceil(share * len(risk)))
        risk.loc[(risk["risk_rank"] <= cutoff) & (risk["risk_score"] >= min_score), "risk_level"] = name

    reasons = _reasons(df, contributions, run_id)
    top = (
        reasons[reasons["reason_rank"] <= params.max_reasons]
        .groupby(["platform_id", "merchant_id"])
        .agg(
            reason_codes=("code", ";".join),
            reasons_zh=("text_zh", "; ".join),  # the contract separates reasons with `;`
            reasons_en=("text_en", "; ".join),
        )
        .reset_index()
        if len(reasons)
        else pd.DataFrame(columns=["platform_id", "merchant_id", "reason_codes", "reasons_zh", "reasons_en"])
    )
    risk = risk.merge(top, on=["platform_id", "merchant_id"], how="left")
    for column in ("reason_codes", "reasons_zh", "reasons_en"):
        risk[column] = risk[column].fillna("")
    return risk.reset_index(drop=True), reasons


def _reasons(df: pd.DataFrame, contributions: list, run_id: str) -> pd.DataFrame:
    records = df.to_dict("records")
    rows = []
    for i, signal, e, value, pct in contributions:
        row = records[i]
        zh, en = reason_text(signal, row, value, pct)
        rows.append(
            {
                "run_id": run_id,
                "platform_id": row["platform_id"],
                "merchant_id": row["merchant_id"],
                "harm": signal.harm,
                "harm_zh": HARM_ZH[signal.harm],
                "code": signal.code,
                "evidence": round(e, 3),
                "value": value,
                "peer_percentile": pct,
                "text_zh": zh,
                "text_en": en,
            }
        )
    reasons = pd.DataFrame(rows)
    if reasons.empty:
        return reasons.assign(reason_rank=pd.Series(dtype=int))
    reasons = reasons.sort_values(
        ["platform_id", "merchant_id", "evidence", "code"], ascending=[True, True, False, True]
    )
    reasons["reason_rank"] = reasons.groupby(["platform_id", "merchant_id"]).cumcount() + 1
    return reasons.reset_index(drop=True)
