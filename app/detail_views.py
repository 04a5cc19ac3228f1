"""UI pieces of the merchant detail page: evidence lists and the complaint, peer and licence tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import i18n
from app.i18n import t
from app.market_data import HARMS


def reason_list(reasons: pd.DataFrame, profile: dict) -> None:
    """The evidence behind each sub-score, strongest first, as a readable list per harm."""
    text = "text_en" if i18n.current_language() == "en" else "text_zh"
    for harm in HARMS:
        group = reasons[reasons["harm"] == harm].sort_values("evidence", ascending=False)
        if group.empty:
            continue
        score = float(profile.get(f"{harm}_score") or 0)
        lines = [
            f"- {row[text]}  \n  :gray[`{row['code']}` · {t('col.evidence')} {row['evidence']:.1f}]"
            for _, row in group.iterrows()
        ]
        st.markdown(f"**{i18n.label('harm', harm)}** · {t('col.score')} {score:.0f}\n\n" + "\n".join(lines))


def complaint_table(complaints: pd.DataFrame) -> None:
    """A shop's complaints, newest first, with the consumer's (masked) words."""
    shown = complaints.assign(
        category=complaints["category"].map(lambda c: i18n.label("complaint_category", c or "unclassified")),
        status=complaints["status"].map(lambda s: i18n.label("complaint_status", s)),
        channel=complaints["channel"].map(lambda c: i18n.label("channel", c)),
        match_method=complaints["match_method"].map(lambda m: i18n.label("match_method", m)),
    )
    columns = [
        "received_at",
        "channel",
        "category",
        "status",
        "amount_involved",
        "description",
        "complaint_id",
        "match_method",
    ]
    st.dataframe(
        shown[columns],
        hide_index=True,
        column_config={
            "received_at": st.column_config.DatetimeColumn(t("col.received_at"), format="YYYY-MM-DD HH:mm"),
            "channel": t("col.channel"),
            "category": t("col.complaint_category"),
            "status": t("col.status"),
            "amount_involved": st.column_config.NumberColumn(t("col.amount_cny"), format="%.2f"),
            "description": st.column_config.TextColumn(t("col.description"), width="large"),
            "complaint_id": t("col.complaint_id"),
            "match_method": t("col.match_method"),
        },
    )


def peer_table(peers: pd.DataFrame) -> None:
    """The shop's order patterns with its peers' median and 90th percentile (shares as percentages)."""
    shown = peers.copy()
    is_share = shown["metric"].str.endswith(("_rate", "_share"))
    for column in ("shop", "peer_median", "peer_p90"):
        shown[column] = [
            i18n.percent(v, 1) if share else i18n.number(v, 1)
            for v, share in zip(shown[column], is_share, strict=True)
        ]
    shown["metric"] = shown["metric"].map(lambda m: t(f"peer.{m}"))
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "metric": t("col.metric"),
            "shop": st.column_config.TextColumn(t("peer.shop")),
            "peer_median": st.column_config.TextColumn(t("peer.peer_median")),
            "peer_p90": st.column_config.TextColumn(t("peer.peer_p90")),
            "peer_count": st.column_config.NumberColumn(t("col.peer_count"), format="%d"),
        },
    )


def profile_facts(profile: dict) -> None:
    """Registration facts of the shop as a two-column table."""
    facts = {
        t("col.credit_code"): profile["credit_code"] or t("detail.no_code"),
        t("detail.code_valid"): t("common.yes") if profile.get("is_credit_code_valid") else t("common.no"),
        t("col.category"): i18n.label("merchant_category", profile["main_category"]),
        t("col.region"): i18n.label("region", profile["region"]),
        t("detail.peer_group"): profile["peer_group"],
        t("detail.opened_on"): _day(profile.get("opened_on")),
        t("col.driver"): i18n.label("harm", profile["driver"]) if profile["driver"] else "—",
        t("col.gmv_cny"): i18n.money(profile["gmv_cny"]),
    }
    st.table(
        pd.DataFrame(
            {t("col.field"): list(facts), t("col.value"): [str(v) for v in facts.values()]}
        ).set_index(t("col.field"))
    )


def licence_table(licences: pd.DataFrame) -> None:
    """The registry rows of the shop's credit code (legal representative already masked)."""
    shown = licences.assign(
        license_type=licences["license_type"].map(lambda v: i18n.label("license_type", v)),
        status=licences["status"].map(lambda v: i18n.label("license_status", v)),
    )
    config = {c: t(f"col.{c}") for c in shown.columns}
    for column in ("issued_on", "expires_on"):
        config[column] = st.column_config.DateColumn(t(f"col.{column}"), format="YYYY-MM-DD")
    config["is_credit_code_valid"] = st.column_config.CheckboxColumn(t("col.is_credit_code_valid"))
    st.dataframe(shown, hide_index=True, column_config=config)


def _day(value: object) -> str:
    """A date as YYYY-MM-DD, or a dash when missing."""
    if value is None or pd.isna(value):
        return "—"
    return pd.Timestamp(value).strftime("%Y-%m-%d")
