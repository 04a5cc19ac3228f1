"""Plotly figures for the pages: built from query results, labelled in the current language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app import i18n
from app.i18n import t
from app.market_data import HARMS, RISK_LEVELS

RISK_COLORS = {"high": "#c0392b", "medium": "#e67e22", "low": "#95a5a6"}
HARM_COLORS = {"fraud": "#8e44ad", "fake_trade": "#2980b9", "after_sales": "#16a085", "license": "#d35400"}
MARGIN = {"l": 10, "r": 10, "t": 56, "b": 10}


def _finish(fig: go.Figure, title: str | None = None, height: int = 360) -> go.Figure:
    # The title sits left and low enough that Plotly's tool bar (top right) never covers it.
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 15}},
        height=height,
        margin=MARGIN,
        legend_title_text="",
        hovermode="closest",
    )
    return fig


def risk_bars(frame: pd.DataFrame, dimension: str, platform_names: dict[str, str]) -> go.Figure:
    """Shops per risk level, stacked, for each platform / region / category (high-risk share sorts the bars)."""
    kind = {"platform": "platform", "region": "region", "category": "merchant_category"}[dimension]
    name = (
        (lambda v: platform_names.get(v, v)) if dimension == "platform" else (lambda v: i18n.label(kind, v))
    )
    data = frame.assign(name=frame["value"].map(name))
    high = data[data["risk_level"] == "high"].groupby("name")["merchant_count"].sum()
    total = data.groupby("name")["merchant_count"].sum()
    order = (high.reindex(total.index, fill_value=0) / total).sort_values(ascending=False).index.tolist()
    traces = []
    for level in RISK_LEVELS:
        rows = data[data["risk_level"] == level]
        label = i18n.label("risk_level", level)
        traces.append(
            go.Bar(
                x=rows["name"],
                y=rows["merchant_count"],
                name=label,
                marker_color=RISK_COLORS[level],
                customdata=rows[["value"]].to_numpy(),
                hovertemplate=f"%{{x}}<br>{label}: %{{y}}<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(barmode="relative", xaxis={"categoryorder": "array", "categoryarray": order})
    fig.update_yaxes(title_text=t("col.merchants"))
    return _finish(fig, t("overview.risk_by", by=t(f"dimension.{dimension}").lower()))


def trend_lines(frame: pd.DataFrame, measure: str, dimension: str, kind: str | None = None) -> go.Figure:
    """A measure over time, one line per value of the dimension; points can be selected."""
    data = frame.assign(
        name=frame["value"].map(lambda v: i18n.label(kind, v) if kind else t("common.total")),
        period_text=frame["period"].astype(str),
    )
    measure_name = t(f"measure.{measure}")
    # Graph objects rather than plotly.express: a quarter of the time, on every filter change.
    traces = [
        go.Scatter(
            x=rows["period"],
            y=rows["amount"],
            mode="lines+markers",
            name=str(name),
            customdata=rows[["value", "period_text"]].to_numpy(),
            hovertemplate=f"%{{fullData.name}}<br>%{{x}}<br>{measure_name}: %{{y}}<extra></extra>",
        )
        for name, rows in data.groupby("name", sort=False)
    ]
    fig = go.Figure(traces)
    fig.update_yaxes(title_text=measure_name, tickformat=".0%" if measure == "refund_rate" else None)
    return _finish(fig, measure_name)


def heat_squares(frame: pd.DataFrame, measure: str) -> go.Figure:
    """Category × region as coloured squares (a scatter, so cells can be clicked and box-selected)."""
    data = frame.assign(
        category_name=frame["category"].map(lambda v: i18n.label("merchant_category", v)),
        region_name=frame["region"].map(lambda v: i18n.label("region", v)),
    )
    measure_name = t(f"measure.{measure}")
    fig = go.Figure(
        go.Scatter(
            x=data["region_name"],
            y=data["category_name"],
            mode="markers",
            marker={
                "color": data["amount"],
                "colorscale": "OrRd",
                "colorbar": {"title": {"text": measure_name}},
                "symbol": "square",
                "size": 22,
                "line": {"width": 0},
            },
            customdata=data[["category", "region"]].to_numpy(),
            hovertemplate=f"%{{x}} · %{{y}}<br>{measure_name}: %{{marker.color}}<extra></extra>",
        )
    )
    height = max(300, 40 * data["category_name"].nunique() + 120)
    return _finish(fig, t("trends.heatmap", measure=measure_name), height=height)


def spike_bars(frame: pd.DataFrame, platform_names: dict[str, str]) -> go.Figure:
    """Spike alerts: how many baseline deviations each alerting week was, by platform."""
    data = frame.assign(
        platform=frame["platform_id"].map(lambda p: platform_names.get(p, p)),
        category_name=frame["category"].map(lambda v: i18n.label("complaint_category", v)),
        week_text=frame["week"].astype(str),
    ).sort_values("week")
    hover = (
        f"%{{x}} · %{{fullData.name}}<br>{t('col.spike_z')}: %{{y:.1f}}"
        f"<br>{t('col.complaint_category')}: %{{customdata[3]}}"
        f"<br>{t('col.complaints')}: %{{customdata[4]}}"
        f"<br>{t('col.baseline_mean')}: %{{customdata[5]:.1f}}<extra></extra>"
    )
    columns = ["platform_id", "category", "week_text", "category_name", "complaint_count", "baseline_mean"]
    traces = [
        go.Bar(
            x=rows["week_text"],
            y=rows["spike_z"],
            name=str(platform),
            customdata=rows[columns].to_numpy(),
            hovertemplate=hover,
        )
        for platform, rows in data.groupby("platform", sort=False)
    ]
    fig = go.Figure(traces)
    # Weeks as labels in calendar order: Plotly would draw dates as a time axis of thin bars.
    weeks = sorted(data["week_text"].unique())
    fig.update_layout(
        barmode="relative", xaxis={"type": "category", "categoryorder": "array", "categoryarray": weeks}
    )
    fig.update_yaxes(title_text=t("col.spike_z"))
    return _finish(fig, t("trends.spikes_chart"))


def sub_scores(profile: dict) -> go.Figure:
    """The four sub-scores of one shop as horizontal bars on 0–100."""
    names = [i18n.label("harm", h) for h in HARMS]
    values = [float(profile.get(f"{h}_score") or 0) for h in HARMS]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker_color=[HARM_COLORS[h] for h in HARMS],
            text=[f"{v:.0f}" for v in values],
            textposition="auto",
        )
    )
    fig.update_xaxes(range=[0, 100], title=t("col.score"))
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, t("detail.sub_scores"), height=260)


def complaints_by_week(frame: pd.DataFrame) -> go.Figure:
    """One shop's complaints per week, stacked by category."""
    data = frame.assign(
        week=pd.to_datetime(frame["received_at"]).dt.to_period("W").dt.start_time,
        category_name=frame["category"].map(lambda v: i18n.label("complaint_category", v or "unclassified")),
    )
    counts = data.groupby(["week", "category_name"]).size().reset_index(name="complaints")
    traces = [
        go.Bar(x=rows["week"], y=rows["complaints"], name=str(name))
        for name, rows in counts.groupby("category_name", sort=False)
    ]
    fig = go.Figure(traces)
    fig.update_layout(barmode="relative")
    fig.update_yaxes(title_text=t("col.complaints"))
    return _finish(fig, t("detail.complaints_over_time"), height=300)


