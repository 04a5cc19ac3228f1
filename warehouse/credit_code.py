"""Unified Social Credit Code (GB 32100-2015) and organisation code (GB 11714) check digits."""

from __future__ import annotations

# GB 32100-2015 alphabet: digits and upper-case letters without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

# GB 11714-1997 organisation code: 8 body characters (0-9, A-Z) and a check character.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(body: str) -> str:
    """Return the 18th character for a 17-character USCC body; ValueError if the body is malformed."""
    if len(body) != 17:
        raise ValueError(f"a credit code body has 17 characters, got {len(body)}")
    try:
        total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body, USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a credit code") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str | None) -> bool:
    """True when `code` has 18 allowed characters and its last one is the GB 32100 check character."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    try:
        return uscc_check_char(code[:17]) == code[17]
    except ValueError:
        return False


def org_check_char(body: str) -> str:
    """Return the GB 11714 check character (0-9 or X) for an 8-character organisation code body."""
    if len(body) != 8:
        raise ValueError(f"an organisation code body has 8 characters, got {len(body)}")
    total = 0
    for ch, w in zip(body, ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            raise ValueError(f"character {ch!r} is not allowed in an organisation code")
        total += value * w
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
