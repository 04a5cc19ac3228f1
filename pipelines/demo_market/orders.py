"""Orders of the demo market: who buys where and when, then each order's life to delivery and refund."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pipelines.demo_market.market import CATEGORY_NAMES, Market
from pipelines.demo_market.params import CATEGORIES

DAY = 86_400
HOUR = 3_600

# Kinds of order: what the simulation does differently for each.
ORGANIC, FAKE, CAMOUFLAGE = 0, 1, 2

# Relative order volume by hour of day: a late-morning bump and the evening peak.
HOUR_WEIGHTS = np.array(
    [
        0.8,
        0.4,
        0.2,
        0.1,
        0.1,
        0.15,
        0.3,
        0.6,
        0.9,
        1.2,
        1.4,
        1.3,
        1.2,
        1.2,
        1.3,
        1.3,
        1.2,
        1.1,
        1.1,
        1.4,
        1.8,
        2.0,
        1.7,
        1.2,
    ]
)
WEEKDAY_WEIGHTS = np.array([1.02, 0.97, 0.97, 0.98, 1.0, 1.06, 1.08])  # Monday first

# Shopping festivals: (month, day) of the peak, days of pre-sale before it, peak factor.
PROMOTIONS = {"618": (6, 18, 10, 3.5), "双11": (11, 11, 10, 5.0), "双12": (12, 12, 3, 2.0)}


@dataclass
class OrderDraw:
    """Orders before their life is simulated: shop, buyer, time and kind."""

    merchant: np.ndarray
    buyer: np.ndarray
    ordered_at: np.ndarray  # seconds since 1970, local time
    kind: np.ndarray

    def __len__(self) -> int:
        return len(self.merchant)

    @staticmethod
    def concat(draws: list[OrderDraw]) -> OrderDraw:
        """One draw holding all orders of `draws`, sorted by time."""
        draws = [d for d in draws if len(d)]
        if not draws:
            return OrderDraw(*(np.empty(0, dtype=np.int64) for _ in range(3)), np.empty(0, dtype=np.int8))
        merged = OrderDraw(
            np.concatenate([d.merchant for d in draws]),
            np.concatenate([d.buyer for d in draws]),
            np.concatenate([d.ordered_at for d in draws]),
            np.concatenate([d.kind for d in draws]).astype(np.int8),
        )
        return merged.take(np.argsort(merged.ordered_at, kind="stable"))

    def take(self, index: np.ndarray) -> OrderDraw:
        """The orders at `index`."""
        return OrderDraw(self.merchant[index], self.buyer[index], self.ordered_at[index], self.kind[index])


def epoch_seconds(day: dt.date) -> int:
    """Seconds since 1970-01-01 at local midnight of `day`."""
    return int((day - dt.date(1970, 1, 1)).total_seconds())


def format_epoch(seconds: int) -> str:
    """Local wall-clock text of epoch seconds, 'YYYY-MM-DD HH:MM:SS'; empty for -1 (no such event)."""
    if seconds < 0:
        return ""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def promotion_days(start: dt.date, days: int) -> dict[str, dt.date]:
    """The peak day of each shopping festival that falls inside the period."""
    found = {}
    for name, (month, day, _, _) in PROMOTIONS.items():
        for year in (start.year, start.year + 1, start.year + 2):
            peak = dt.date(year, month, day)
            if start <= peak < start + dt.timedelta(days=days) and name not in found:
                found[name] = peak
    return found


def daily_weights(start: dt.date, days: int) -> np.ndarray:
    """Relative order volume of each day: weekday rhythm, festival peaks, mild growth."""
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    weights = np.array([WEEKDAY_WEIGHTS[d.weekday()] for d in dates])
    weights *= np.linspace(1.0, 1.1, days)
    for name, peak in promotion_days(start, days).items():
        _, _, presale, factor = PROMOTIONS[name]
        for i, d in enumerate(dates):
            lead = (peak - d).days
            if lead == 0:
                weights[i] *= factor
            elif 0 < lead <= presale:
                weights[i] *= 1 + (factor - 1) * 0.25 * (1 - lead / (presale + 1))
            elif -2 <= lead < 0:  # the hangover after a festival
                weights[i] *= 0.85
    return weights


def seconds_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Times of day following the hourly shopping rhythm."""
    hours = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    return hours * HOUR + rng.integers(0, HOUR, size=n)


