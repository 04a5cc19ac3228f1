"""Formula neutralising and cell cleaning for spreadsheet exports (pipelines/export_safety.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.export_safety import (
    FORMULA_TRIGGERS,
    neutralise_formula,
    safe_text_cell,
    strip_control_characters,
)

triggers = st.sampled_from(FORMULA_TRIGGERS)
harmless_text = st.text().filter(lambda s: not s.startswith(FORMULA_TRIGGERS))


@given(trigger=triggers, rest=st.text())
def test_text_starting_with_a_trigger_is_prefixed(trigger: str, rest: str) -> None:
    out = neutralise_formula(trigger + rest)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert out == "'" + trigger + rest  # the text itself survives, one quote in front


@given(harmless_text)
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise_formula(text) == text


@given(st.text())
def test_safe_text_cell_never_starts_with_a_trigger_nor_keeps_control_characters(text: str) -> None:
    out = safe_text_cell(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in out)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\x01=cmd|' /c calc'!A1", "'=cmd|' /c calc'!A1"),  # cleaned first, then neutralised
        ("星河旗舰店", "星河旗舰店"),
        ("店铺=好", "店铺=好"),  # only the first character matters
        ("'=already quoted", "'=already quoted"),
        ("", ""),
        (None, None),
        (12, 12),
        (-3.5, -3.5),  # numbers are numbers, never text
    ],
)
def test_safe_text_cell_examples(value: object, expected: object) -> None:
    assert safe_text_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a\x00b", "ab"), ("a\x0bb\x1f", "ab"), ("line\nbreak\ttab\r", "line\nbreak\ttab\r"), ("中文", "中文")],
)
def test_strip_control_characters(value: str, expected: str) -> None:
    assert strip_control_characters(value) == expected
