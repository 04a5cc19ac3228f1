"""Shared fixtures: small generated demo markets, built once per test session."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from pipelines.demo_market.generate import generate_market
from pipelines.demo_market.params import GeneratorParams

# Seeds the tests run on; nothing in the suite is tuned to one of them. Try others with
# MARKET_TEST_SEEDS=1,2,3 pytest tests/integration.
MARKET_SEEDS = tuple(int(s) for s in os.environ.get("MARKET_TEST_SEEDS", "11,23").split(","))

SMALL_MARKET = GeneratorParams(
    merchants=400,
    days=120,
    orders=200_000,
    planted_share={"fake_trade": 0.05, "fraud": 0.05, "after_sales": 0.05, "license": 0.05},
    hard_negative_share=0.05,
    ring_shops=(5, 10),
    ring_workers=(60, 120),
)


@dataclasses.dataclass(frozen=True)
class GeneratedMarket:
    """Where a generated market's feed and ground truth are, and the params that made it."""

    params: GeneratorParams
    feed: Path
    truth: Path


_markets: dict[tuple, GeneratedMarket] = {}


def small_market(tmp_root: Path, **overrides) -> GeneratedMarket:
    """A small market generated once per distinct set of params in this session."""
    params = dataclasses.replace(SMALL_MARKET, **overrides)
    key = tuple(sorted((k, repr(v)) for k, v in dataclasses.asdict(params).items()))
    if key not in _markets:
        root = tmp_root / f"market{len(_markets)}"
        generate_market(params, root / "feed", root / "truth")
        _markets[key] = GeneratedMarket(params, root / "feed", root / "truth")
    return _markets[key]


@pytest.fixture(scope="session")
def market_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("markets")


@pytest.fixture(scope="session", params=MARKET_SEEDS, ids=lambda s: f"seed{s}")
def market(request: pytest.FixtureRequest, market_root: Path) -> GeneratedMarket:
    """A small demo market with raised planted shares, for each test seed."""
    return small_market(market_root, seed=request.param)