class OrganicDemand:
    """Draws honest orders: shops by popularity, buyers by activity or as a shop's regulars."""

    def __init__(self, market: Market) -> None:
        self.market = market
        params = market.params
        merchants = market.merchants
        self.day_weights = daily_weights(params.start, params.days)
        self.start_s = epoch_seconds(params.start)
        self.opened_s = (merchants.opened_on.astype("datetime64[s]").astype(np.int64)).astype(np.int64)
        self.merchant_cdf = np.cumsum(merchants.popularity) / merchants.popularity.sum()
        buyers = market.buyers
        self.buyer_cdf = np.cumsum(buyers.activity[: buyers.organic_count])
        expected = params.organic_orders * merchants.popularity / merchants.popularity.sum()
        self.regulars = np.maximum(3, (expected * 0.15).astype(np.int64))
        self.repeat_share = np.array([CATEGORIES[c].repeat_share for c in CATEGORY_NAMES])
        # Shops that open during the period lose the orders drawn before they open; draw a
        # little more so the market still reaches its target volume.
        active_days = np.clip(
            (self.start_s + params.days * DAY - np.maximum(self.opened_s, self.start_s)) / DAY, 0, params.days
        )
        active_share = float(
            (active_days / params.days * merchants.popularity).sum() / merchants.popularity.sum()
        )
        self.orders_per_weight = params.organic_orders / self.day_weights.sum() / max(active_share, 0.5)

    def draw(self, rng: np.random.Generator, first_day: int, last_day: int) -> OrderDraw:
        """Organic orders placed on days first_day..last_day-1 of the period."""
        weights = self.day_weights[first_day:last_day]
        n = int(rng.poisson(weights.sum() * self.orders_per_weight))
        day = first_day + rng.choice(len(weights), size=n, p=weights / weights.sum())
        ordered_at = self.start_s + day.astype(np.int64) * DAY + seconds_of_day(rng, n)
        merchant = np.searchsorted(self.merchant_cdf, rng.random(n), side="right")
        merchant = np.minimum(merchant, len(self.merchant_cdf) - 1)
        keep = ordered_at >= self.opened_s[merchant]
        merchant, ordered_at = merchant[keep], ordered_at[keep]
        buyer = self.pick_buyers(rng, merchant)
        order = np.argsort(ordered_at, kind="stable")
        kind = np.full(len(merchant), ORGANIC, dtype=np.int8)
        return OrderDraw(merchant[order], buyer[order], ordered_at[order], kind)

    def pick_buyers(self, rng: np.random.Generator, merchant: np.ndarray) -> np.ndarray:
        """A buyer on each shop's platform: a regular of the shop, or anyone weighted by activity."""
        buyers = self.market.buyers
        platform = self.market.merchants.platform[merchant]
        start = buyers.platform_start[platform]
        stop = buyers.platform_stop[platform]
        size = stop - start
        lo = np.where(start > 0, self.buyer_cdf[np.maximum(start - 1, 0)], 0.0)
        hi = self.buyer_cdf[stop - 1]
        anyone = np.searchsorted(self.buyer_cdf, lo + rng.random(len(merchant)) * (hi - lo), side="right")
        anyone = np.clip(anyone, start, stop - 1)
        k = rng.integers(0, self.regulars[merchant])
        regular = start + (merchant * 7919 + k * 104_729) % size
        category = self.market.merchants.category[merchant]
        is_regular = rng.random(len(merchant)) < self.repeat_share[category]
        return np.where(is_regular, regular, anyone)


@dataclass
class OrderLives:
    """Everything that happened to a batch of orders, as numpy columns; NaT-like values are -1."""

    draw: OrderDraw
    amount: np.ndarray
    quantity: np.ndarray
    status: np.ndarray  # index into ORDER_STATUS_NAMES
    shipped_at: np.ndarray
    delivered_at: np.ndarray
    weight_g: np.ndarray
    refund_requested_at: np.ndarray
    refund_reason: np.ndarray  # index into REFUND_REASONS, -1 none
    refund_outcome: np.ndarray  # index into REFUND_OUTCOMES, -1 none
    refund_completed_at: np.ndarray
    rating: np.ndarray  # 0 none
    reviewed_at: np.ndarray
    device: np.ndarray  # -1 none
    address: np.ndarray

    def __len__(self) -> int:
        return len(self.draw)


ORDER_STATUS_NAMES = ("completed", "cancelled", "refunded", "returned", "in_progress")
COMPLETED, CANCELLED, REFUNDED, RETURNED, IN_PROGRESS = range(5)
NO_REASON, QUALITY, NOT_AS_DESCRIBED, NOT_RECEIVED, OTHER = range(5)
APPROVED, REJECTED, PENDING = range(3)

