"""Assertions and lookups shared by the app tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app.strings import STRINGS

LANGUAGE_INDEX = {"zh": 0, "en": 1}


def text(key: str, lang: str = "zh", **values) -> str:
    """The interface text for `key` in `lang`, as the app shows it."""
    value = STRINGS[key][LANGUAGE_INDEX[lang]]
    return value.format(**values) if values else value


def assert_clean(at: AppTest) -> None:
    """No exception and no error box anywhere on the page."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def plotly_charts(at: AppTest) -> list:
    """The Plotly charts on the page."""
    return list(at.get("plotly_chart"))


def everything_shown(at: AppTest) -> str:
    """All text and table cells of the page, joined (to search for data that must not appear)."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [e.value for e in at.info] + [e.value for e in at.text]
    for frame in list(at.dataframe) + list(at.table):
        parts.append(frame.value.to_csv())
    return "\n".join(str(p) for p in parts)
