"""Turn a Plotly selection (clicked points, box or lasso) into rows of the table beneath the chart."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def selected_custom_data(event: object) -> list[tuple]:
    """The custom_data of every selected point, as tuples; empty when nothing is selected."""
    if event is None:
        return []
    selection = event.get("selection", {}) if isinstance(event, dict) else getattr(event, "selection", {})
    points = selection.get("points", []) if isinstance(selection, dict) else getattr(selection, "points", [])
    chosen = []
    for point in points or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if data is None:
            continue
        chosen.append(tuple(data) if isinstance(data, list | tuple) else (data,))
    return chosen


def rows_matching(frame: pd.DataFrame, chosen: Sequence[tuple], columns: Sequence[str]) -> pd.DataFrame:
    """The rows of `frame` whose values in `columns` equal one of the chosen tuples (compared as text)."""
    if not chosen or frame.empty:
        return frame
    wanted = {tuple(str(v) for v in values[: len(columns)]) for values in chosen}
    keys = frame[list(columns)].astype(str).apply(tuple, axis=1)
    return frame[keys.isin(wanted)]