_PRICE_MEDIAN = np.array([CATEGORIES[c].price_median_cny for c in CATEGORY_NAMES])
_PRICE_SIGMA = np.array([CATEGORIES[c].price_sigma for c in CATEGORY_NAMES])
_WEIGHT_MEDIAN = np.array([CATEGORIES[c].weight_median_g for c in CATEGORY_NAMES])
_RATING_ORDINARY = np.array([0.04, 0.02, 0.04, 0.12, 0.78])
_RATING_AFTER_REFUND = np.array([0.30, 0.20, 0.20, 0.15, 0.15])


def _pick_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cdf = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))[:, None] * cdf[:, -1:]
    return np.minimum((u > cdf).sum(axis=1), probabilities.shape[1] - 1)


def live_orders(market: Market, draw: OrderDraw, rng: np.random.Generator, end_s: int) -> OrderLives:
    """Simulate each order from payment to delivery, refund and review; events after end_s are unseen."""
    ms = market.merchants
    m = draw.merchant
    n = len(draw)
    t = draw.ordered_at
    fake = draw.kind == FAKE
    cat = ms.category[m]
    same_province = ms.province[m] == market.buyers.province[draw.buyer]

    quantity = 1 + (rng.random(n) < 0.12) + (rng.random(n) < 0.03)
    unit = _PRICE_MEDIAN[cat] * ms.price_level[m] * rng.lognormal(0, _PRICE_SIGMA[cat] * 0.6, size=n)
    # Prices end in .9 or .0 the way shops set them.
    unit = np.maximum(np.round(unit, 0) - np.where(rng.random(n) < 0.5, 0.1, 0.0), 0.9)
    amount = np.round(unit * quantity, 2)

    cancelled = (rng.random(n) < 0.03) & ~fake
    undelivered = ~cancelled & ~fake & (rng.random(n) < ms.non_delivery[m])
    never_shipped = undelivered & (rng.random(n) < 0.5)
    shipped_at = t + (ms.ship_hours[m] * rng.lognormal(0, 0.5, size=n) * HOUR).astype(np.int64)
    transit_days = np.where(same_province, 1.0, 2.6) * rng.lognormal(0, 0.3, size=n)
    delivered_at = shipped_at + (transit_days * DAY).astype(np.int64)
    shipped_at = np.where(cancelled | never_shipped, -1, shipped_at)
    delivered_at = np.where(cancelled | undelivered, -1, delivered_at)

    weight = _WEIGHT_MEDIAN[cat] * quantity * rng.lognormal(0, 0.35, size=n)
    empty_parcel = fake & (rng.random(n) < ms.empty_parcel_share[m])
    weight = np.where(empty_parcel, rng.integers(15, 80, size=n), weight)
    weight = np.where(shipped_at < 0, -1, np.maximum(np.round(weight), 10)).astype(np.int64)

    lives = _refunds(market, rng, draw, amount, cancelled, undelivered, delivered_at)
    rating, reviewed_at = _reviews(rng, ms, m, fake, delivered_at, lives["refund_reason"] >= 0)

    buyers = market.buyers
    use_second = rng.random(n) < 0.25
    device = np.where(
        use_second & (buyers.device[draw.buyer, 1] >= 0),
        buyers.device[draw.buyer, 1],
        buyers.device[draw.buyer, 0],
    )
    device = np.where(rng.random(n) < 0.03, -1, device)  # some platforms lose the fingerprint
    address = np.where(
        use_second & (buyers.address[draw.buyer, 1] >= 0),
        buyers.address[draw.buyer, 1],
        buyers.address[draw.buyer, 0],
    )

    status = np.full(n, COMPLETED, dtype=np.int8)
    status[cancelled] = CANCELLED
    result = OrderLives(
        draw=draw,
        amount=amount,
        quantity=quantity.astype(np.int64),
        status=status,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        weight_g=weight,
        rating=rating,
        reviewed_at=reviewed_at,
        device=device,
        address=address,
        **lives,
    )
    _censor(result, end_s)
    return result


