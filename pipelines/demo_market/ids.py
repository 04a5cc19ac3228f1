"""Deterministic pseudonymous ids and hashes for the demo market, built vectorised with numpy."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(values: np.ndarray, salt: int) -> np.ndarray:
    """Mix integers into well-spread 64-bit values; the same (values, salt) always give the same output."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64((salt * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) & _MASK64


def hex_ids(values: np.ndarray, salt: int, prefix: str = "", digits: int = 16) -> pa.Array:
    """Hash integers to fixed-width lower-case hex strings (an Arrow string array), e.g. device hashes."""
    if not 1 <= digits <= 16:
        raise ValueError("digits must be 1..16")
    mixed = splitmix64(np.asarray(values), salt)
    nibbles = (mixed[:, None] >> (np.arange(15, -1, -1, dtype=np.uint64) * np.uint64(4))) & np.uint64(15)
    chars = _HEX[nibbles.astype(np.intp)][:, 16 - digits :]
    raw = np.ascontiguousarray(chars).view(f"S{digits}").ravel()
    text = pa.array(raw, type=pa.binary(digits)).cast(pa.string())
    if prefix:
        text = pc.binary_join_element_wise(pa.scalar(prefix), text, "")
    return text


def numbered_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Zero-padded ids such as M0000123 as an Arrow string array."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "") if prefix else digits
