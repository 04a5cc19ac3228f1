"""Watchlist: shops to follow up, from the filters or by hand, with notes; export as CSV, XLSX or a PDF brief."""

import datetime as dt

import streamlit as st

from app import access, exports, i18n, market_data, merchant_data, sidebar, ui, watchlist
from app.i18n import t
from app.status import warehouse_status

access.require("edit.watchlist")
status = warehouse_status()
filters = sidebar.current()
st.title(t("watchlist.title"))
if not ui.require_scores(status):
    st.stop()

from_filters, by_hand = st.columns(2)
with from_filters.container(border=True):
    st.markdown(f"**{t('watchlist.from_filters')}**")
    st.caption(t("watchlist.from_filters_hint"))
    levels = st.multiselect(
        t("col.risk_level"),
        market_data.RISK_LEVELS,
        default=["high"],
        format_func=i18n.labeler("risk_level"),
        key="wl_levels",
    )
    top = st.number_input(t("watchlist.top"), min_value=1, max_value=1000, value=20, step=5, key="wl_top")
    if st.button(t("watchlist.add_filtered"), key="wl_add_filtered", icon=":material/playlist_add:"):
        added = sum(watchlist.add(p, m) for p, m in watchlist.top_keys(filters, tuple(levels), int(top)))
        st.toast(t("watchlist.added", count=added))
with by_hand.container(border=True):
    st.markdown(f"**{t('watchlist.by_hand')}**")
    st.text_input(t("merchants.search"), key="wl_search", placeholder=t("merchants.search_hint"))
    found = merchant_data.search_merchants(st.session_state.get("wl_search") or "", limit=50)
    options = [f"{r.platform_id}|{r.merchant_id}" for r in found.itertuples()]
    shop_names = dict(zip(options, found["shop_name"], strict=True))
    chosen = st.selectbox(
        t("watchlist.pick"),
        options,
        format_func=lambda o: f"{shop_names[o]} ({o.replace('|', ' · ')})",
        index=None,
        placeholder=t("watchlist.pick_hint"),
        key="wl_pick",
    )
    if st.button(
        t("watchlist.add_one"), key="wl_add_one", disabled=chosen is None, icon=":material/bookmark_add:"
    ):
        st.toast(t("watchlist.added", count=int(watchlist.add(*chosen.split("|", 1)))))

entries = watchlist.entries()
st.subheader(t("watchlist.list", count=len(entries)))
if not entries:
    st.info(t("watchlist.empty"))
    st.stop()

rows = watchlist.export_rows(i18n.current_language())
notes = {(e["platform_id"], e["merchant_id"]): e["note"] for e in entries}
editable = rows.assign(
    note=[notes.get((p, m), "") for p, m in zip(rows["platform_id"], rows["merchant_id"], strict=True)],
    remove=False,
)
# The editor's state is by row position: a new key whenever the list changes keeps notes on their shops.
editor_key = "wl_editor_" + str(abs(hash(tuple(zip(rows["platform_id"], rows["merchant_id"], strict=True)))))
edited = st.data_editor(
    editable,
    key=editor_key,
    hide_index=True,
    disabled=[c for c in editable.columns if c not in ("note", "remove")],
    column_config={
        **ui.merchant_columns(),
        "rank": st.column_config.NumberColumn(t("col.rank"), format="%d", width="small"),
        "score_run_id": t("col.run_id"),
        "note": st.column_config.TextColumn(t("col.note"), width="medium"),
        "remove": st.column_config.CheckboxColumn(t("watchlist.remove"), width="small"),
    },
)
changed_notes = {(r.platform_id, r.merchant_id): r.note for r in edited.itertuples()}
if changed_notes != notes:
    watchlist.set_notes(changed_notes)
to_remove = {(r.platform_id, r.merchant_id) for r in edited.itertuples() if r.remove}
if to_remove:
    watchlist.remove(to_remove)
    st.rerun()

stamp = dt.date.today().strftime("%Y%m%d")
csv_column, xlsx_column, pdf_column, _ = st.columns([1, 1, 1, 2])
# Every export goes through app/exports.py: the role is checked and the download audited once.
shared = {"target": "watchlist", "row_count": len(rows), "filters": exports.describe(filters)}
exports.download(
    watchlist.csv_bytes(rows),
    label=t("watchlist.csv"),
    file_name=f"watchlist-{stamp}.csv",
    mime="text/csv",
    key="wl_csv",
    container=csv_column,
    **shared,
)
exports.download(
    watchlist.xlsx_bytes(rows, watchlist.notes_by_key()),
    label=t("watchlist.xlsx"),
    file_name=f"watchlist-{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="wl_xlsx",
    container=xlsx_column,
    **shared,
)
exports.download(  # rendered on click: a long list takes seconds
    watchlist.pdf_brief(rows, i18n.current_language(), filters),
    label=t("watchlist.pdf"),
    file_name=f"watchlist-brief-{stamp}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="wl_pdf",
    container=pdf_column,
    **shared,
)
st.caption(t("watchlist.export_note"))
