"""Knobs of the demo market: its size, the misconduct it plants, and per-category behaviour."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

# Harm → the patterns that plant it (see shared DETECTION.md, last section).
HARM_PATTERNS: dict[str, tuple[str, ...]] = {
    "fake_trade": ("crowd_ring", "private_ring", "promo_burst"),
    "fraud": ("false_advertising", "counterfeit", "non_delivery"),
    "after_sales": ("slow_refund", "refused_returns", "unresponsive"),
    "license": (
        "missing_code",
        "invalid_check_digit",
        "license_expired",
        "license_revoked",
        "abnormal_operation",
        "no_sector_permit",
        "out_of_scope",
        "new_company_top_sales",
    ),
}
HARMS = tuple(HARM_PATTERNS)
HARD_NEGATIVE_KINDS = ("viral_burst", "high_return_apparel", "complaints_resolved_fast", "big_shop")


@dataclass(frozen=True)
class CategoryProfile:
    """How orders of one merchant category behave in the background market."""

    merchant_share: float
    price_median_cny: float
    price_sigma: float
    weight_median_g: float
    return_rate: float  # share of delivered orders with a refund or return request
    complaints_per_1000: float  # organic complaints per 1,000 orders
    repeat_share: float  # share of orders placed by the shop's regular customers
    sector_permit: str | None  # permit the category needs besides the business licence


CATEGORIES: dict[str, CategoryProfile] = {
    "服装": CategoryProfile(0.22, 129, 0.6, 450, 0.10, 1.2, 0.12, None),
    "食品": CategoryProfile(0.17, 49, 0.5, 1200, 0.02, 1.0, 0.35, "food_operation"),
    "数码": CategoryProfile(0.13, 399, 0.9, 600, 0.06, 1.8, 0.10, None),
    "美妆": CategoryProfile(0.14, 159, 0.6, 300, 0.05, 1.5, 0.30, "cosmetics"),
    "母婴": CategoryProfile(0.10, 119, 0.6, 1500, 0.05, 1.4, 0.30, None),
    "家电": CategoryProfile(0.08, 699, 0.8, 6000, 0.06, 2.0, 0.08, None),
    "医疗器械": CategoryProfile(0.05, 259, 0.7, 800, 0.04, 1.6, 0.15, "medical_device"),
    "家居": CategoryProfile(0.11, 89, 0.7, 2000, 0.06, 1.0, 0.15, None),
}

# Organic complaint mix (categories of shared/DATA_CONTRACT.md), before any planted pattern shifts it.
ORGANIC_COMPLAINT_MIX: dict[str, float] = {
    "quality": 0.25,
    "after_sales": 0.14,
    "refund_refused": 0.09,
    "non_delivery": 0.09,
    "false_advertising": 0.08,
    "counterfeit": 0.05,
    "price": 0.10,
    "privacy": 0.04,
    "fraud": 0.03,
    "other": 0.13,
}

# Platforms of the demo market (fictional) and their share of shops.
PLATFORM_NAMES = ("星河商城", "拼拼团", "好物直播", "速购网", "优品汇", "乐淘集市")
PLATFORM_SHARES = (0.30, 0.24, 0.17, 0.13, 0.10, 0.06)


@dataclass(frozen=True)
class GeneratorParams:
    """Everything that shapes one demo market; the same params give byte-identical files."""

    seed: int = 42
    merchants: int = 2000
    days: int = 180
    start: dt.date = dt.date(2026, 6, 1)
    orders: int | None = None  # organic orders; None derives it from merchants and days
    orders_per_buyer: float = 4.0
    platforms: int = 6

    # Share of shops planted per harm (each planted shop may get a second pattern).
    planted_share: dict[str, float] = field(
        default_factory=lambda: {"fake_trade": 0.03, "fraud": 0.03, "after_sales": 0.03, "license": 0.03}
    )
    second_pattern_share: float = 0.2
    hard_negative_share: float = 0.03

    # Fake trades.
    camouflage_per_fake_order: float = 1.0  # orders a ring worker places at popular shops per fake order
    ring_workers: tuple[int, int] = (150, 400)
    ring_shops: tuple[int, int] = (10, 40)
    ring_density: float = 0.6  # chance a worker orders once from each client shop of the ring
    private_ring_accounts: tuple[int, int] = (10, 40)
    promo_fake_share: tuple[float, float] = (0.2, 0.5)  # fake share of daily volume before a promotion

    # Complaints.
    complaint_label_noise: float = 0.08  # categorised complaints whose category is wrong
    uncategorised_share: float = 0.25
    shop_name_only_share: float = 0.35  # complaints naming the shop but not its merchant_id
    misspelled_shop_share: float = 0.3  # of those naming the shop, how many misspell it

    # Output form.
    csv_encoding: str = "utf-8"  # utf-8, utf-8-sig, gb18030, or mixed (one dataset each)
    transactions_format: str = "parquet"  # parquet or csv

    @property
    def end(self) -> dt.date:
        """The first day after the generated period."""
        return self.start + dt.timedelta(days=self.days)

    @property
    def organic_orders(self) -> int:
        """Target organic orders: about 1M at the defaults, growing with √merchants × days.

        Larger markets add mostly long-tail shops, so volume grows slower than the shop count.
        """
        if self.orders is not None:
            return self.orders
        return round(1_000_000 * (self.merchants / 2000) ** 0.5 * self.days / 180)

    def as_dict(self) -> dict:
        """Params as plain JSON-ready values, for the ground-truth manifest."""
        values = asdict(self)
        values["start"] = self.start.isoformat()
        values["organic_orders"] = self.organic_orders
        return values


def parse_range(kind: type, text: str, separator: str = ",") -> tuple:
    """A (min, max) knob from text such as `150,400`; one number means min = max. ValueError if malformed."""
    low, _, high = text.strip().partition(separator)
    return (kind(low), kind(high or low))


def validate_params(params: GeneratorParams) -> None:
    """Raise ValueError naming the first knob that is out of range."""
    checks = [
        (params.merchants >= 20, "merchants must be at least 20"),
        (1 <= params.days <= 3660, "days must be between 1 and 3660"),
        (1 <= params.platforms <= len(PLATFORM_NAMES), f"platforms must be 1..{len(PLATFORM_NAMES)}"),
        (params.organic_orders >= params.merchants, "orders must be at least the number of merchants"),
        (params.orders_per_buyer >= 1, "orders_per_buyer must be at least 1"),
        (all(0 <= s <= 0.2 for s in params.planted_share.values()), "planted shares must be 0..0.2"),
        (set(params.planted_share) <= set(HARMS), f"planted_share harms must be among {HARMS}"),
        (0 <= params.hard_negative_share <= 0.2, "hard_negative_share must be 0..0.2"),
        (0 <= params.second_pattern_share <= 1, "second_pattern_share must be 0..1"),
        (params.camouflage_per_fake_order >= 0, "camouflage_per_fake_order must be ≥ 0"),
        (2 <= params.ring_workers[0] <= params.ring_workers[1], "ring_workers must be (min, max), min ≥ 2"),
        (2 <= params.ring_shops[0] <= params.ring_shops[1], "ring_shops must be (min, max), min ≥ 2"),
        (0 < params.ring_density <= 1, "ring_density must be in (0, 1]"),
        (
            2 <= params.private_ring_accounts[0] <= params.private_ring_accounts[1],
            "private_ring_accounts must be (min, max), min ≥ 2",
        ),
        (
            0 < params.promo_fake_share[0] <= params.promo_fake_share[1] < 1,
            "promo_fake_share must be (min, max) within (0, 1)",
        ),
        (0 <= params.complaint_label_noise <= 0.5, "complaint_label_noise must be 0..0.5"),
        (0 <= params.uncategorised_share <= 1, "uncategorised_share must be 0..1"),
        (0 <= params.shop_name_only_share <= 1, "shop_name_only_share must be 0..1"),
        (0 <= params.misspelled_shop_share <= 1, "misspelled_shop_share must be 0..1"),
        (
            params.csv_encoding in ("utf-8", "utf-8-sig", "gb18030", "mixed"),
            "csv_encoding must be utf-8, utf-8-sig, gb18030 or mixed",
        ),
        (params.transactions_format in ("parquet", "csv"), "transactions_format must be parquet or csv"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)


@dataclass(frozen=True)
class Knob:
    """A difficulty knob of the generator that --sweep can vary."""

    field: str  # GeneratorParams field
    kind: type  # int or float
    is_range: bool  # a (min, max) pair in GeneratorParams
    help: str


KNOBS = {
    "camouflage": Knob(
        "camouflage_per_fake_order",
        float,
        False,
        "camouflage orders at popular shops per fake order of a crowd ring",
    ),
    "ring-workers": Knob("ring_workers", int, True, "worker accounts per crowd ring"),
    "ring-density": Knob("ring_density", float, False, "chance a ring worker orders from each client shop"),
    "promo-fake-share": Knob(
        "promo_fake_share", float, True, "fake share of daily orders before a promotion"
    ),
    "label-noise": Knob(
        "complaint_label_noise", float, False, "share of categorised complaints with a wrong category"
    ),
}


def parse_knob_value(knob: Knob, text: str, pair_separator: str = ",") -> object:
    """One knob value from text: a number, or for range knobs MIN<sep>MAX (one number means MIN = MAX)."""
    try:
        if not knob.is_range:
            return knob.kind(text.strip())
        return parse_range(knob.kind, text, pair_separator)
    except ValueError:
        raise ValueError(f"not a value for {knob.field}: {text!r}") from None
