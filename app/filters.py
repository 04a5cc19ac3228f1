"""The global filters (period, platform, region, category): their values, date windows and SQL conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Period choices, in days back from the run's as-of day; None is the whole history.
PERIOD_DAYS: dict[str, int | None] = {"30d": 30, "90d": 90, "180d": 180, "365d": 365, "all": None}
DEFAULT_PERIOD = "30d"
# The filter dimensions and the column each is stored in, per kind of table. Identifiers in SQL
# only ever come from these dictionaries.
DIMENSION_COLUMNS: dict[str, dict[str, str]] = {
    "merchant": {"platform": "platform_id", "region": "region", "category": "main_category"},
    "complaint_series": {"platform": "platform_id", "region": "region", "category": "merchant_category"},
    "order_series": {"platform": "platform_id", "region": "region", "category": "category"},
    "platform": {"platform": "platform_id"},
}


@dataclass(frozen=True)
class Window:
    """A half-open date range [start, end); start None means from the beginning."""

    start: dt.date | None
    end: dt.date | None

    @property
    def days(self) -> int | None:
        """Length in days, None when open-ended."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects; empty tuples mean no restriction."""

    period: str = DEFAULT_PERIOD
    platforms: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def window(self, as_of: dt.date | None) -> Window:
        """The selected period, ending at the run's as-of day (the day after the latest order)."""
        days = PERIOD_DAYS.get(self.period)
        if days is None or as_of is None:
            return Window(None, as_of)
        return Window(as_of - dt.timedelta(days=days), as_of)

    def previous_window(self, as_of: dt.date | None) -> Window | None:
        """The period of the same length just before the selected one; None for the whole history."""
        current = self.window(as_of)
        if current.start is None or current.days is None:
            return None
        return Window(current.start - dt.timedelta(days=current.days), current.start)

    @property
    def is_restricted(self) -> bool:
        """True when any of platform, region or category narrows the data."""
        return bool(self.platforms or self.regions or self.categories)


def dimension_condition(filters: Filters, kind: str, alias: str = "") -> tuple[str, dict]:
    """`and …` conditions for the platform/region/category filters on a table kind, with bound values."""
    columns = DIMENSION_COLUMNS[kind]
    prefix = f"{alias}." if alias else ""
    values = {"platform": filters.platforms, "region": filters.regions, "category": filters.categories}
    sql, params = [], {}
    for dimension, column in columns.items():
        chosen = values[dimension]
        if chosen:
            name = f"f_{dimension}"
            sql.append(f"and list_contains(${name}::varchar[], {prefix}{column})")
            params[name] = list(chosen)
    return " ".join(sql), params


def window_condition(window: Window | None, column: str, prefix: str = "w") -> tuple[str, dict]:
    """`and start <= column < end` for a window, with bound values (nothing for an open end)."""
    if window is None:
        return "", {}
    sql, params = [], {}
    if window.start is not None:
        sql.append(f"and {column} >= ${prefix}_start")
        params[f"{prefix}_start"] = window.start
    if window.end is not None:
        sql.append(f"and {column} < ${prefix}_end")
        params[f"{prefix}_end"] = window.end
    return " ".join(sql), params
