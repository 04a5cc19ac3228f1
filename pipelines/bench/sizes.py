"""Market sizes of the benchmark (`1M`, `10M`, `30M`, `200k`) and the generator parameters behind them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from pipelines.demo_market.params import GeneratorParams

# Measured shapes (docs/demo-market.md, README): the defaults give 1,014,704 orders;
# 50,000 shops over 365 days give 10,564,935.
PRESETS = {1_000_000: (2000, 180), 10_000_000: (50_000, 365)}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")
_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000}


@dataclass(frozen=True)
class BenchMarket:
    """A market the benchmark measures: its label (`1M`) and the parameters that generate it."""

    label: str
    params: GeneratorParams

    @property
    def key(self) -> str:
        """Cache key: label, seed and a digest of every parameter but the transactions' file format."""
        values = params_to_json(dataclasses.replace(self.params, transactions_format="parquet"))
        digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:8]
        return f"{self.label}-seed{self.params.seed}-{digest}"


def parse_size(text: str) -> int:
    """Orders from `1M`, `10m`, `200k`, `1.5M` or `1000000`."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 1M, 10M, 200k)")
    number, suffix = match.groups()
    orders = round(float(number) * _SUFFIX[suffix.lower()])
    if orders < 1000:
        raise ValueError(f"size {text!r} is below 1,000 orders")
    return orders


def size_label(orders: int) -> str:
    """`1M`, `10M`, `250k`, or the number itself."""
    for unit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if orders % unit == 0:
            return f"{orders // unit}{suffix}"
    return str(orders)


def market_for(orders: int, seed: int = 42) -> BenchMarket:
    """The demo market of about `orders` orders.

    1M and 10M use the measured shapes above (organic orders derived by the generator, which
    adds planted ones: 1.01M and 10.56M). Other sizes set the organic orders explicitly over
    180 days up to 2M and 365 days beyond, with shops growing like the generator's √shops × days
    rule up to 10M and linearly after (150,000 shops at 30M).
    """
    if orders in PRESETS:
        merchants, days = PRESETS[orders]
        params = GeneratorParams(seed=seed, merchants=merchants, days=days)
    else:
        days = 180 if orders <= 2_000_000 else 365
        if orders <= 10_000_000:
            merchants = round(2000 * (orders / 1_000_000 * 180 / days) ** 2)
        else:
            merchants = round(50_000 * orders / 10_000_000)
        params = GeneratorParams(seed=seed, merchants=max(merchants, 50), days=days, orders=orders)
    return BenchMarket(size_label(orders), params)


def params_to_json(params: GeneratorParams) -> dict:
    """Generator parameters as plain JSON values (the child process rebuilds them)."""
    values = dataclasses.asdict(params)
    values["start"] = params.start.isoformat()
    return values


def params_from_json(values: dict) -> GeneratorParams:
    """The inverse of params_to_json: dates and (min, max) pairs restored."""
    restored = dict(values)
    restored["start"] = dt.date.fromisoformat(values["start"])
    for name, value in values.items():
        if isinstance(value, list):
            restored[name] = tuple(value)
    return GeneratorParams(**restored)
