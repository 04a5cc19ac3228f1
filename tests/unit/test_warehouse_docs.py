"""The docs keep up with the code: the contract table is generated from the schema, the naming rule is written down."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.contract_docs import DOC_PATH, render_contract_markdown
from warehouse.schema import DATASETS

WAREHOUSE_DOC = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"


def test_contract_doc_matches_the_schema() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_contract_markdown(), (
        "docs/data-contract.md is stale: run `python -m warehouse.contract_docs`"
    )


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_contract_doc_lists_every_column(dataset: str) -> None:
    text = render_contract_markdown()
    for column in DATASETS[dataset].column_names:
        assert f"| {column} |" in text


@pytest.mark.parametrize(
    "term",
    [
        "raw_<dataset>",
        "quarantine_<dataset>",
        "stg_<dataset>",
        "load_log",
        "load_checks",
        "_int_",
        "out_",
        "os.replace",
        "connect_readonly",
        "open_for_write",
        "exit status",
    ],
)
def test_warehouse_doc_explains(term: str) -> None:
    assert term in WAREHOUSE_DOC.read_text(encoding="utf-8")
