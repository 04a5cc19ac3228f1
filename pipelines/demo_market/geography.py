"""Provinces and cities of the demo market, as arrays the simulation can index."""

from __future__ import annotations

import numpy as np

from pipelines.demo_market.vocab import PROVINCES

PROVINCE_NAMES: tuple[str, ...] = tuple(PROVINCES)
PROVINCE_CODES: tuple[str, ...] = tuple(PROVINCES[p]["code"] for p in PROVINCE_NAMES)
_weights = np.array([PROVINCES[p]["weight"] for p in PROVINCE_NAMES], dtype=float)
PROVINCE_WEIGHTS: np.ndarray = _weights / _weights.sum()
CITIES: tuple[tuple[tuple[str, str], ...], ...] = tuple(PROVINCES[p]["cities"] for p in PROVINCE_NAMES)


def random_city(rng: np.random.Generator, province: int) -> tuple[str, str]:
    """A city of `province` (index into PROVINCE_NAMES) and its 6-digit division code."""
    cities = CITIES[province]
    return cities[int(rng.integers(0, len(cities)))]


def random_city_code(rng: np.random.Generator, province: int | None = None) -> str:
    """The division code of a random city, in `province` or anywhere weighted by activity."""
    if province is None:
        province = int(rng.choice(len(PROVINCE_NAMES), p=PROVINCE_WEIGHTS))
    return random_city(rng, province)[1]