def weekly_orders(frame: pd.DataFrame) -> go.Figure:
    """One shop's orders per week as bars, its refund-request rate as a line on a second axis."""
    rate = frame["refund_request_count"] / frame["order_count"].where(frame["order_count"] > 0)
    fig = go.Figure()
    fig.add_bar(x=frame["week"], y=frame["order_count"], name=t("col.orders"), marker_color="#5b8def")
    fig.add_scatter(x=frame["week"], y=rate, name=t("peer.refund_rate"), yaxis="y2", mode="lines+markers")
    fig.update_layout(
        yaxis={"title": t("col.orders")},
        yaxis2={
            "title": t("peer.refund_rate"),
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "rangemode": "tozero",
        },
        legend={"orientation": "h", "y": -0.15},
    )
    return _finish(fig, t("detail.weekly_orders"), height=320)


def peer_shares(frame: pd.DataFrame) -> go.Figure:
    """Share-type order patterns of the shop against its peers' median and 90th percentile."""
    data = frame.assign(metric_name=frame["metric"].map(lambda m: t(f"peer.{m}")))
    fig = go.Figure()
    for column, colour in (("peer_median", "#bdc3c7"), ("peer_p90", "#7f8c8d"), ("shop", "#c0392b")):
        fig.add_bar(
            y=data["metric_name"],
            x=data[column],
            name=t(f"peer.{column}"),
            orientation="h",
            marker_color=colour,
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, t("detail.peer_chart"), height=90 + 55 * len(data))


