"""Mask personal data (names, phones) before anything reaches a page, driven by the contract's personal flags."""

from __future__ import annotations

import re

import pandas as pd

from warehouse.schema import DATASETS

# Every column the contract marks personal, in any dataset; and which of them are phones.
PERSONAL_COLUMNS = frozenset(c for d in DATASETS.values() for c in d.personal_columns)
PHONE_COLUMNS = frozenset(c for c in PERSONAL_COLUMNS if "phone" in c)
# Mainland mobile numbers, with an optional +86 / 0086 prefix and blanks or dashes inside, and
# landlines (area code + 7–8 digits): what a consumer may type into a complaint's free text.
# Digit boundaries keep order numbers and amounts intact.
_PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}-?\d{7,8})(?!\d)"
)


def mask_name(value: object) -> object:
    """张三 → 张*: the first character and one star, so the length is not revealed either."""
    if not isinstance(value, str) or not value.strip():
        return value
    return value.strip()[0] + "*"


def mask_phone(value: object) -> object:
    """13812341234 → 138****1234 (first three and last four digits); short numbers become ****."""
    if not isinstance(value, str) or not value.strip():
        return value
    digits = re.sub(r"\D", "", value)
    for prefix in ("0086", "86"):  # the country code of a mobile number
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if len(digits) < 8:
        return "****"
    return digits[:3] + "****" + digits[-4:]


def mask_text(text: object, names: tuple[str, ...] = ()) -> object:
    """Free text with phone numbers masked, and any of `names` (e.g. the complainant's) masked where they occur."""
    if not isinstance(text, str):
        return text
    masked = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    for name in names:
        if isinstance(name, str) and len(name.strip()) >= 2:
            masked = masked.replace(name.strip(), mask_name(name))
    return masked


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every personal column masked (names to 张*, phones to 138****1234)."""
    personal = [c for c in frame.columns if c in PERSONAL_COLUMNS]
    if not personal:
        return frame
    masked = frame.copy()
    for column in personal:
        mask = mask_phone if column in PHONE_COLUMNS else mask_name
        masked[column] = masked[column].map(mask)
    return masked
