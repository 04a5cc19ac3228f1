"""Method: how each score is computed, the run's parameters and its quality metrics."""

import pandas as pd
import streamlit as st

from app import access, charts, i18n, market_data, ops_data, ui, url_state
from app.i18n import t
from app.status import warehouse_status

access.require("view.analysis")
status = warehouse_status()
st.title(t("method.title"))
st.markdown(t("method.intro"))
for harm in market_data.HARMS:
    with st.expander(i18n.label("harm", harm), expanded=False):
        st.markdown(t(f"method.harm.{harm}"))
        signals = ops_data.signals(i18n.current_language(), status.run_id if status.has_scores else None)
        st.dataframe(
            signals[signals["harm"] == harm].drop(columns=["harm"]),
            hide_index=True,
            column_config={c: t(f"col.{c}") for c in signals.columns},
        )

st.subheader(t("method.run"))
if not ui.require_scores(status):
    st.stop()
runs = ops_data.runs()
run_ids = list(runs["run_id"])
url_state.keep_valid("run", run_ids, repeats=False)
st.session_state.setdefault("run", status.run_id)
run_id = st.selectbox(t("col.run_id"), run_ids, key="run")
record = ops_data.run_record(run_id)
metrics, timings = record["metrics"], record["timings"]

tiles = st.columns(4)
classifier = (metrics.get("complaint_text") or {}).get("classifier") or {}
tiles[0].metric(t("method.macro_f1"), i18n.number(classifier.get("macro_f1"), 3), border=True)
tiles[1].metric(t("method.accuracy"), i18n.number(classifier.get("accuracy"), 3), border=True)
tiles[2].metric(t("method.n_holdout"), i18n.number(classifier.get("n_holdout")), border=True)
tiles[3].metric(t("method.total_seconds"), i18n.number(timings.get("total"), 1), border=True)
st.caption(t("method.f1_note"))

left, right = st.columns(2)
per_class = classifier.get("per_class_f1") or {}
if per_class:
    f1 = pd.DataFrame(
        {"category": [i18n.label("complaint_category", c) for c in per_class], "f1": list(per_class.values())}
    )
    left.plotly_chart(charts.ranked_bars(f1, "f1", "category", t("method.per_class_f1")), key="f1_chart")
if timings:
    stages = pd.DataFrame({"stage": list(timings), "seconds": list(timings.values())})
    right.plotly_chart(
        charts.ranked_bars(stages[stages["stage"] != "total"], "seconds", "stage", t("method.timings")),
        key="timing_chart",
    )

levels = metrics.get("risk_levels") or {}
if levels:
    st.markdown(t("method.levels", **{level: levels.get(level, 0) for level in market_data.RISK_LEVELS}))
with st.expander(t("method.metrics_json")):
    st.json(metrics, expanded=1)
with st.expander(t("method.params")):
    st.dataframe(
        ops_data.flatten_params(record["params"]),
        hide_index=True,
        column_config={"parameter": t("col.parameter"), "value": t("col.value")},
    )
