"""Render the data-contract tables of docs/data-contract.md from the schema (`python -m warehouse.contract_docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

from warehouse.schema import CREDIT_CODE_FLAG, DATASETS, Dataset, Field, has_credit_code_flag

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "data-contract.md"

HEADER = """\
# Data contract (generated)

<!-- Generated from warehouse/schema.py by `python -m warehouse.contract_docs`; do not edit by hand.
     tests/unit/test_warehouse_docs.py fails when this file and the schema disagree. -->

What the warehouse accepts: five datasets, recognised by the file name's first word
(or by a source mapping in warehouse/mappings/). **Required** columns must be present in
every file (a file without one is rejected) and filled in every row (a row without a
value is quarantined). Values outside a closed list, numbers out of range, text over
its maximum length and values that do not parse as their type send the row to
quarantine with every reason. Extra columns are kept in `stg_<dataset>`.
"""


def notes(f: Field) -> str:
    """The notes cell of one field: description, closed or example values, bounds, length, personal data."""
    parts = [f.description] if f.description else []
    if f.allowed:
        parts.append("one of " + ", ".join(f"`{v}`" for v in f.allowed))
    if f.examples:
        parts.append("e.g. " + ", ".join(f.examples))
    if f.min_value is not None and f.max_value is not None:
        parts.append(f"{f.min_value:g}–{f.max_value:g}")
    elif f.min_value is not None:
        parts.append(f"≥ {f.min_value:g}")
    elif f.max_value is not None:
        parts.append(f"≤ {f.max_value:g}")
    if f.max_length:
        parts.append(f"at most {f.max_length} characters")
    if f.personal:
        parts.append("**personal data**")
    return "; ".join(p.replace("|", "\\|") for p in parts)


def render_dataset(dataset: Dataset) -> str:
    """One dataset's section: description, key, and the column table."""
    lines = [f"## {dataset.name}", "", dataset.description, ""]
    lines.append(f"Key: ({', '.join(dataset.key)}){' — optional dataset' if dataset.optional else ''}.")
    if has_credit_code_flag(dataset):
        lines.append(
            f"Staged with `{CREDIT_CODE_FLAG}` (GB 32100 check digit; false when missing or wrong — a finding, not a reason to drop the row)."
        )
    lines += ["", "| column | type | stored as | required | notes |", "|---|---|---|---|---|"]
    for f in dataset.fields:
        required = "yes" if f.required else "no"
        lines.append(f"| {f.name} | {f.type} | {f.duckdb_type} | {required} | {notes(f)} |")
    return "\n".join(lines)


def render_contract_markdown() -> str:
    """The whole of docs/data-contract.md."""
    sections = [HEADER, *(render_dataset(d) for d in DATASETS.values())]
    return "\n\n".join(s.rstrip("\n") for s in sections) + "\n"


def main() -> int:
    """Write docs/data-contract.md (or print it with --stdout)."""
    text = render_contract_markdown()
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
