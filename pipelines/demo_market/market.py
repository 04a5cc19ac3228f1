"""The static demo market: platforms, companies and their licences, shops, and buyer accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pipelines.demo_market import geography, text
from pipelines.demo_market.params import (
    CATEGORIES,
    ORGANIC_COMPLAINT_MIX,
    PLATFORM_NAMES,
    PLATFORM_SHARES,
    GeneratorParams,
)
from warehouse.credit_code import USCC_ALPHABET, org_check_char, uscc_check_char
from warehouse.schema import COMPLAINT_CATEGORIES, REFUND_REASONS

CATEGORY_NAMES = tuple(CATEGORIES)
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # letters a registry actually issues in org codes


@dataclass
class Companies:
    """Registered companies (one business licence each, plus sector permits)."""

    credit_code: list[str]
    name: list[str]
    city: list[str]
    province: np.ndarray  # index into geography.PROVINCE_NAMES
    registered_on: np.ndarray  # datetime64[D]
    legal_representative: list[str]
    scope_covers_category: np.ndarray  # bool
    category: np.ndarray  # index into CATEGORY_NAMES of the company's main trade


@dataclass
class Merchants:
    """Shops and the behaviour the market simulation gives each of them."""

    platform: np.ndarray
    merchant_id: list[str]
    shop_name: list[str]
    category: np.ndarray
    province: np.ndarray
    region_text: list[str]
    opened_on: np.ndarray  # datetime64[D]
    popularity: np.ndarray
    price_level: np.ndarray
    company: np.ndarray  # index into Companies
    displayed_code: list[str]  # "" when the shop shows none
    # Behaviour, per shop.
    ship_hours: np.ndarray
    refund_rate: np.ndarray
    refund_reason_mix: np.ndarray  # (M, len(REFUND_REASONS))
    refuse_eligible_return: np.ndarray
    refund_latency_factor: np.ndarray
    non_delivery: np.ndarray
    bought_review_share: np.ndarray
    empty_parcel_share: np.ndarray  # of the shop's fake orders, how many ship an empty parcel
    complaint_rate: np.ndarray  # complaints per order
    complaint_mix: np.ndarray  # (M, len(COMPLAINT_CATEGORIES))
    service: np.ndarray  # 0 ordinary, 1 unresponsive, 2 resolves fast
    repeat_complainant: np.ndarray

    def __len__(self) -> int:
        return len(self.merchant_id)


@dataclass
class Buyers:
    """Buyer accounts; each belongs to one platform. Ring accounts come after the organic ones."""

    platform: np.ndarray
    province: np.ndarray
    activity: np.ndarray
    device: np.ndarray  # (B, 2): primary and secondary device id, -1 when none
    address: np.ndarray  # (B, 2)
    organic_count: int
    platform_start: np.ndarray  # first organic buyer index per platform
    platform_stop: np.ndarray
    next_device: int = 0
    next_address: int = 0
    # Accounts added by planting, joined onto the arrays above by finalize().
    _pending: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    _count: int = -1

    def __len__(self) -> int:
        return len(self.platform) if self._count < 0 else self._count

    def add_accounts(
        self, platform: int, province: np.ndarray, device: np.ndarray, address: np.ndarray
    ) -> np.ndarray:
        """Add accounts that only planted orders use; returns their buyer indices."""
        n = len(province)
        start = len(self)
        self._pending.append((np.full(n, platform), np.asarray(province), device, address))
        self._count = start + n
        return np.arange(start, start + n)

    def finalize(self) -> None:
        """Join the added accounts onto the buyer arrays (once, after planting)."""
        if not self._pending:
            return
        platforms, provinces, devices, addresses = zip(*self._pending, strict=True)
        self.platform = np.concatenate([self.platform, *platforms])
        self.province = np.concatenate([self.province, *provinces])
        self.activity = np.concatenate([self.activity, np.zeros(sum(len(p) for p in platforms))])
        self.device = np.concatenate([self.device, *devices])
        self.address = np.concatenate([self.address, *addresses])
        self._pending = []
        self._count = -1

    def new_devices(self, n: int) -> np.ndarray:
        """Fresh device ids, never used by any other account so far."""
        ids = np.arange(self.next_device, self.next_device + n)
        self.next_device += n
        return ids

    def new_addresses(self, n: int) -> np.ndarray:
        """Fresh address ids, never used by any other account so far."""
        ids = np.arange(self.next_address, self.next_address + n)
        self.next_address += n
        return ids


@dataclass
class LicenceRow:
    """One row of the licences dataset."""

    company: int
    license_type: str
    status: str
    issued_on: dt.date | None
    expires_on: dt.date | None


@dataclass
class Market:
    """The whole static market; the planting step edits it before any order is drawn."""

    params: GeneratorParams
    platform_ids: list[str]
    platform_names: list[str]
    platform_operator_codes: list[str]
    companies: Companies
    merchants: Merchants
    buyers: Buyers
    licences: list[LicenceRow] = field(default_factory=list)


def random_credit_code(rng: np.random.Generator, division_code: str, kind: str = "91") -> str:
    """A valid USCC: registration kind, 6-digit division, GB 11714 organisation code, check char."""
    body = "".join(rng.choice(list(_ORG_ALPHABET), size=8))
    if rng.random() < 0.6:  # codes issued since 2015 carry MA-series organisation codes
        body = "MA" + body[2:]
    org = body + org_check_char(body)
    first17 = kind + division_code + org
    return first17 + uscc_check_char(first17)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (28 February for a 29 February start)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def corrupt_check_char(rng: np.random.Generator, code: str) -> str:
    """The same code with a wrong check character, as a shop that made its code up would show."""
    right = code[17]
    wrong = rng.choice([c for c in USCC_ALPHABET if c != right])
    return code[:17] + str(wrong)


def build_market(params: GeneratorParams, rng: np.random.Generator) -> Market:
    """Draw platforms, companies, shops and buyers with ordinary (unplanted) behaviour."""
    n_platforms = params.platforms
    platform_ids = [f"P{i + 1:02d}" for i in range(n_platforms)]
    shares = np.array(PLATFORM_SHARES[:n_platforms])
    shares = shares / shares.sum()
    operator_codes = [random_credit_code(rng, geography.random_city_code(rng, p)) for p in range(n_platforms)]

    m = params.merchants
    platform = rng.choice(n_platforms, size=m, p=shares)
    cat_share = np.array([c.merchant_share for c in CATEGORIES.values()])
    category = rng.choice(len(CATEGORY_NAMES), size=m, p=cat_share / cat_share.sum())
    province = rng.choice(len(geography.PROVINCE_NAMES), size=m, p=geography.PROVINCE_WEIGHTS)
    popularity = rng.lognormal(0.0, 1.3, size=m)
    price_level = rng.lognormal(0.0, 0.3, size=m)

    start = np.datetime64(params.start, "D")
    age_days = np.minimum(rng.lognormal(np.log(700), 0.9, size=m), 4000).astype(int)
    opened_on = start - age_days
    newcomers = rng.random(m) < 0.08  # shops that open during the period
    opened_on[newcomers] = start + rng.integers(0, max(params.days - 14, 1), size=newcomers.sum())

    # Most shops are run by their own company; some companies run shops on several platforms.
    n_companies = max(1, round(m * 0.92))
    company = np.empty(m, dtype=np.int64)
    company[:n_companies] = np.arange(n_companies)
    company[n_companies:] = rng.integers(0, n_companies, size=m - n_companies)
    order = rng.permutation(m)
    company = company[order]

    companies = _build_companies(rng, params, company, category, province, opened_on)
    # A shop's category and place follow its company's.
    category = companies.category[company]
    province = companies.province[company]

    shop_names = _unique_names(
        [text.shop_name(rng, CATEGORY_NAMES[category[i]], companies.city[company[i]]) for i in range(m)]
    )
    merchant_numbers = rng.choice(np.arange(10_000_000, 99_999_999), size=m, replace=False)
    merchant_id = [f"M{n}" for n in merchant_numbers]
    region_text = [
        geography.PROVINCE_CODES[province[i]]
        if rng.random() < 0.15
        else geography.PROVINCE_NAMES[province[i]]
        for i in range(m)
    ]
    displayed = [companies.credit_code[company[i]] for i in range(m)]

    merchants = Merchants(
        platform=platform,
        merchant_id=merchant_id,
        shop_name=shop_names,
        category=category,
        province=province,
        region_text=region_text,
        opened_on=opened_on,
        popularity=popularity,
        price_level=price_level,
        company=company,
        displayed_code=displayed,
        **_ordinary_behaviour(rng, category),
    )
    buyers = _build_buyers(rng, params, merchants, n_platforms)
    market = Market(
        params=params,
        platform_ids=platform_ids,
        platform_names=list(PLATFORM_NAMES[:n_platforms]),
        platform_operator_codes=operator_codes,
        companies=companies,
        merchants=merchants,
        buyers=buyers,
    )
    market.licences = _ordinary_licences(rng, params, companies)
    return market


def _build_companies(
    rng: np.random.Generator,
    params: GeneratorParams,
    company: np.ndarray,
    category: np.ndarray,
    province: np.ndarray,
    opened_on: np.ndarray,
) -> Companies:
    n = int(company.max()) + 1
    # A company takes the category and province of the first shop that names it.
    first_shop = np.full(n, -1)
    for shop in range(len(company) - 1, -1, -1):
        first_shop[company[shop]] = shop
    comp_category = category[first_shop]
    comp_province = province[first_shop]
    cities, division_codes = zip(*(geography.random_city(rng, p) for p in comp_province), strict=True)
    # Companies register before their first shop opens: months to years before.
    lead_days = rng.lognormal(np.log(400), 0.8, size=n).astype(int) + 20
    registered_on = opened_on[first_shop] - lead_days
    codes = _unique_codes(rng, division_codes)
    names = _unique_names(
        [text.company_name(rng, cities[i], CATEGORY_NAMES[comp_category[i]]) for i in range(n)]
    )
    legal = [text.person_name(rng) for _ in range(n)]
    return Companies(
        credit_code=codes,
        name=names,
        city=list(cities),
        province=comp_province,
        registered_on=registered_on,
        legal_representative=legal,
        scope_covers_category=np.ones(n, dtype=bool),
        category=comp_category,
    )


def _unique_codes(rng: np.random.Generator, division_codes: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    codes = []
    for division in division_codes:
        code = random_credit_code(rng, division)
        while code in seen:
            code = random_credit_code(rng, division)
        seen.add(code)
        codes.append(code)
    return codes


def _unique_names(names: list[str]) -> list[str]:
    """Make names unique the way a platform does: a numbered branch suffix on repeats."""
    counts: dict[str, int] = {}
    unique = []
    for name in names:
        n = counts.get(name, 0)
        counts[name] = n + 1
        unique.append(name if n == 0 else f"{name}{n + 1}店" if name.endswith("店") else f"{name}（{n + 1}）")
    return unique


def _ordinary_behaviour(rng: np.random.Generator, category: np.ndarray) -> dict[str, np.ndarray]:
    """Per-shop behaviour of an honest shop: category baselines with shop-to-shop variation."""
    m = len(category)
    profiles = [CATEGORIES[CATEGORY_NAMES[c]] for c in category]
    base_return = np.array([p.return_rate for p in profiles])
    base_complaints = np.array([p.complaints_per_1000 for p in profiles]) / 1000
    reason_mix = np.tile(np.array([0.45, 0.20, 0.12, 0.05, 0.18]), (m, 1))
    reason_mix *= rng.lognormal(0, 0.15, size=reason_mix.shape)
    reason_mix /= reason_mix.sum(axis=1, keepdims=True)
    complaint_mix = np.tile(np.array([ORGANIC_COMPLAINT_MIX[c] for c in COMPLAINT_CATEGORIES]), (m, 1))
    assert len(REFUND_REASONS) == reason_mix.shape[1]
    return {
        "ship_hours": rng.lognormal(np.log(20), 0.35, size=m),
        "refund_rate": base_return * rng.lognormal(0, 0.25, size=m),
        "refund_reason_mix": reason_mix,
        "refuse_eligible_return": rng.beta(1, 60, size=m),
        "refund_latency_factor": rng.lognormal(0, 0.25, size=m),
        "non_delivery": rng.beta(1, 500, size=m),
        "bought_review_share": np.zeros(m),
        "empty_parcel_share": np.zeros(m),
        "complaint_rate": base_complaints * rng.lognormal(0, 0.35, size=m),
        "complaint_mix": complaint_mix,
        "service": np.zeros(m, dtype=np.int8),
        "repeat_complainant": np.full(m, 0.03),
    }


def _build_buyers(
    rng: np.random.Generator, params: GeneratorParams, merchants: Merchants, n_platforms: int
) -> Buyers:
    # Buyer pools are per platform (platforms hash their own account ids), sized by each
    # platform's expected order volume.
    expected = np.bincount(merchants.platform, weights=merchants.popularity, minlength=n_platforms)
    total = max(1, int(params.organic_orders / params.orders_per_buyer))
    sizes = np.maximum(50, np.round(total * expected / expected.sum())).astype(int)
    stops = np.cumsum(sizes)
    starts = stops - sizes
    n = int(stops[-1])
    platform = np.repeat(np.arange(n_platforms), sizes)
    province = rng.choice(len(geography.PROVINCE_NAMES), size=n, p=geography.PROVINCE_WEIGHTS)
    activity = rng.lognormal(0, 1.0, size=n)
    device = np.full((n, 2), -1, dtype=np.int64)
    device[:, 0] = np.arange(n)
    second_device = rng.random(n) < 0.2
    device[second_device, 1] = n + np.arange(second_device.sum())
    # Family members share a phone now and then.
    family = np.flatnonzero(rng.random(n) < 0.03)
    family = family[family > 0]
    device[family, 0] = device[family - 1, 0]
    address = np.full((n, 2), -1, dtype=np.int64)
    address[:, 0] = np.arange(n)
    household = np.flatnonzero(rng.random(n) < 0.06)
    household = household[household > 0]
    address[household, 0] = address[household - 1, 0]
    second_address = rng.random(n) < 0.15
    address[second_address, 1] = n + np.arange(second_address.sum())
    return Buyers(
        platform=platform,
        province=province,
        activity=activity,
        device=device,
        address=address,
        organic_count=n,
        platform_start=starts,
        platform_stop=stops,
        next_device=int(device.max()) + 1,
        next_address=int(address.max()) + 1,
    )


def _ordinary_licences(
    rng: np.random.Generator, params: GeneratorParams, companies: Companies
) -> list[LicenceRow]:
    rows = []
    for c, registered in enumerate(companies.registered_on.astype("datetime64[D]").tolist()):
        long_term = rng.random() < 0.8
        expires = None if long_term else add_years(registered, int(rng.choice([20, 30])))
        rows.append(LicenceRow(c, "business_license", "active", registered, expires))
        permit = CATEGORIES[CATEGORY_NAMES[companies.category[c]]].sector_permit
        if permit:
            # Sector permits run five years; shops renew them a little before expiry.
            issued = params.start - dt.timedelta(days=int(rng.integers(30, 1500)))
            issued = max(issued, registered + dt.timedelta(days=int(rng.integers(5, 60))))
            rows.append(LicenceRow(c, permit, "active", issued, add_years(issued, 5)))
        if rng.random() < 0.1:
            issued = registered + dt.timedelta(days=int(rng.integers(30, 400)))
            rows.append(LicenceRow(c, "icp", "active", issued, add_years(issued, 5)))
    return rows
