"""UI pieces of the merchant detail page: evidence lists and the complaint, peer and licence tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import access, exports, i18n
from app.i18n import t
from app.market_data import HARMS
from pipelines.access_policy import POLICY


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
        "consumer_name",
        "consumer_phone",
        "complaint_id",
        "match_method",
    ]
    columns = [c for c in columns if c in shown.columns]
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
            "consumer_name": t("col.consumer_name"),
            "consumer_phone": t("col.consumer_phone"),
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


def unmask_panel(kind: str, record_ids: list[str], key: str) -> None:
    """For inspectors only: reveal one record's personal data after stating a reason (audited)."""
    if not access.allowed("unmask") or not record_ids:
        return
    with st.expander(t("unmask.title"), icon=":material/visibility:"):
        st.caption(t("unmask.hint", min=POLICY.min_reason_length))
        record = st.selectbox(t(f"unmask.{kind}"), record_ids, index=None, key=f"{key}_record")
        reason = st.text_input(t("unmask.reason"), key=f"{key}_reason", max_chars=POLICY.max_reason_length)
        if st.button(t("unmask.submit"), key=f"{key}_submit", disabled=record is None):
            if access.unmask(kind, record, reason):
                st.rerun()
            st.warning(t("unmask.too_short", min=POLICY.min_reason_length))


def complaint_export(complaints_of, file_stem: str, target: str, filters: dict) -> None:
    """Export a shop's complaints as CSV: masked for everyone; an inspector may include personal data with a reason.

    `complaints_of(personal)` returns the rows; personal data are included only when the
    role may and a reason is given, and the audit entry records both.
    """
    personal, reason = False, None
    if access.allowed("export.personal") and st.checkbox(t("export.include_personal"), key="cx_personal"):
        reason = access.clean_reason(
            st.text_input(t("unmask.reason"), key="cx_reason", max_chars=POLICY.max_reason_length)
        )
        personal = reason is not None
        if not personal:
            st.caption(t("unmask.hint", min=POLICY.min_reason_length))
    rows = complaints_of(personal)
    exports.download(
        exports.csv_bytes(rows),
        label=t("export.complaints"),
        file_name=f"{file_stem}{'-personal' if personal else ''}.csv",
        mime="text/csv",
        key="cx_csv_personal" if personal else "cx_csv",
        target=target,
        row_count=len(rows),
        filters=filters,
        action="export.personal" if personal else "export.complaints",
        extra={"personal_data": personal, **({"reason": reason} if personal else {})},
    )
