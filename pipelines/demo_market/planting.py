"""Plants known misconduct and hard negatives in the demo market, and records the ground truth."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pipelines.demo_market import geography
from pipelines.demo_market.market import (
    CATEGORY_NAMES,
    LicenceRow,
    Market,
    add_years,
    corrupt_check_char,
)
from pipelines.demo_market.orders import (
    CAMOUFLAGE,
    DAY,
    FAKE,
    HOUR,
    ORGANIC,
    OrderDraw,
    OrganicDemand,
    epoch_seconds,
    promotion_days,
    seconds_of_day,
)
from pipelines.demo_market.params import CATEGORIES, HARM_PATTERNS
from warehouse.schema import COMPLAINT_CATEGORIES

# How often each pattern is drawn within its harm.
PATTERN_WEIGHTS = {
    "fake_trade": {"crowd_ring": 0.5, "private_ring": 0.25, "promo_burst": 0.25},
    "fraud": {"false_advertising": 0.45, "counterfeit": 0.25, "non_delivery": 0.3},
    "after_sales": {"slow_refund": 1, "refused_returns": 1, "unresponsive": 1},
    "license": dict.fromkeys(HARM_PATTERNS["license"], 1),
}
BEHAVIOURAL_HARMS = frozenset({"fake_trade", "fraud", "after_sales"})
PERMIT_CATEGORIES = frozenset(i for i, c in enumerate(CATEGORY_NAMES) if CATEGORIES[c].sector_permit)


@dataclass
class Label:
    """One planted pattern at one shop."""

    merchant: int
    harm: str
    pattern: str
    intensity: float  # 0 = mildest, 1 = strongest within the knob's range


@dataclass
class Ring:
    """A group of buyer accounts placing fake orders at a group of shops."""

    ring_id: str
    kind: str  # crowd_ring or private_ring
    platform: int
    buyers: np.ndarray
    shops: np.ndarray
    start_s: int
    end_s: int


@dataclass
class Plan:
    """What was planted: labels, rings, hard negatives, and the orders planting adds."""

    labels: list[Label] = field(default_factory=list)
    rings: list[Ring] = field(default_factory=list)
    hard_negatives: list[tuple[int, str]] = field(default_factory=list)
    draws: list[OrderDraw] = field(default_factory=list)


def _lerp(lo: float, hi: float, u: float) -> float:
    return lo + (hi - lo) * u


class Planter:
    """Chooses shops for each pattern and changes their behaviour or adds their fake orders."""

    def __init__(self, market: Market, demand: OrganicDemand, rng: np.random.Generator) -> None:
        self.market = market
        self.demand = demand
        self.rng = rng
        self.plan = Plan()
        params = market.params
        self.start_s = epoch_seconds(params.start)
        self.end_s = self.start_s + params.days * DAY
        ms = market.merchants
        self.taken = np.zeros(len(ms), dtype=bool)
        shops_per_company = np.bincount(ms.company)
        self.sole_shop = shops_per_company[ms.company] == 1
        self.popularity_rank = np.argsort(np.argsort(-ms.popularity))  # 0 = most popular
        self.expected_daily = params.organic_orders * ms.popularity / ms.popularity.sum() / params.days
        self.opened_s = demand.opened_s
        self.licences_of: dict[int, list[LicenceRow]] = {}
        for row in market.licences:
            self.licences_of.setdefault(row.company, []).append(row)

    # -- choosing shops -------------------------------------------------------------------

    def eligible(self, harm: str, pattern: str) -> np.ndarray:
        """Shops a pattern can be planted at (beyond not being taken yet)."""
        ms = self.market.merchants
        n = len(ms)
        ok = np.ones(n, dtype=bool)
        # Misconduct needs time to show: the shop must trade for most of the period.
        ok &= self.opened_s <= self.start_s + self.market.params.days * DAY // 3
        if harm == "license":
            ok &= self.sole_shop  # a licence problem belongs to the company, so to all its shops
        if pattern == "promo_burst":
            ok &= self.popularity_rank < n // 2
        if pattern == "no_sector_permit":
            ok &= np.isin(ms.category, list(PERMIT_CATEGORIES))
        if pattern == "new_company_top_sales":
            ok &= self.popularity_rank < max(1, n // 10)
        return ok

    def choose(self, harm: str, pattern: str, k: int, platform: int | None = None) -> np.ndarray:
        """Up to k untaken eligible shops, drawn at random, and mark them taken."""
        ok = self.eligible(harm, pattern) & ~self.taken
        if platform is not None:
            ok &= self.market.merchants.platform == platform
        pool = np.flatnonzero(ok)
        if not len(pool):
            return pool
        # Misconduct that works through orders shows in proportion to trade: drawing those shops
        # by √volume keeps shops that cheat a handful of buyers rare, as regulators' cases are.
        weight = None
        if harm in BEHAVIOURAL_HARMS and pattern != "crowd_ring":
            w = np.sqrt(self.expected_daily[pool])
            weight = w / w.sum()
        chosen = self.rng.choice(pool, size=min(k, len(pool)), replace=False, p=weight)
        self.taken[chosen] = True
        return np.sort(chosen)

    def label(self, merchant: int, harm: str, pattern: str, intensity: float) -> None:
        self.plan.labels.append(Label(int(merchant), harm, pattern, round(float(intensity), 3)))

    # -- the plan ---------------------------------------------------------------------------

    def plant_all(self) -> Plan:
        """Plant every harm at its share of shops, second patterns, then the hard negatives."""
        params = self.market.params
        n = len(self.market.merchants)
        for harm, share in params.planted_share.items():
            k = round(share * n)
            if share > 0:
                k = max(k, 1)
            counts = self._split(harm, k)
            for pattern, count in counts.items():
                if pattern == "crowd_ring":
                    self._plant_crowd_rings(count)
                elif pattern == "private_ring":
                    self._plant_private_rings(count)
                else:
                    for shop in self.choose(harm, pattern, count):
                        self.apply(int(shop), harm, pattern)
        self._plant_second_patterns()
        self._plant_hard_negatives()
        return self.plan

    def _split(self, harm: str, k: int) -> dict[str, int]:
        weights = PATTERN_WEIGHTS[harm]
        names = list(weights)
        p = np.array([weights[x] for x in names], dtype=float)
        counts = self.rng.multinomial(k, p / p.sum())
        return dict(zip(names, counts.tolist(), strict=True))

    def _plant_second_patterns(self) -> None:
        params = self.market.params
        primary = list(self.plan.labels)
        chosen = [lab for lab in primary if self.rng.random() < params.second_pattern_share]
        for lab in chosen:
            others = [h for h in params.planted_share if h != lab.harm and params.planted_share[h] > 0]
            if not others:
                continue
            harm = str(self.rng.choice(others))
            patterns = [p for p in HARM_PATTERNS[harm] if p != "crowd_ring"]
            patterns = [p for p in patterns if self.eligible(harm, p)[lab.merchant]]
            if not patterns:
                continue
            self.apply(lab.merchant, harm, str(self.rng.choice(patterns)))

    def apply(self, shop: int, harm: str, pattern: str) -> None:
        """Plant `pattern` at `shop` with a random intensity."""
        u = float(self.rng.random())
        getattr(self, f"_plant_{pattern}")(shop, u)
        self.label(shop, harm, pattern, u)

    # -- fake trades ------------------------------------------------------------------------

    def _plant_crowd_rings(self, k: int) -> None:
        params = self.market.params
        lo, hi = params.ring_shops
        remaining = k
        while remaining > 0:
            size = (
                remaining if remaining < 2 * lo else int(self.rng.integers(lo, min(hi, remaining - lo) + 1))
            )
            platform = int(self.rng.choice(len(self.market.platform_ids), p=self._platform_shares()))
            shops = self.choose("fake_trade", "crowd_ring", size, platform=platform)
            if len(shops) == 0:
                break
            remaining -= len(shops)
            self._crowd_ring(platform, shops)

    def _platform_shares(self) -> np.ndarray:
        counts = np.bincount(self.market.merchants.platform, minlength=len(self.market.platform_ids))
        return counts / counts.sum()

    def _crowd_ring(self, platform: int, shops: np.ndarray) -> None:
        """Crowd workers each ordering once from most client shops within a short campaign."""
        params, rng, buyers = self.market.params, self.rng, self.market.buyers
        u = float(rng.random())
        n_workers = int(rng.integers(params.ring_workers[0], params.ring_workers[1] + 1))
        home = rng.choice(len(geography.PROVINCE_NAMES), size=int(rng.integers(2, 5)), replace=False)
        farm = buyers.new_devices(max(2, n_workers // int(rng.integers(3, 9))))
        device = np.column_stack([rng.choice(farm, n_workers), np.full(n_workers, -1)])
        own_address = buyers.new_addresses(n_workers)
        drop_points = buyers.new_addresses(max(2, n_workers // 20))
        address = np.column_stack(
            [
                np.where(rng.random(n_workers) < 0.3, rng.choice(drop_points, n_workers), own_address),
                np.full(n_workers, -1),
            ]
        )
        workers = buyers.add_accounts(platform, rng.choice(home, n_workers), device, address)

        span_days = int(rng.integers(21, 60))
        first_day = max(self.opened_s[shops].max() - self.start_s, 0) // DAY
        latest_start = max(first_day, params.days - span_days)
        ring_start = self.start_s + int(rng.integers(first_day, latest_start + 1)) * DAY
        ring_end = min(ring_start + span_days * DAY, self.end_s)
        draws = []
        for shop in shops:
            campaign = int(rng.integers(7, 22)) * DAY
            begin = ring_start + int(rng.integers(0, max(1, ring_end - ring_start - campaign)))
            who = workers[rng.random(n_workers) < params.ring_density]
            when = begin + rng.integers(0, campaign, size=len(who))
            draws.append(
                OrderDraw(np.full(len(who), shop), who, when, np.full(len(who), FAKE, dtype=np.int8))
            )
            self.market.merchants.empty_parcel_share[shop] = _lerp(0.4, 0.9, u)
        fake = OrderDraw.concat(draws)
        draws.append(self._camouflage(platform, fake, ring_start, ring_end, shops))
        self.plan.draws.extend(draws)
        ring_id = f"R{len(self.plan.rings) + 1:03d}"
        # Members are the accounts that did place fake orders; a recruit who never did is no evidence.
        members = np.unique(fake.buyer)
        self.plan.rings.append(Ring(ring_id, "crowd_ring", platform, members, shops, ring_start, ring_end))
        for shop in shops:
            self.label(int(shop), "fake_trade", "crowd_ring", u)

    def _camouflage(
        self, platform: int, fake: OrderDraw, start_s: int, end_s: int, ring_shops: np.ndarray
    ) -> OrderDraw:
        """Honest-looking orders ring workers place at popular shops outside the ring to blend in."""
        rng = self.rng
        ms = self.market.merchants
        counts = rng.poisson(self.market.params.camouflage_per_fake_order, size=len(fake))
        who = np.repeat(fake.buyer, counts)
        outside = np.ones(len(ms), dtype=bool)
        outside[ring_shops] = False
        on_platform = np.flatnonzero((ms.platform == platform) & (self.opened_s <= start_s) & outside)
        popular = on_platform[np.argsort(-ms.popularity[on_platform])][: max(5, len(on_platform) // 20)]
        shops = rng.choice(popular, size=len(who))
        when = rng.integers(start_s, end_s, size=len(who))
        return OrderDraw(shops, who, when, np.full(len(who), CAMOUFLAGE, dtype=np.int8))

    def _plant_private_rings(self, k: int) -> None:
        """Private rings of 1-3 shops each on one platform until k shops are planted."""
        remaining = k
        while remaining > 0:
            first = self.choose("fake_trade", "private_ring", 1)
            if len(first) == 0:
                return
            shop = int(first[0])
            size = min(remaining, int(self.rng.integers(1, 4)))
            platform = int(self.market.merchants.platform[shop])
            extra = self.choose("fake_trade", "private_ring", size - 1, platform=platform)
            shops = np.concatenate([[shop], extra]).astype(np.int64)
            remaining -= len(shops)
            u = float(self.rng.random())
            self._private_ring(shops, u)
            for s in shops:
                self.label(int(s), "fake_trade", "private_ring", u)

    def _plant_private_ring(self, shop: int, u: float) -> None:
        """A single-shop private ring, used when private ring is a shop's second pattern."""
        self._private_ring(np.array([shop]), u)

    def _private_ring(self, shops: np.ndarray, u: float) -> None:
        """A shop's own accounts ordering again and again, in bursts, from the shop and its siblings."""
        params, rng, buyers, ms = self.market.params, self.rng, self.market.buyers, self.market.merchants
        shop = int(shops[0])
        platform = int(ms.platform[shop])
        lo, hi = params.private_ring_accounts
        n_accounts = int(rng.integers(lo, hi + 1))
        devices = buyers.new_devices(max(2, n_accounts // int(rng.integers(4, 11))))
        addresses = buyers.new_addresses(int(rng.integers(1, 4)))
        accounts = buyers.add_accounts(
            platform,
            np.full(n_accounts, ms.province[shop]),
            np.column_stack([rng.choice(devices, n_accounts), np.full(n_accounts, -1)]),
            np.column_stack([rng.choice(addresses, n_accounts), np.full(n_accounts, -1)]),
        )
        start = max(int(self.opened_s[shops].max()), self.start_s)
        sessions_per_pair = _lerp(2, 6, u)
        draws = []
        for s in shops:
            sessions = rng.poisson(sessions_per_pair, size=n_accounts)
            who = np.repeat(accounts, sessions)
            session_start = rng.integers(start, self.end_s - 2 * HOUR, size=len(who))
            per_session = rng.integers(1, 5, size=len(who))
            buyer = np.repeat(who, per_session)
            when = np.repeat(session_start, per_session) + rng.integers(0, HOUR, size=per_session.sum())
            draws.append(
                OrderDraw(np.full(len(buyer), s), buyer, when, np.full(len(buyer), FAKE, dtype=np.int8))
            )
            ms.empty_parcel_share[s] = _lerp(0.2, 0.7, u)
        self.plan.draws.extend(draws)
        ring_id = f"R{len(self.plan.rings) + 1:03d}"
        members = np.unique(np.concatenate([d.buyer for d in draws]))
        self.plan.rings.append(Ring(ring_id, "private_ring", platform, members, shops, start, self.end_s))

    def _plant_promo_burst(self, shop: int, u: float) -> None:
        """Fake orders from brand-new accounts in the days before a shopping festival."""
        params, rng, buyers, ms = self.market.params, self.rng, self.market.buyers, self.market.merchants
        peaks = sorted(promotion_days(params.start, params.days).values())
        opened_day = max(0, (int(self.opened_s[shop]) - self.start_s) // DAY)
        peaks = [p for p in peaks if (p - params.start).days >= opened_day + 12]
        if peaks:
            peak_day = (peaks[int(rng.integers(0, len(peaks)))] - params.start).days
        else:  # no festival in the period: the shop's own anniversary sale
            # A short period leaves no room for 12 days of trading first: the peak is then its last day.
            earliest = min(max(opened_day + 12, params.days // 3), params.days - 1)
            peak_day = int(rng.integers(earliest, params.days))
        lead = min(int(rng.integers(3, 11)), peak_day)  # the burst stays inside the period
        share = _lerp(*params.promo_fake_share, u)
        per_day = max(3.0, self.expected_daily[shop] * 1.5 * share / (1 - share))
        counts = rng.poisson(per_day, size=lead)
        days = np.repeat(np.arange(peak_day - lead, peak_day), counts)
        n = len(days)
        accounts = buyers.add_accounts(
            int(ms.platform[shop]),
            rng.choice(len(geography.PROVINCE_NAMES), size=n, p=geography.PROVINCE_WEIGHTS),
            np.column_stack([buyers.new_devices(n), np.full(n, -1)]),
            np.column_stack([buyers.new_addresses(n), np.full(n, -1)]),
        )
        when = self.start_s + days.astype(np.int64) * DAY + seconds_of_day(rng, n)
        self.plan.draws.append(OrderDraw(np.full(n, shop), accounts, when, np.full(n, FAKE, dtype=np.int8)))
        ms.empty_parcel_share[shop] = _lerp(0.2, 0.6, u)

    # -- fraud and false advertising ---------------------------------------------------------

    def _shift_complaints(self, shop: int, factor: float, mix: dict[str, float], weight: float) -> None:
        ms = self.market.merchants
        ms.complaint_rate[shop] *= factor
        target = np.array([mix.get(c, 0.0) for c in COMPLAINT_CATEGORIES])
        blended = (1 - weight) * ms.complaint_mix[shop] + weight * target / target.sum()
        ms.complaint_mix[shop] = blended / blended.sum()

    def _shift_refund_reason(self, shop: int, reason: int, share: float) -> None:
        mix = self.market.merchants.refund_reason_mix[shop] * (1 - share)
        mix[reason] += share
        self.market.merchants.refund_reason_mix[shop] = mix

    def _plant_false_advertising(self, shop: int, u: float) -> None:
        ms = self.market.merchants
        self._shift_complaints(
            shop,
            _lerp(5, 15, u),
            {"false_advertising": 0.6, "quality": 0.2, "counterfeit": 0.1, "price": 0.1},
            0.8,
        )
        ms.refund_rate[shop] *= _lerp(1.8, 3.5, u)
        self._shift_refund_reason(shop, 2, _lerp(0.4, 0.7, u))
        ms.bought_review_share[shop] = _lerp(0.3, 0.7, u)

    def _plant_counterfeit(self, shop: int, u: float) -> None:
        ms = self.market.merchants
        self._shift_complaints(
            shop, _lerp(4, 12, u), {"counterfeit": 0.6, "quality": 0.25, "false_advertising": 0.15}, 0.8
        )
        ms.refund_rate[shop] *= _lerp(1.5, 3.0, u)
        self._shift_refund_reason(shop, 1, _lerp(0.3, 0.6, u))
        ms.bought_review_share[shop] = _lerp(0.3, 0.6, u)

    def _plant_non_delivery(self, shop: int, u: float) -> None:
        ms = self.market.merchants
        ms.non_delivery[shop] = _lerp(0.12, 0.35, u)
        self._shift_complaints(
            shop, _lerp(3, 8, u), {"non_delivery": 0.6, "fraud": 0.3, "refund_refused": 0.1}, 0.8
        )

    # -- after-sales service -------------------------------------------------------------------

    def _plant_slow_refund(self, shop: int, u: float) -> None:
        self.market.merchants.refund_latency_factor[shop] *= _lerp(5, 12, u)
        self._shift_complaints(shop, _lerp(1.5, 3, u), {"after_sales": 0.5, "refund_refused": 0.5}, 0.5)

    def _plant_refused_returns(self, shop: int, u: float) -> None:
        self.market.merchants.refuse_eligible_return[shop] = _lerp(0.4, 0.9, u)
        self._shift_complaints(shop, _lerp(1.5, 3, u), {"refund_refused": 0.7, "after_sales": 0.3}, 0.6)

    def _plant_unresponsive(self, shop: int, u: float) -> None:
        ms = self.market.merchants
        ms.service[shop] = 1
        ms.repeat_complainant[shop] = _lerp(0.2, 0.4, u)
        self._shift_complaints(
            shop,
            _lerp(4, 10, u),
            {"after_sales": 0.45, "refund_refused": 0.2, "quality": 0.25, "other": 0.1},
            0.6,
        )

    # -- licences --------------------------------------------------------------------------------

    def _business_licence(self, shop: int) -> LicenceRow:
        company = int(self.market.merchants.company[shop])
        return next(r for r in self.licences_of[company] if r.license_type == "business_license")

    def _plant_missing_code(self, shop: int, u: float) -> None:
        self.market.merchants.displayed_code[shop] = ""

    def _plant_invalid_check_digit(self, shop: int, u: float) -> None:
        ms = self.market.merchants
        ms.displayed_code[shop] = corrupt_check_char(self.rng, ms.displayed_code[shop])

    def _revoke(self, shop: int, status: str) -> None:
        row = self._business_licence(shop)
        row.status = status
        if status == "expired":
            row.expires_on = self.market.params.start + dt.timedelta(
                days=int(self.rng.integers(-400, max(1, self.market.params.days - 30)))
            )

    def _plant_license_expired(self, shop: int, u: float) -> None:
        self._revoke(shop, "expired")

    def _plant_license_revoked(self, shop: int, u: float) -> None:
        self._revoke(shop, "revoked")

    def _plant_abnormal_operation(self, shop: int, u: float) -> None:
        self._revoke(shop, "abnormal")

    def _plant_no_sector_permit(self, shop: int, u: float) -> None:
        company = int(self.market.merchants.company[shop])
        permit = CATEGORIES[CATEGORY_NAMES[self.market.merchants.category[shop]]].sector_permit
        rows = [r for r in self.licences_of[company] if r.license_type == permit]
        if self.rng.random() < 0.6:
            dropped = {id(r) for r in rows}
            self.market.licences = [r for r in self.market.licences if id(r) not in dropped]
            self.licences_of[company] = [r for r in self.licences_of[company] if id(r) not in dropped]
        else:
            for r in rows:
                r.status = "expired"
                r.expires_on = self.market.params.start - dt.timedelta(days=int(self.rng.integers(10, 300)))
                r.issued_on = add_years(r.expires_on, -5)

    def _plant_out_of_scope(self, shop: int, u: float) -> None:
        self.market.companies.scope_covers_category[self.market.merchants.company[shop]] = False

    def _plant_new_company_top_sales(self, shop: int, u: float) -> None:
        ms, companies = self.market.merchants, self.market.companies
        start = np.datetime64(self.market.params.start, "D")
        ms.opened_on[shop] = (
            min(ms.opened_on[shop], start)
            if ms.opened_on[shop] >= start - 60
            else start - int(self.rng.integers(0, 60))
        )
        self.opened_s[shop] = int(ms.opened_on[shop].astype("datetime64[s]").astype(np.int64))
        registered = ms.opened_on[shop] - int(self.rng.integers(5, 40))
        companies.registered_on[ms.company[shop]] = registered
        row = self._business_licence(shop)
        row.issued_on = registered.astype(dt.date)
        row.expires_on = None

    # -- hard negatives ----------------------------------------------------------------------------

    def _plant_hard_negatives(self) -> None:
        params, rng, ms = self.market.params, self.rng, self.market.merchants
        if params.hard_negative_share <= 0:
            return
        k = max(round(params.hard_negative_share * len(ms)), 4)
        per_kind = rng.multinomial(k, [0.3, 0.25, 0.3, 0.15])
        free = ~self.taken & (self.opened_s <= self.start_s)
        # Big shops: the most popular untouched shops, whose raw counts are high but rates normal.
        big = [int(s) for s in np.argsort(-ms.popularity) if free[s]][: per_kind[3]]
        self._mark(big, "big_shop")
        free[big] = False
        viral = self._pick(free & (self.popularity_rank < len(ms) // 2), per_kind[0])
        for shop in viral:
            self._viral_burst(shop)
        self._mark(viral, "viral_burst")
        free[viral] = False
        apparel = self._pick(free & (ms.category == CATEGORY_NAMES.index("服装")), per_kind[1])
        ms.refund_rate[apparel] = rng.uniform(0.25, 0.35, size=len(apparel))
        ms.refund_latency_factor[apparel] = rng.uniform(0.4, 0.8, size=len(apparel))
        self._mark(apparel, "high_return_apparel")
        free[apparel] = False
        resolved = self._pick(free, per_kind[2])
        ms.complaint_rate[resolved] *= rng.uniform(3, 6, size=len(resolved))
        ms.service[resolved] = 2
        self._mark(resolved, "complaints_resolved_fast")

    def _pick(self, ok: np.ndarray, k: int) -> list[int]:
        pool = np.flatnonzero(ok)
        return (
            sorted(int(s) for s in self.rng.choice(pool, size=min(k, len(pool)), replace=False))
            if len(pool)
            else []
        )

    def _mark(self, shops: list[int], kind: str) -> None:
        self.taken[shops] = True
        self.plan.hard_negatives.extend((s, kind) for s in shops)

    def _viral_burst(self, shop: int) -> None:
        """A genuine burst: a post goes viral and many different real buyers order for a few days."""
        rng, params = self.rng, self.market.params
        days = int(rng.integers(3, 8))
        first = int(rng.integers(0, max(1, params.days - days)))
        per_day = max(8.0, self.expected_daily[shop] * rng.uniform(5, 10))
        counts = rng.poisson(per_day, size=days)
        day = np.repeat(np.arange(first, first + days), counts)
        merchant = np.full(len(day), shop)
        when = self.start_s + day.astype(np.int64) * DAY + seconds_of_day(rng, len(day))
        buyers = self.demand.pick_buyers(rng, merchant)
        self.plan.draws.append(OrderDraw(merchant, buyers, when, np.full(len(day), ORGANIC, dtype=np.int8)))


def plant(market: Market, demand: OrganicDemand, rng: np.random.Generator) -> Plan:
    """Plant all patterns and hard negatives; returns the plan with its ground truth."""
    plan = Planter(market, demand, rng).plant_all()
    market.buyers.finalize()
    return plan
