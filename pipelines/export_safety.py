"""Make text cells safe for spreadsheets: no formulas, no characters a workbook cannot hold."""

from __future__ import annotations

import re

# OWASP CSV-injection guidance: a cell starting with any of these may be run as a formula
# (= + - @) or may shift what the spreadsheet sees as the cell's first character (tab, CR).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The single quote tells Excel, LibreOffice and Google Sheets "this is text".
NEUTRALISING_PREFIX = "'"
# XML 1.0 forbids these control characters, so openpyxl refuses them; tab, LF and CR are allowed.
_UNWRITABLE_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise_formula(text: str) -> str:
    """`text` with a leading single quote if a spreadsheet could read it as a formula; otherwise unchanged."""
    if text.startswith(FORMULA_TRIGGERS):
        return NEUTRALISING_PREFIX + text
    return text


def strip_control_characters(text: str) -> str:
    """`text` without the control characters a workbook cannot store (tab, LF and CR are kept)."""
    return _UNWRITABLE_CONTROL_CHARACTERS.sub("", text)


def safe_text_cell(value: object) -> object:
    """A cell value ready for CSV or XLSX: text cleaned and neutralised, anything else unchanged."""
    if not isinstance(value, str):
        return value
    # Strip first: "\x01=cmd" would otherwise become "=cmd" after cleaning, unneutralised.
    return neutralise_formula(strip_control_characters(value))
