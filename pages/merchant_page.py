"""Merchant detail: one shop's profile, scores with evidence, complaints, orders against peers, rings and history."""

import streamlit as st

from app import access, charts, detail_views, i18n, merchant_data, sidebar, ui, watchlist
from app.i18n import t
from app.merchant_data import MerchantKey
from app.status import warehouse_status

access.require("view.analysis")
status = warehouse_status()
filters = sidebar.current()
if not ui.require_scores(status):
    st.title(t("page.merchant"))
    st.stop()

platform_id, merchant_id = st.session_state.get("merchant_platform"), st.session_state.get("merchant")
profile = (
    merchant_data.profile(MerchantKey(platform_id, merchant_id)) if platform_id and merchant_id else None
)
if profile is None:
    st.title(t("page.merchant"))
    st.info(
        t("detail.pick")
        if not merchant_id
        else t("detail.not_found", platform=platform_id, merchant=merchant_id)
    )
    st.text_input(t("merchants.search"), key="detail_search", placeholder=t("merchants.search_hint"))
    found = merchant_data.search_merchants(st.session_state.get("detail_search") or "")
    if not ui.empty(found, "merchants.no_match"):
        ui.merchant_table(found, "detail_pick")
    st.stop()

key = MerchantKey(platform_id, merchant_id)
st.title(profile["shop_name"])
st.caption(
    t(
        "detail.caption",
        platform=profile["platform_name"],
        merchant=merchant_id,
        category=i18n.label("merchant_category", profile["main_category"]),
        region=i18n.label("region", profile["region"]),
        run_id=profile["run_id"],
    )
)
tiles = st.columns([1, 1, 1, 1, 1, 1.3])
tiles[0].metric(t("col.risk_level"), i18n.label("risk_level", profile["risk_level"]), border=True)
tiles[1].metric(t("col.risk_score"), i18n.number(profile["risk_score"]), border=True)
tiles[2].metric(t("col.risk_rank"), i18n.number(profile["risk_rank"]), border=True)
tiles[3].metric(t("col.orders"), i18n.number(profile["order_count"]), border=True)
tiles[4].metric(t("col.complaints"), i18n.number(profile["complaint_count"]), border=True)
with tiles[5]:
    if watchlist.contains(platform_id, merchant_id):
        st.success(t("detail.on_watchlist"), icon=":material/bookmark_added:")
    elif st.button(
        t("detail.add_watchlist"), icon=":material/bookmark_add:", key="add_to_watchlist", width="stretch"
    ):
        watchlist.add(platform_id, merchant_id)
        st.rerun()

names = ["scores", "complaints", "orders", "rings", "history", "profile"]
scores_tab, complaints_tab, orders_tab, rings_tab, history_tab, profile_tab = st.tabs(
    [t(f"detail.tab.{n}") for n in names]
)

with scores_tab:
    chart_column, reasons_column = st.columns([1, 2])
    chart_column.plotly_chart(charts.sub_scores(profile), key="sub_scores", config={"displayModeBar": False})
    reasons = merchant_data.reasons(key)
    with reasons_column:
        if not ui.empty(reasons, "detail.no_reasons"):
            detail_views.reason_list(reasons, profile)

with complaints_tab:
    window = filters.window(status.as_of)
    complaints = merchant_data.complaints(key, window.start, window.end)
    st.caption(t("detail.complaints_caption", window=ui.window_caption(status, window)))
    if not ui.empty(complaints, "common.no_complaints"):
        st.plotly_chart(charts.complaints_by_week(complaints), key="shop_complaints_chart")
        detail_views.complaint_table(complaints)
        st.caption(t("detail.masked_note"))
        detail_views.unmask_panel("complaint", list(complaints["complaint_id"]), "um_complaint")
        detail_views.complaint_export(
            lambda personal: merchant_data.complaints(key, window.start, window.end, personal=personal),
            f"complaints-{platform_id}-{merchant_id}",
            f"complaints:{platform_id}/{merchant_id}",
            {"period": filters.period, "start": str(window.start or ""), "end": str(window.end or "")},
        )

with orders_tab:
    weekly = merchant_data.weekly_orders(key)
    if not ui.empty(weekly, "detail.no_orders"):
        st.plotly_chart(charts.weekly_orders(weekly), key="weekly_orders_chart")
    peers = merchant_data.peer_comparison(key)
    if not ui.empty(peers, "detail.no_peers"):
        st.caption(
            t("detail.peer_caption", group=profile["peer_group"], count=int(peers["peer_count"].max()))
        )
        shares = peers[peers["metric"].str.endswith(("_rate", "_share"))]
        if len(shares):
            st.plotly_chart(charts.peer_shares(shares), key="peer_chart")
        detail_views.peer_table(peers)

with rings_tab:
    rings = merchant_data.rings(key)
    if not ui.empty(rings, "detail.no_rings"):
        evidence = "evidence_en" if i18n.current_language() == "en" else "evidence_zh"
        for ring in rings.itertuples():
            st.markdown(
                f"**{ring.ring_id}** · {i18n.label('ring_method', ring.method)} — {getattr(ring, evidence)}"
            )
        nodes, edges = merchant_data.ring_graph(platform_id, tuple(rings["ring_id"]))
        st.plotly_chart(charts.ring_network(nodes, edges, merchant_id), key="ring_graph")
        buyers = int((nodes["member_type"] == "buyer").sum())
        st.caption(t("detail.ring_caption", buyers=buyers, limit=merchant_data.RING_GRAPH_MAX_BUYERS))

with history_tab:
    history = merchant_data.score_history(key)
    if not ui.empty(history, "detail.no_history"):
        st.plotly_chart(charts.score_history(history), key="history_chart")
        if len(history) == 1:
            st.caption(t("detail.one_run"))

with profile_tab:
    detail_views.profile_facts(profile)
    st.subheader(t("detail.licences"))
    licences = merchant_data.licences(profile["credit_code"])
    if not ui.empty(licences, "detail.no_licences"):
        detail_views.licence_table(licences)
        st.caption(t("detail.masked_note"))
        detail_views.unmask_panel("licence", [profile["credit_code"]], "um_licence")