def ring_network(nodes: pd.DataFrame, edges: pd.DataFrame, focus_shop: str) -> go.Figure:
    """Accounts and shops of the rings: shops on an inner circle, accounts around them, a line per account–shop pair."""
    position = ring_layout(nodes, edges)
    fig = go.Figure()
    edge_x, edge_y = [], []
    for e in edges.itertuples():
        a, b = position.get(("buyer", e.buyer_id)), position.get(("shop", e.merchant_id))
        if a is not None and b is not None:
            edge_x += [a[0], b[0], None]
            edge_y += [a[1], b[1], None]
    fig.add_scatter(
        x=edge_x,
        y=edge_y,
        mode="lines",
        line={"width": 0.5, "color": "#c8ccd0"},
        hoverinfo="skip",
        showlegend=False,
    )
    for member_type, colour, symbol in (("buyer", "#5b8def", "circle"), ("shop", "#e67e22", "square")):
        rows = nodes[nodes["member_type"] == member_type]
        if rows.empty:
            continue
        points = np.array([position[(member_type, m)] for m in rows["member_id"]])
        orders = rows["order_count"].fillna(1).to_numpy(dtype=float)
        sizes = np.minimum(6 + 2 * np.sqrt(orders), 24 if member_type == "shop" else 14)
        colours = [
            "#c0392b" if member_type == "shop" and m == focus_shop else colour for m in rows["member_id"]
        ]
        fig.add_scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers+text" if member_type == "shop" else "markers",
            name=t(f"ring.member.{member_type}"),
            marker={
                "size": sizes,
                "color": colours,
                "symbol": symbol,
                "line": {"width": 1, "color": "white"},
            },
            text=list(rows["member_id"]) if member_type == "shop" else None,
            textposition="top center",
            hovertext=[
                f"{m}<br>{t('col.orders')}: {o}<br>{t('col.ring_id')}: {g}"
                for m, o, g in zip(rows["member_id"], rows["order_count"], rows["ring_id"], strict=True)
            ],
            hoverinfo="text",
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _finish(fig, t("detail.ring_graph"), height=560)


def ring_layout(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    """Positions: shops evenly on a circle of radius 1, each account on a circle of radius 2, grouped by the
    shop it ordered from most, so accounts that serve the same shops sit together (deterministic)."""
    shops = sorted(nodes.loc[nodes["member_type"] == "shop", "member_id"])
    position: dict[tuple[str, str], tuple[float, float]] = {}
    radius = 0.0 if len(shops) == 1 else 1.0
    for i, shop in enumerate(shops):
        angle = 2 * np.pi * i / max(len(shops), 1)
        position[("shop", shop)] = (radius * np.cos(angle), radius * np.sin(angle))
    shop_index = {shop: i for i, shop in enumerate(shops)}
    main_shop = (
        edges.sort_values(["order_count", "merchant_id"], ascending=[False, True])
        .drop_duplicates("buyer_id")
        .set_index("buyer_id")["merchant_id"]
    )
    buyers = sorted(
        nodes.loc[nodes["member_type"] == "buyer", "member_id"],
        key=lambda b: (shop_index.get(main_shop.get(b), len(shops)), b),
    )
    for i, buyer in enumerate(buyers):
        angle = 2 * np.pi * i / max(len(buyers), 1)
        position[("buyer", buyer)] = (2 * np.cos(angle), 2 * np.sin(angle))
    return position


def score_history(frame: pd.DataFrame) -> go.Figure:
    """A shop's composite and sub-scores across scoring runs."""
    x = frame["as_of"].astype(str) + " · " + frame["run_id"].str[-8:]
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=frame["risk_score"],
        name=t("col.risk_score"),
        mode="lines+markers",
        line={"width": 4, "color": "#c0392b"},
    )
    for harm in HARMS:
        fig.add_scatter(
            x=x,
            y=frame[f"{harm}_score"],
            name=i18n.label("harm", harm),
            mode="lines+markers",
            line={"color": HARM_COLORS[harm], "dash": "dot"},
        )
    fig.update_yaxes(range=[0, 105], title=t("col.score"))
    return _finish(fig, t("detail.history_chart"), height=320)


def ranked_bars(frame: pd.DataFrame, x: str, y: str, title: str, percent: bool = False) -> go.Figure:
    """Horizontal bars, largest on top (platform scoreboard metrics, quarantine reasons, F1 per class)."""
    data = frame.sort_values(x, ascending=True)
    fig = go.Figure(go.Bar(x=data[x], y=data[y], orientation="h", marker_color="#5b8def"))
    if percent:
        fig.update_xaxes(tickformat=".0%")
    return _finish(fig, title, height=max(220, 60 + 28 * len(data)))
