"""Match a feed's header to a dataset: which source column feeds each contract column, what is kept as extra."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.ddl import RESERVED_COLUMNS
from warehouse.mappings import Mapping
from warehouse.schema import Dataset, normalise_header, quote_identifier
from warehouse.validation import Binder


@dataclass(frozen=True)
class ColumnPlan:
    """Where each raw column of a part comes from: a source column, a mapping constant, or an extra column kept."""

    sources: dict[str, str]
    constants: dict[str, str]
    extras: dict[str, str]
    missing_required: tuple[str, ...]
    absent: tuple[str, ...] = ()


def plan_columns(header: list[str], dataset: Dataset, mapping: Mapping | None) -> ColumnPlan:
    """Match a file's header to the dataset (through the mapping, if any); the rest become extra columns."""
    by_name: dict[str, str] = {}
    for h in header:
        by_name.setdefault(normalise_header(h), h)
    constants = dict(mapping.constants) if mapping else {}
    sources: dict[str, str] = {}
    for contract, source in (mapping.columns if mapping else {}).items():
        if normalise_header(source) in by_name:
            sources[contract] = by_name[normalise_header(source)]
    for name in dataset.column_names:
        h = by_name.get(name)
        if name not in sources and name not in constants and h is not None and h not in sources.values():
            sources[name] = h
    used = set(sources.values())
    taken = {c.lower() for c in dataset.column_names} | RESERVED_COLUMNS
    extras: dict[str, str] = {}
    for h in header:
        if h in used:
            continue
        name, n = h, 1
        while name.lower() in taken:
            # A feed column that would shadow one of ours keeps its values under a new name.
            name, n = f"{h}_extra{'' if n == 1 else n}", n + 1
        taken.add(name.lower())
        extras[name] = h
    missing = tuple(
        f.name for f in dataset.fields if f.required and f.name not in sources and f.name not in constants
    )
    absent = tuple(f.name for f in dataset.fields if f.name not in sources and f.name not in constants)
    return ColumnPlan(sources, constants, extras, missing, absent)


def source_select(plan: ColumnPlan, b: Binder, cast_to_text: bool) -> str:
    """The select list that turns a source relation `src` into raw columns (contract names, then extras)."""

    def value(header: str) -> str:
        column = f"src.{quote_identifier(header)}"
        return f"cast({column} as varchar)" if cast_to_text else column

    items = [f"{value(h)} as {quote_identifier(c)}" for c, h in plan.sources.items()]
    items += [f"{b.bind(v)} as {quote_identifier(c)}" for c, v in plan.constants.items()]
    items += [f"cast(null as varchar) as {quote_identifier(c)}" for c in plan.absent]
    items += [f"{value(h)} as {quote_identifier(name)}" for name, h in plan.extras.items()]
    return ",\n    ".join(items)


def source_names(plan: ColumnPlan) -> list[str]:
    """The columns source_select gives, in its order: contract columns, then extras."""
    return [*plan.sources, *plan.constants, *plan.absent, *plan.extras]
