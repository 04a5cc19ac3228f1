"""Consumer complaints of the demo market: who complains about which order, in what words, and how it ends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pipelines.demo_market import text
from pipelines.demo_market.market import CATEGORY_NAMES, Market
from pipelines.demo_market.orders import (
    CANCELLED,
    DAY,
    FAKE,
    HOUR,
    NOT_AS_DESCRIBED,
    QUALITY,
    REJECTED,
    OrderLives,
    epoch_seconds,
    format_epoch,
)
from warehouse.schema import COMPLAINT_CATEGORIES, COMPLAINTS

CHANNELS = ("12315", "platform", "hotline", "web", "letter")
CHANNEL_WEIGHTS = np.array([0.40, 0.30, 0.15, 0.12, 0.03])
GOOD_OUTCOMES = ("refund", "replacement", "repair", "compensation", "transferred")
GOOD_OUTCOME_WEIGHTS = np.array([0.5, 0.2, 0.08, 0.12, 0.1])
RESOLUTION_CHANNELS = ("negotiation", "platform", "mediation", "arbitration", "litigation")
RESOLUTION_WEIGHTS = np.array([0.45, 0.35, 0.15, 0.03, 0.02])
REPEAT_OPENINGS = (
    "再次投诉：",
    "第二次投诉了，",
    "之前投诉过一直没结果，",
    "重复投诉，上次的问题还没解决。",
    "又来投诉，",
)
WORKING_DAYS_45 = 63
_CATEGORY = {c: i for i, c in enumerate(COMPLAINT_CATEGORIES)}  # 45 working days ≈ 9 calendar weeks


@dataclass
class ComplaintSources:
    """Orders that led to a complaint, gathered month by month while orders are drawn."""

    merchant: list[np.ndarray] = field(default_factory=list)
    ordered_at: list[np.ndarray] = field(default_factory=list)
    delivered_at: list[np.ndarray] = field(default_factory=list)
    refund_requested_at: list[np.ndarray] = field(default_factory=list)
    amount: list[np.ndarray] = field(default_factory=list)
    cause: list[np.ndarray] = field(default_factory=list)  # category index the complaint is about, -1 any

    def collect(self, market: Market, lives: OrderLives, rng: np.random.Generator) -> None:
        """Keep the orders of this batch whose buyer will complain.

        Any order may lead to a complaint at the shop's rate; a parcel that never came or a
        refused refund makes one far likelier, and decides what it is about.
        """
        draw = lives.draw
        n = len(draw)
        real = draw.kind != FAKE
        rate = market.merchants.complaint_rate[draw.merchant]
        lost = real & (lives.delivered_at < 0) & (lives.status != CANCELLED) & (lives.refund_reason >= 0)
        refused = real & (lives.refund_outcome == REJECTED) & ~lost
        misdescribed = real & np.isin(lives.refund_reason, (NOT_AS_DESCRIBED, QUALITY)) & ~refused
        ordinary = real & (rng.random(n) < rate)
        # A shop that ignores its buyers turns their refund requests into complaints.
        ignored = real & (lives.refund_reason >= 0) & (market.merchants.service[draw.merchant] == 1)
        chance = (
            np.where(lost, 0.05, 0.0)
            + np.where(refused, 0.03, 0.0)
            + np.where(misdescribed, 0.03, 0.0)
            + np.where(ignored, 0.10, 0.0)
        )
        caused = real & ~ordinary & (rng.random(n) < chance)
        keep = ordinary | caused
        lost_category = np.where(rng.random(n) < 0.7, _CATEGORY["non_delivery"], _CATEGORY["fraud"])
        cause = np.select(
            [
                caused & lost,
                caused & refused,
                caused & (lives.refund_reason == NOT_AS_DESCRIBED),
                caused & ignored,
            ],
            [
                lost_category,
                _CATEGORY["refund_refused"],
                _CATEGORY["false_advertising"],
                _CATEGORY["after_sales"],
            ],
            -1,  # a quality complaint is about whatever the shop's complaints are usually about
        )
        self.cause.append(cause[keep])
        self.merchant.append(draw.merchant[keep])
        self.ordered_at.append(draw.ordered_at[keep])
        self.delivered_at.append(lives.delivered_at[keep])
        self.refund_requested_at.append(lives.refund_requested_at[keep])
        self.amount.append(lives.amount[keep])

    def arrays(self) -> dict[str, np.ndarray]:
        """The gathered orders as one array per field."""
        return {name: np.concatenate(getattr(self, name)) for name in self.__dataclass_fields__}


def build_complaints(market: Market, sources: ComplaintSources, rng: np.random.Generator) -> list[dict]:
    """Complaint rows in contract column order, sorted by the time they were received."""
    params = market.params
    end_s = epoch_seconds(params.end)
    src = sources.arrays()
    rows: list[tuple[int, dict]] = []
    for i in range(len(src["merchant"])):
        shop = int(src["merchant"][i])
        cause = int(src["cause"][i])
        mix = market.merchants.complaint_mix[shop]
        category = COMPLAINT_CATEGORIES[cause if cause >= 0 else _draw(rng, mix)]
        received = _received_at(rng, category, src, i)
        if received >= end_s:
            continue
        consumer = (text.person_name(rng), text.mobile_number(rng))
        product = text.product_name(rng, CATEGORY_NAMES[market.merchants.category[shop]])
        rows.append(
            (received, _complaint(market, rng, shop, category, received, src, i, consumer, product, ""))
        )
        # Unresolved consumers come back about the same shop.
        follow_up = received
        while rng.random() < market.merchants.repeat_complainant[shop]:
            follow_up += int(rng.uniform(10, 40) * DAY)
            if follow_up >= end_s:
                break
            opening = str(rng.choice(REPEAT_OPENINGS))
            rows.append(
                (
                    follow_up,
                    _complaint(market, rng, shop, category, follow_up, src, i, consumer, product, opening),
                )
            )
    rows.sort(key=lambda r: r[0])
    serial_by_day: dict[str, int] = {}
    complaints = []
    for _received, row in rows:
        day = row["received_at"][:10].replace("-", "")
        serial_by_day[day] = serial_by_day.get(day, 0) + 1
        row["complaint_id"] = f"C{day}{serial_by_day[day]:05d}"
        complaints.append({name: row[name] for name in COMPLAINTS.column_names})
    return complaints


def _draw(rng: np.random.Generator, p: np.ndarray) -> int:
    return int(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right").clip(0, len(p) - 1))


def _received_at(rng: np.random.Generator, category: str, src: dict[str, np.ndarray], i: int) -> int:
    ordered, delivered, refund = (
        int(src[k][i]) for k in ("ordered_at", "delivered_at", "refund_requested_at")
    )
    if category == "non_delivery" or delivered < 0:
        base = ordered + int(rng.uniform(7, 25) * DAY)
    elif category == "refund_refused" and refund >= 0:
        base = refund + int(rng.uniform(2, 15) * DAY)
    else:
        base = delivered + int(rng.lognormal(np.log(5), 0.7) * DAY)
    return base + int(rng.integers(8 * HOUR, 22 * HOUR))


def _complaint(
    market: Market,
    rng: np.random.Generator,
    shop: int,
    category: str,
    received: int,
    src: dict[str, np.ndarray],
    i: int,
    consumer: tuple[str, str],
    product: str,
    opening: str,
) -> dict:
    params, ms = market.params, market.merchants
    amount = float(src["amount"][i])
    waited = max(1, (received - int(src["ordered_at"][i])) // DAY)
    names_shop_only = rng.random() < params.shop_name_only_share
    true_name = ms.shop_name[shop]
    written_name = true_name
    if names_shop_only and rng.random() < params.misspelled_shop_share:
        written_name = text.misspell_shop_name(rng, true_name)
    mentions_shop = names_shop_only or rng.random() < 0.5
    description = opening + text.complaint_description(
        rng,
        category,
        product=product,
        amount=amount,
        days=int(waited),
        shop=written_name if rng.random() < 0.5 else None,
        ordered_on=dt.date(1970, 1, 1) + dt.timedelta(seconds=int(src["ordered_at"][i])),
    )
    labelled = ""
    if rng.random() >= params.uncategorised_share:
        labelled = category
        if rng.random() < params.complaint_label_noise:
            labelled = str(rng.choice([c for c in COMPLAINT_CATEGORIES if c != category]))
    row = {
        "received_at": format_epoch(received),
        "channel": CHANNELS[_draw(rng, CHANNEL_WEIGHTS)],
        # A consumer who names only the shop sometimes forgets to say where they bought.
        "platform_id": ""
        if names_shop_only and rng.random() < 0.05
        else market.platform_ids[ms.platform[shop]],
        "merchant_id": "" if names_shop_only else ms.merchant_id[shop],
        "shop_name": written_name if mentions_shop else "",
        "category": labelled,
        "description": description,
        "amount_involved": f"{amount:.2f}" if rng.random() < 0.9 else "",
        "consumer_name": consumer[0],
        "consumer_phone": consumer[1],
    }
    row.update(_handling(market, rng, shop, received))
    return row


def _handling(market: Market, rng: np.random.Generator, shop: int, received: int) -> dict:
    """Status, response and outcome, by how the shop treats complaints; nothing after the export date."""
    end_s = epoch_seconds(market.params.end)
    service = int(market.merchants.service[shop])
    first_response = -1
    closed = -1
    outcome = channel = ""
    u = rng.random()
    if service == 2:  # answers within hours and settles
        first_response = received + int(rng.uniform(1, 8) * HOUR)
        status = "resolved" if u < 0.97 else "withdrawn"
        closed = received + int(rng.uniform(0.5, 3) * DAY)
    elif service == 1:  # ignores the consumer; mediation fails
        if rng.random() >= 0.4:
            first_response = received + int(rng.uniform(15, 40) * DAY)
        if u < 0.25:
            status = "resolved"
            closed = received + int(rng.uniform(20, 60) * DAY)
        elif u < 0.6:
            status = "closed_unresolved"
            closed = received + int((WORKING_DAYS_45 + rng.uniform(0, 10)) * DAY)
        else:
            status = "open"
    else:
        first_response = received + int(max(rng.lognormal(np.log(20), 0.8), 0.5) * HOUR)
        if u < 0.80:
            status = "resolved"
        elif u < 0.89:
            status = "closed_unresolved"
        elif u < 0.94:
            status = "withdrawn"
        else:
            status = "in_progress"
        closed = received + int(rng.lognormal(np.log(6), 0.6) * DAY) if status != "in_progress" else -1
    if status == "resolved":
        outcome = GOOD_OUTCOMES[_draw(rng, GOOD_OUTCOME_WEIGHTS)]
        channel = RESOLUTION_CHANNELS[_draw(rng, RESOLUTION_WEIGHTS)]
    elif status == "closed_unresolved":
        outcome = "mediation_failed" if rng.random() < 0.7 else "rejected"
        channel = "mediation" if outcome == "mediation_failed" else "platform"
    if first_response >= end_s:
        first_response = -1
    if closed >= end_s:
        closed, outcome, channel = -1, "", ""
        status = "in_progress" if first_response >= 0 else "open"
    return {
        "status": status,
        "first_response_at": format_epoch(first_response),
        "closed_at": format_epoch(closed),
        "outcome": outcome,
        "resolution_channel": channel,
    }
