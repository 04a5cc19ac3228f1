"""Source-format mappings: how a real feed's own headers map onto a contract dataset (warehouse/mappings/*.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.schema import DATASETS, Dataset, normalise_header

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

# Value clean-ups a mapping may ask for, as SQL over one text value. `{value}` is the
# column's expression; `{na_values}` the bound list NA_VALUES.
CLEANUPS = {
    "upper": "upper({value})",
    "lower": "lower({value})",
    "na_to_null": "case when list_contains({na_values}, upper({value})) then null else {value} end",
}
# What registries write for "nothing here".
NA_VALUES = ("N/A", "NA", "NULL", "NONE", "-", "--", "无", "暂无")


@dataclass(frozen=True)
class Mapping:
    """One source format: the dataset it feeds, contract column → source column, constants and clean-ups."""

    name: str
    dataset: Dataset
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    cleanups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""

    def matches(self, header: list[str]) -> bool:
        """True when every source column this mapping names appears in `header`."""
        present = {normalise_header(h) for h in header}
        return all(normalise_header(src) in present for src in self.columns.values())


def parse_mapping(name: str, text: str) -> Mapping:
    """A Mapping from TOML text; ValueError naming what is wrong."""
    data = tomllib.loads(text)
    dataset = DATASETS.get(data.get("dataset", ""))
    if dataset is None:
        raise ValueError(f"mapping {name}: dataset must be one of {', '.join(DATASETS)}")
    columns = dict(data.get("columns", {}))
    constants = {k: str(v) for k, v in data.get("constants", {}).items()}
    cleanups = {k: tuple(v) for k, v in data.get("cleanups", {}).items()}
    for contract_name in [*columns, *constants, *cleanups]:
        if contract_name not in dataset.column_names:
            raise ValueError(f"mapping {name}: {dataset.name} has no column {contract_name!r}")
    for contract_name, steps in cleanups.items():
        unknown = [s for s in steps if s not in CLEANUPS]
        if unknown:
            raise ValueError(f"mapping {name}: unknown clean-up {unknown[0]!r} for {contract_name}")
    both = set(columns) & set(constants)
    if both:
        raise ValueError(f"mapping {name}: {sorted(both)[0]} is both a source column and a constant")
    return Mapping(name, dataset, columns, constants, cleanups, data.get("description", ""))


def available_mappings() -> dict[str, Mapping]:
    """Every mapping shipped in warehouse/mappings/, by name (the file's stem)."""
    return {
        p.stem: parse_mapping(p.stem, p.read_text(encoding="utf-8"))
        for p in sorted(MAPPINGS_DIR.glob("*.toml"))
    }


def get_mapping(name: str) -> Mapping:
    """The mapping called `name`; ValueError listing the known names if there is none."""
    mappings = available_mappings()
    if name not in mappings:
        raise ValueError(f"unknown mapping {name!r}; known: {', '.join(mappings) or 'none'}")
    return mappings[name]


def mapping_for_header(header: list[str]) -> Mapping | None:
    """The one shipped mapping whose source columns all appear in `header`; None if none or several do."""
    matching = [m for m in available_mappings().values() if m.matches(header)]
    return matching[0] if len(matching) == 1 else None