def _refunds(
    market: Market,
    rng: np.random.Generator,
    draw: OrderDraw,
    amount: np.ndarray,
    cancelled: np.ndarray,
    undelivered: np.ndarray,
    delivered_at: np.ndarray,
) -> dict[str, np.ndarray]:
    ms = market.merchants
    m = draw.merchant
    n = len(draw)
    fake = draw.kind == FAKE
    delivered = delivered_at >= 0

    asks = ~fake & delivered & (rng.random(n) < ms.refund_rate[m])
    reason = np.where(asks, _pick_rows(rng, ms.refund_reason_mix[m]), -1)
    # Buyers whose parcel never came ask for their money back a week or two later.
    chases = ~fake & ~cancelled & undelivered & (rng.random(n) < 0.85)
    reason = np.where(chases, NOT_RECEIVED, reason)
    reason = np.where(asks & (reason == NOT_RECEIVED), OTHER, reason)

    after_delivery = np.where(
        reason == NO_REASON,
        np.where(rng.random(n) < 0.94, rng.uniform(0.05, 6.9, n), rng.uniform(7.2, 12, n)),
        rng.lognormal(np.log(1.5), 0.7, n),
    )
    requested_at = np.where(
        chases,
        draw.ordered_at + (rng.uniform(7, 15, n) * DAY).astype(np.int64),
        delivered_at + (after_delivery * DAY).astype(np.int64),
    )
    requested_at = np.where(reason >= 0, requested_at, -1)

    eligible_return = (reason == NO_REASON) & (after_delivery <= 7)
    refuse = np.where(
        reason == NO_REASON,
        ~eligible_return | (rng.random(n) < ms.refuse_eligible_return[m]),
        np.where(
            reason == NOT_RECEIVED,
            rng.random(n) < np.minimum(0.9, 0.05 + ms.non_delivery[m] * 2),
            rng.random(n) < 0.04 + ms.refuse_eligible_return[m] * 0.3,
        ),
    )
    goods_back = np.isin(reason, (NO_REASON, QUALITY, NOT_AS_DESCRIBED))
    latency_days = np.where(
        goods_back, rng.lognormal(np.log(4.0), 0.5, n), rng.lognormal(np.log(1.2), 0.6, n)
    )
    latency_days *= ms.refund_latency_factor[m]
    completed_at = requested_at + (latency_days * DAY).astype(np.int64)
    outcome = np.where(reason < 0, -1, np.where(refuse, REJECTED, APPROVED))
    outcome = np.where((outcome == APPROVED) & (rng.random(n) < 0.01), PENDING, outcome)
    completed_at = np.where(outcome == APPROVED, completed_at, -1)
    return {
        "refund_requested_at": requested_at,
        "refund_reason": reason.astype(np.int8),
        "refund_outcome": outcome.astype(np.int8),
        "refund_completed_at": completed_at,
    }


def _reviews(
    rng: np.random.Generator,
    ms,
    m: np.ndarray,
    fake: np.ndarray,
    delivered_at: np.ndarray,
    asked_refund: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(m)
    delivered = delivered_at >= 0
    bought = delivered & ~fake & (rng.random(n) < ms.bought_review_share[m])
    instant = fake | bought  # reviews written to order, not from experience
    reviews = delivered & np.where(instant, rng.random(n) < 0.95, rng.random(n) < 0.5)
    ordinary = _pick_rows(rng, np.tile(_RATING_ORDINARY, (n, 1))) + 1
    unhappy = _pick_rows(rng, np.tile(_RATING_AFTER_REFUND, (n, 1))) + 1
    rating = np.where(asked_refund, unhappy, ordinary)
    rating = np.where(instant, np.where(rng.random(n) < 0.97, 5, 4), rating)
    delay = np.where(
        instant, rng.uniform(1, 20, n) * HOUR, np.maximum(rng.lognormal(np.log(3), 0.9, n) * DAY, HOUR / 2)
    )
    reviewed_at = np.where(reviews, delivered_at + delay.astype(np.int64), -1)
    return np.where(reviews, rating, 0).astype(np.int8), reviewed_at


def _censor(lives: OrderLives, end_s: int) -> None:
    """Hide what happens after the export date and set each order's status as of then."""
    for name in ("shipped_at", "delivered_at", "reviewed_at", "refund_completed_at"):
        column = getattr(lives, name)
        column[column >= end_s] = -1
    late_request = lives.refund_requested_at >= end_s
    lives.refund_requested_at[late_request] = -1
    lives.refund_reason[late_request] = -1
    lives.refund_outcome[late_request] = -1
    lives.refund_completed_at[late_request] = -1
    lives.rating[lives.reviewed_at < 0] = 0
    lives.weight_g[lives.shipped_at < 0] = -1
    awaiting = (lives.refund_outcome == APPROVED) & (lives.refund_completed_at < 0)
    lives.refund_outcome[awaiting] = PENDING

    status = lives.status
    active = status != CANCELLED
    in_flight = active & (lives.delivered_at < 0) & (lives.refund_reason < 0)
    recent = lives.draw.ordered_at >= end_s - 20 * DAY
    status[in_flight & recent] = IN_PROGRESS
    status[active & (lives.refund_outcome == PENDING)] = IN_PROGRESS
    approved = active & (lives.refund_outcome == APPROVED)
    goods_back = np.isin(lives.refund_reason, (NO_REASON, QUALITY, NOT_AS_DESCRIBED)) & (
        lives.delivered_at >= 0
    )
    status[approved & goods_back] = RETURNED
    status[approved & ~goods_back] = REFUNDED
