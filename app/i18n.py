"""Every piece of text the interface shows, in Chinese and English, and the current language."""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from app.strings import LABELS, STRINGS

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANGUAGE_KEY = "lang"  # the session key and URL parameter holding the language


def current_language() -> str:
    """The language the session shows: zh unless the user (or the URL) chose en."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for `key` in the current language (or `lang`), with {placeholders} filled from `values`."""
    zh, en = STRINGS[key]
    text = en if (lang or current_language()) == "en" else zh
    return text.format(**values) if values else text


def label(kind: str, value: object, lang: str | None = None) -> str:
    """The display name of a code (a risk level, harm, category, region …); the code itself if unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    lang = lang or current_language()
    if kind == "region":
        return region_label(str(value), lang)
    names = LABELS.get(kind, {}).get(str(value))
    if names is None:
        return str(value)
    return names[1] if lang == "en" else names[0]


def region_label(value: str, lang: str | None = None) -> str:
    """A province by name or by its 6-digit administrative code, in the current language."""
    if value == "":
        return t("common.unknown", lang)
    name = PROVINCE_CODES.get(value[:2], value) if value.isdigit() and len(value) == 6 else value
    names = LABELS["province"].get(name)
    if names is None:
        return name
    return names[1] if (lang or current_language()) == "en" else names[0]


def labeler(kind: str) -> Callable[[object], str]:
    """A format_func for widgets showing codes of `kind`, fixed to the language of this run.

    Widgets keep their format_func after the run (AppTest formats values with it later), so
    it must not look the language up again when called.
    """
    lang = current_language()
    return lambda value: label(kind, value, lang)


def texter(prefix: str) -> Callable[[object], str]:
    """A format_func showing `t(prefix.value)`, fixed to the language of this run."""
    lang = current_language()
    return lambda value: t(f"{prefix}.{value}", lang)


def labels_for(kind: str, values) -> list[str]:
    """`label` over a sequence."""
    return [label(kind, v) for v in values]


def number(value: object, decimals: int = 0) -> str:
    """A number with thousands separators; an empty string for missing values."""
    if value is None:
        return "—"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "—"
    return f"{x:,.{decimals}f}"


def money(value: object) -> str:
    """CNY, abbreviated the way each language reads it (万/亿 in Chinese, K/M/B in English)."""
    if value is None:
        return "—"
    x = float(value)
    if math.isnan(x):
        return "—"
    if current_language() == "zh":
        if abs(x) >= 1e8:
            return f"¥{x / 1e8:,.2f} 亿"
        if abs(x) >= 1e4:
            return f"¥{x / 1e4:,.1f} 万"
        return f"¥{x:,.0f}"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= size:
            return f"¥{x / size:,.1f}{suffix}"
    return f"¥{x:,.0f}"


def percent(value: object, decimals: int = 0) -> str:
    """A share as a percentage."""
    if value is None:
        return "—"
    x = float(value)
    if math.isnan(x):
        return "—"
    return f"{100 * x:.{decimals}f}%"


# The first two digits of a GB/T 2260 administrative code name the province.
PROVINCE_CODES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林",
    "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东", "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃",
    "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾", "81": "香港", "82": "澳门",
}  # fmt: skip
