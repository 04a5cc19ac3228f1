"""Check digits of the Unified Social Credit Code (GB 32100-2015) and organisation code (GB 11714)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.credit_code import USCC_ALPHABET, is_valid_uscc, org_check_char, uscc_check_char

REAL_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "real" / "china-enterprise-registry"

bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("91110113MA01GHE6XA", True),  # from the public registry sample
        ("91110105MA01GHN16Q", True),
        ("91110113MA01GHE6XB", False),  # wrong check character
        ("91110113MA01GHE6X", False),  # too short
        ("91110113MA01GHE6XAA", False),  # too long
        ("91110113MA01GHE6XI", False),  # I is not in the alphabet
        ("91110113ma01ghe6xa", False),  # lower case is not a valid code
        ("", False),
        (None, False),
    ],
)
def test_known_codes(code, valid):
    assert is_valid_uscc(code) is valid


@given(bodies)
def test_appended_check_char_validates(body):
    assert is_valid_uscc(body + uscc_check_char(body))


@given(bodies, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=30))
def test_any_single_substitution_is_detected(body, position, shift):
    code = body + uscc_check_char(body)
    changed = USCC_ALPHABET[(USCC_ALPHABET.index(code[position]) + shift) % 31]
    typo = code[:position] + changed + code[position + 1 :]
    assert not is_valid_uscc(typo)


@given(st.text(min_size=17, max_size=17).filter(lambda s: any(c not in USCC_ALPHABET for c in s)))
def test_body_outside_alphabet_is_rejected(body):
    with pytest.raises(ValueError):
        uscc_check_char(body)


@pytest.mark.parametrize(("body", "check"), [("MA01GHE6", "X"), ("MA01GHN1", "6"), ("D2143569", "X")])
def test_organisation_check_char(body, check):
    assert org_check_char(body) == check


@pytest.mark.skipif(not REAL_SAMPLES.exists(), reason="shared/real registry sample not present")
def test_every_real_registry_code_passes_both_checks():
    codes = []
    for path in sorted(REAL_SAMPLES.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            codes += [row["统一社会信用代码"] for row in csv.DictReader(f)]
    assert len(codes) > 10_000
    assert all(is_valid_uscc(c) for c in codes)
    assert all(org_check_char(c[8:16]) == c[16] for c in codes)
