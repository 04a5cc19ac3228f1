"""Scoring parameters as data: thresholds, weights, windows and reason texts, in one place.

A scoring run records these (as JSON) with its run id, so every number on screen can be
traced to the parameters that produced it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ComplaintTextParams:
    """Complaint category classifier and shop-name matching."""

    ngram_range: tuple[int, int] = (1, 3)
    min_df: int = 2
    max_features: int = 200_000
    holdout_share: float = 0.2  # categorised complaints held out to report macro-F1
    min_training_complaints: int = 50  # fewer than this: no classifier, categories stay empty
    fuzzy_min_similarity: float = 0.75  # below this a shop-name-only complaint stays unmatched
    ambiguity_margin: float = 0.1  # a runner-up shop this close to the best lowers the match confidence
    cross_platform_confidence: float = 0.9  # confidence factor when the complaint names no platform
    random_seed: int = 0  # seeds the held-out split, so the reported macro-F1 is reproducible
    top_ngrams_per_class: int = 10  # n-grams per category recorded with the run, to explain predictions
    salt: str = "complainant-v1"  # keys complainant_key; recorded with the run, so a pseudonym only (docs)


@dataclass(frozen=True)
class RingParams:
    """Dense-subgraph (FRAUDAR-style) and lockstep ring detection."""

    column_period_days: int = 7  # buyers × (shop, week) columns
    min_ring_buyers: int = 5
    min_ring_shops: int = 1
    max_rings_per_platform: int = 50
    lockstep_window_hours: int = 72
    lockstep_min_shared_shops: int = 3
    # Dense subgraph. The graph keeps accounts with orders at this many shops and columns with this
    # many such accounts (fewer cannot tie shops together). A block is a ring when its density
    # f(S)/|S| is at least this many times the platform graph's own, i.e. clearly above background.
    min_buyer_shops: int = 2
    min_column_buyers: int = 2
    min_density_ratio: float = 2.0
    min_dense_ring_shops: int = 2  # one shop over many weeks is a shop's regulars, not a ring
    max_peel_rounds_per_platform: int = 100  # blocks peeled (kept or not) before giving up on a platform
    # Lockstep co-purchase: only bursts count, two adjacent windows of a shop with at least this many
    # times the orders its other windows average, and at most this many (buying where hundreds buy at
    # once is no evidence of coordination).
    lockstep_min_burst_ratio: float = 3.0
    lockstep_max_window_orders: int = 200
    # Shared devices and addresses: an id used by more accounts is a pickup point or a shared
    # fingerprint, not one operator.
    max_accounts_per_identity: int = 100
    # A candidate shop is in its ring when enough of the ring ordered there (this share of the
    # best-covered shop's accounts), and they ordered repeatedly, or ran a campaign there (this share
    # of the shop's orders, within at most this part of the ring's active time), or dominate its
    # orders. Camouflage at popular shops is spread over the ring's whole time and is a small share.
    min_group_coverage: float = 0.25
    min_orders_per_account: float = 2.0
    min_ring_order_share: float = 0.2
    max_campaign_span_share: float = 0.9
    min_dominant_order_share: float = 0.5
    # A later method's ring whose accounts are mostly (this share) in an earlier ring only adds shops.
    duplicate_buyer_overlap: float = 0.5
    evidence_zh: dict[str, str] = field(
        default_factory=lambda: {
            "dense": "{buyers} 个账号在 {weeks} 周内向 {shops} 家店铺下单 {orders} 笔，平均每个账号光顾其中 "
            "{shops_per_buyer} 家，共用 {devices} 台设备、{addresses} 个收货地址；密度为平台背景的 {ratio} 倍",
            "co_purchase": "{buyers} 个账号两两在 {hours} 小时内先后于至少 {min_shared} 家相同店铺下单，"
            "{weeks} 周内在 {shops} 家店铺共下单 {orders} 笔，共用 {devices} 台设备、{addresses} 个收货地址",
            "shared_identity": "{buyers} 个共用 {devices} 台设备、{addresses} 个收货地址的关联账号在 {weeks} 周内"
            "向 {shops} 家店铺下单 {orders} 笔，平均每个账号 {orders_per_buyer} 笔",
        }
    )
    # English counts come as phrases ({shops_en} = "1 shop" or "12 shops"), Chinese as numbers.
    evidence_en: dict[str, str] = field(
        default_factory=lambda: {
            "dense": "{buyers_en} placed {orders_en} at {shops_en} within {weeks_en}, each at "
            "{shops_per_buyer} of them on average, sharing {devices_en} and {addresses_en}; "
            "density {ratio}× the platform background",
            "co_purchase": "{buyers_en} ordered in pairs from at least {min_shared} of the same shops "
            "within {hours} hours of each other: {orders_en} at {shops_en} within {weeks_en}, "
            "sharing {devices_en} and {addresses_en}",
            "shared_identity": "{buyers_en} linked by {devices_en} and {addresses_en} placed {orders_en} "
            "at {shops_en} within {weeks_en}, {orders_per_buyer} per account",
        }
    )


@dataclass(frozen=True)
class FeatureParams:
    """Windows and thresholds of the merchant features (pipelines/sql/_int_merchant_*.sql)."""

    return_window_days: int = 7  # 七日无理由退货: a no-reason return asked within 7 days of delivery
    undelivered_after_days: int = 10  # an order not delivered this long after payment counts as undelivered
    empty_parcel_ratio: float = 0.2  # parcel lighter than this share of its category's median weight
    fast_review_hours: int = 24  # a 5-star review this soon after delivery was hardly written from use
    shared_accounts: int = 3  # a device or address used by this many accounts is shared
    burst_min_orders: int = 3  # Shopee's brushing rule: ≥ 3 orders and ≥ 3 orders per buyer in an hour
    burst_orders_per_buyer: float = 3.0
    newcomer_window_days: int = 3  # window over which orders from one-order accounts are summed
    heavy_repeat_orders: int = 6  # a buyer with this many orders at one shop is a heavy repeater
    min_match_confidence: float = 0.8  # shop-name matches below this are not counted against a shop
    late_response_days: int = 15  # first response later than this is not timely
    open_too_long_days: int = 63  # 45 working days, when mediation ends without agreement
    scope_item_min_shops: int = (
        5  # a learned scope item is listed by at least this many shops of the category…
    )
    scope_item_min_share: float = 0.05  # …by at least this share of them…
    scope_item_min_lift: float = 5.0  # …and this many times more often than by other categories' shops
    sector_permits: dict[str, str] = field(
        default_factory=lambda: {"食品": "food_operation", "医疗器械": "medical_device", "美妆": "cosmetics"}
    )
    # Words a 经营范围 must contain to cover a shop's category (registry wording, not shop wording).
    scope_keywords: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "服装": ("服装", "服饰", "鞋帽", "针纺织品", "纺织品"),
            "食品": ("食品", "食用农产品", "农副产品", "保健食品"),
            "数码": ("电子产品", "数码", "通讯设备", "计算机", "通信设备"),
            "美妆": ("化妆品", "美容", "个人护理"),
            "母婴": ("母婴", "婴幼儿", "婴童", "儿童用品", "玩具"),
            "家电": ("家用电器", "电器"),
            "医疗器械": ("医疗器械",),
            "家居": ("家居", "日用品", "日用百货", "家具", "厨具", "床上用品"),
        }
    )


@dataclass(frozen=True)
class Signal:
    """One piece of evidence for a harm, and the words that explain it.

    kind: `rate` (numerator events out of denominator, against the category's pooled rate,
    with between-shop spread), `level` (a per-shop value compared on a log scale with its
    category, against honest spread plus the sampling noise of n observations), `peak` (a window count against the
    shop's own expected count) or `flag` (a rule that holds or not).
    """

    code: str
    harm: str
    kind: str
    numerator: str
    denominator: str | None
    weight: float
    zh: str
    en: str
    min_spread: float = 0.5  # rates: assumed between-shop spread, at least this share of the peer rate
    full_at: float = 1.0  # flags: the value at which the rule holds fully (strength = value / full_at, ≤ 1)


SIGNALS: tuple[Signal, ...] = (
    # Fake trades.
    Signal(
        "FT_RING",
        "fake_trade",
        "flag",
        "ring_order_share",
        None,
        4.0,
        "属于刷单团伙：{ring_buyer_count:.0f} 个关联账号下单，占本店订单 {value:.0%}",
        "in a fake-order ring: {ring_buyer_count:.0f} linked accounts placed {value:.0%} of the shop's orders",
        full_at=0.25,  # a shop whose ring orders reach this share gets the ring's full weight
    ),
    Signal(
        "FT_EMPTY_PARCEL",
        "fake_trade",
        "rate",
        "empty_parcel_count",
        "weighed_count",
        1.5,
        "{value:.0%} 的包裹重量不足同类商品的两成（空包），同类商户第 {pct} 百分位",
        "{value:.0%} of parcels weigh under a fifth of the category norm (empty parcels), {pct}th percentile of peers",
    ),
    Signal(
        "FT_SHARED_DEVICE",
        "fake_trade",
        "rate",
        "shared_device_fake_sign_count",
        "order_count",
        1.5,
        "{value:.0%} 的订单来自多账号共用的设备且为空包或秒评五星，同类商户第 {pct} 百分位",
        "{value:.0%} of orders come from devices shared by several accounts and ship empty parcels or get instant 5-star reviews, {pct}th percentile of peers",
        min_spread=1.0,
    ),
    Signal(
        "FT_SHARED_ADDRESS",
        "fake_trade",
        "rate",
        "shared_address_fake_sign_count",
        "order_count",
        1.0,
        "{value:.0%} 的订单寄往多账号共用的地址且为空包或秒评五星，同类商户第 {pct} 百分位",
        "{value:.0%} of orders ship to addresses shared by several accounts and are empty parcels or get instant 5-star reviews, {pct}th percentile of peers",
        min_spread=1.0,
    ),
    Signal(
        "FT_HOURLY_BURST",
        "fake_trade",
        "rate",
        "burst_order_count",
        "order_count",
        1.5,
        "{count:.0f} 单由同一买家在一小时内连下 3 单及以上",
        "{count:.0f} orders placed by buyers ordering ≥ 3 times within an hour",
    ),
    Signal(
        "FT_HEAVY_REPEAT",
        "fake_trade",
        "rate",
        "heavy_repeat_order_count",
        "order_count",
        1.0,
        "{value:.0%} 的订单来自在本店下单≥6次的账号，同类商户第 {pct} 百分位",
        "{value:.0%} of orders come from accounts with ≥ 6 orders at the shop, {pct}th percentile of peers",
        min_spread=1.0,
    ),
    Signal(
        "FT_NEWCOMER_PEAK",
        "fake_trade",
        "peak",
        "newcomer_peak_orders",
        "newcomer_peak_window_orders",
        1.5,
        "3 天内 {window_orders:.0f} 单中有 {value:.0f} 单来自仅下过这一单的新账号（平时占 {usual_share:.0%}）",
        "{value:.0f} of {window_orders:.0f} orders within 3 days came from accounts that never ordered anything else "
        "(usually {usual_share:.0%})",
    ),
    Signal(
        "FT_FAST_FIVE_STAR",
        "fake_trade",
        "rate",
        "suspect_fast_five_star_count",
        "review_count",
        1.0,
        "{value:.0%} 的评价是新账号或共用设备账号在收货后 24 小时内给出的五星好评，同类商户第 {pct} 百分位",
        "{value:.0%} of reviews are 5 stars within 24 h of delivery from one-order or shared-device accounts, {pct}th percentile of peers",
    ),
    # Fraud and false advertising.
    Signal(
        "FR_BOUGHT_REVIEWS",
        "fraud",
        "rate",
        "genuine_fast_five_star_count",
        "genuine_review_count",
        1.5,
        "{value:.0%} 的评价是收货后 24 小时内的五星好评（疑似买好评），同类商户第 {pct} 百分位",
        "{value:.0%} of reviews are 5 stars within 24 h of delivery (bought reviews?), {pct}th percentile of peers",
    ),
    Signal(
        "FR_NOT_AS_DESCRIBED",
        "fraud",
        "rate",
        "not_as_described_count",
        "refund_request_count",
        1.5,
        "{value:.0%} 的退款理由为货不对板，同类商户第 {pct} 百分位",
        "{value:.0%} of refund requests say 'not as described', {pct}th percentile of peers",
    ),
    Signal(
        "FR_QUALITY_REFUNDS",
        "fraud",
        "rate",
        "quality_refund_count",
        "refund_request_count",
        0.75,
        "{value:.0%} 的退款理由为质量问题，同类商户第 {pct} 百分位",
        "{value:.0%} of refund requests cite quality, {pct}th percentile of peers",
    ),
    Signal(
        "FR_UNDELIVERED",
        "fraud",
        "rate",
        "undelivered_count",
        "due_count",
        2.0,
        "{value:.0%} 的订单付款 10 天后仍未送达，同类商户第 {pct} 百分位",
        "{value:.0%} of orders still undelivered 10 days after payment, {pct}th percentile of peers",
        min_spread=1.0,
    ),
    Signal(
        "FR_FRAUD_COMPLAINTS",
        "fraud",
        "rate",
        "fraud_complaint_count",
        "order_count",
        1.0,
        "虚假宣传、假货、欺诈、未发货类投诉 {count:.0f} 件，每千单 {per_1000:.1f} 件，同类商户第 {pct} 百分位",
        "{count:.0f} complaints of false advertising, fakes, fraud or non-delivery, {per_1000:.1f} per 1,000 orders, "
        "{pct}th percentile of peers",
    ),
    Signal(
        "FR_FRAUD_COMPLAINT_SHARE",
        "fraud",
        "rate",
        "fraud_complaint_count",
        "complaint_count",
        1.0,
        "投诉中 {value:.0%} 为虚假宣传、假货、欺诈或未发货",
        "{value:.0%} of its complaints are of false advertising, fakes, fraud or non-delivery",
    ),
    Signal(
        "FR_FIVE_STAR_THEN_REFUND",
        "fraud",
        "rate",
        "five_star_then_refund_count",
        "goods_refund_count",
        1.0,
        "{value:.0%} 因质量或货不对板退款的订单却给了五星好评（疑似买好评）",
        "{value:.0%} of orders refunded for quality or misdescription carry a 5-star review (bought reviews)",
    ),
    # After-sales service.
    Signal(
        "AS_REFUSED_RETURNS",
        "after_sales",
        "rate",
        "refused_eligible_return_count",
        "eligible_return_count",
        2.0,
        "拒绝 {value:.0%} 的七日无理由退货申请（{count:.0f} 件），同类商户第 {pct} 百分位",
        "refused {value:.0%} of eligible 7-day no-reason returns ({count:.0f}), {pct}th percentile of peers",
        min_spread=1.0,
    ),
    Signal(
        "AS_REFUSED_DEFECT_REFUNDS",
        "after_sales",
        "rate",
        "refused_goods_refund_count",
        "goods_refund_count",
        1.0,
        "拒绝 {value:.0%} 的质量问题或货不对板退款申请（{count:.0f} 件），同类商户第 {pct} 百分位",
        "refused {value:.0%} of refunds for defective or misdescribed goods ({count:.0f}), {pct}th percentile of peers",
        min_spread=1.0,
    ),
    Signal(
        "AS_SLOW_REFUNDS",
        "after_sales",
        "level",
        "refund_latency_ratio_p50",
        "completed_refund_count",
        2.0,
        "退款中位时长 {p50_days:.0f} 天，同类商户第 {pct} 百分位",
        "median refund time {p50_days:.0f} days, {pct}th percentile of peers",
    ),
    Signal(
        "AS_LATE_RESPONSE",
        "after_sales",
        "rate",
        "late_response_count",
        "answerable_count",
        2.0,
        "{value:.0%} 的投诉超过 15 天未首次回应，同类商户第 {pct} 百分位",
        "{value:.0%} of complaints had no first response within 15 days, {pct}th percentile of peers",
    ),
    Signal(
        "AS_SLOW_FIRST_RESPONSE",
        "after_sales",
        "level",
        "first_response_p50_hours",
        "responded_count",
        1.5,
        "投诉首次回应中位需 {value:.0f} 小时，同类商户第 {pct} 百分位",
        "median first response to complaints {value:.0f} hours, {pct}th percentile of peers",
    ),
    Signal(
        "AS_UNRESOLVED",
        "after_sales",
        "rate",
        "unresolved_count",
        "complaint_count",
        1.0,
        "{value:.0%} 的投诉未解决或超过 45 个工作日未办结",
        "{value:.0%} of complaints unresolved or open beyond 45 working days",
    ),
    Signal(
        "AS_REPEAT_COMPLAINANTS",
        "after_sales",
        "rate",
        "repeat_complaint_count",
        "complaint_count",
        0.5,
        "{count:.0f} 件投诉来自重复投诉的消费者",
        "{count:.0f} complaints come from consumers complaining again",
    ),
    Signal(
        "AS_SERVICE_COMPLAINTS",
        "after_sales",
        "rate",
        "service_complaint_count",
        "order_count",
        0.5,
        "售后与拒绝退款类投诉每千单 {per_1000:.1f} 件，同类商户第 {pct} 百分位",
        "{per_1000:.1f} after-sales and refused-refund complaints per 1,000 orders, {pct}th percentile of peers",
    ),
    # Licences.
    Signal(
        "LI_NO_CODE",
        "license",
        "flag",
        "is_credit_code_missing",
        None,
        4.0,
        "店铺未公示统一社会信用代码（未亮照）",
        "the shop displays no credit code",
    ),
    Signal(
        "LI_BAD_CHECK_DIGIT",
        "license",
        "flag",
        "is_credit_code_invalid",
        None,
        4.0,
        "公示的统一社会信用代码 {credit_code} 校验位错误",
        "the displayed credit code {credit_code} fails its check digit",
    ),
    Signal(
        "LI_UNREGISTERED",
        "license",
        "flag",
        "is_unregistered",
        None,
        3.0,
        "信用代码 {credit_code} 在登记信息中查无营业执照",
        "credit code {credit_code} has no business licence on record",
    ),
    Signal(
        "LI_LICENCE_STATUS",
        "license",
        "flag",
        "is_licence_bad",
        None,
        4.0,
        "营业执照状态为{licence_status_zh}",
        "business licence is {licence_status}",
    ),
    Signal(
        "LI_PERMIT_MISSING",
        "license",
        "flag",
        "is_permit_missing",
        None,
        3.0,
        "经营{main_category}但无有效的{required_permit_zh}",
        "sells {main_category} without a valid {required_permit} permit",
    ),
    Signal(
        "LI_OUT_OF_SCOPE",
        "license",
        "flag",
        "is_out_of_scope",
        None,
        2.5,
        "经营范围不含{main_category}类商品",
        "business scope does not cover {main_category}",
    ),
    Signal(
        "LI_NEW_COMPANY_TOP_SALES",
        "license",
        "flag",
        "is_new_company_top_sales",
        None,
        3.0,
        "公司成立仅 {company_age_days:.0f} 天，销售额却居前 10%",
        "company registered only {company_age_days:.0f} days ago, yet in the top 10% by sales",
    ),
)

LICENCE_STATUS_ZH = {"expired": "已过期", "revoked": "吊销", "cancelled": "注销", "abnormal": "经营异常"}
PERMIT_ZH = {
    "food_operation": "食品经营许可证",
    "medical_device": "医疗器械经营许可",
    "cosmetics": "化妆品经营许可",
}
HARM_ZH = {"fraud": "欺诈与虚假宣传", "fake_trade": "刷单", "after_sales": "售后服务", "license": "证照"}


@dataclass(frozen=True)
class ScoreParams:
    """How evidence turns into 0–100 scores, a composite, tiers and reasons."""

    z_threshold: float = 1.5  # a statistical signal counts only beyond this many standard deviations
    min_events: int = 2  # …and a rate signal only from this many events on
    z_cap: float = 12.0
    evidence_scale: float = 3.0  # score = 100 · (1 − exp(−evidence / scale))
    min_rate_spread_abs: float = 0.002  # between-shop spread of a rate is at least this much
    min_peer_group: int = 20  # a category × size group smaller than this compares with the whole category
    spread_min_exposure: int = 30  # shops with fewer observations do not inform the spread
    spread_min_shops: int = 10  # a group with fewer informing shops uses the minimum spread
    baseline_trim_quantile: float = 0.9  # a peer rate leaves out shops above this quantile of rates
    # One observation's spread around its shop's typical level, on a log scale: one refund or
    # first response takes from about half to twice the shop's usual time (σ = ln 2).
    level_noise_sd: float = 0.69
    level_min_spread: float = 0.3  # honest shops' levels differ by at least this much on a log scale (±35%)
    peak_window_days: int = 3  # FeatureParams.newcomer_window_days: windows a shop's peak is chosen among
    new_company_days: int = 365  # a company younger than this at the as-of day…
    new_company_at_opening_days: int = 90  # …or registered this shortly before its shop opened
    new_company_sales_percentile: float = 0.9
    size_bands: tuple[int, ...] = (100, 1000)  # order counts splitting peer groups into small/medium/large
    tiers: tuple[tuple[str, float, float], ...] = (("high", 0.01, 50.0), ("medium", 0.05, 25.0))
    max_reasons: int = 4


@dataclass(frozen=True)
class MartParams:
    """Spike alerts on weekly complaint counts per platform and category."""

    baseline_weeks: int = 8  # trailing weeks the current week is compared with
    min_baseline_weeks: int = 4
    min_count: int = 5  # a week needs at least this many complaints to alert
    spike_z: float = 3.0


@dataclass(frozen=True)
class ScoringParams:
    """Everything a scoring run uses."""

    complaint_text: ComplaintTextParams = field(default_factory=ComplaintTextParams)
    rings: RingParams = field(default_factory=RingParams)
    features: FeatureParams = field(default_factory=FeatureParams)
    scores: ScoreParams = field(default_factory=ScoreParams)
    marts: MartParams = field(default_factory=MartParams)
    memory_limit_mb: int = 2048  # DuckDB's working memory during a run; it spills beyond this
    # The evidence signals with their weights; a supervisor's overrides replace signals by code
    # (pipelines/param_overrides.py).
    signals: tuple[Signal, ...] = SIGNALS

    def as_json(self) -> str:
        """The parameters and signal definitions as canonical JSON (sorted keys), as recorded with a run."""
        values = dataclasses.asdict(self)
        values["signals"] = [dataclasses.asdict(s) for s in self.signals]
        return json.dumps(values, sort_keys=True, ensure_ascii=False)

    def digest(self) -> str:
        """A short hash of the parameters, part of the run id."""
        return hashlib.sha256(self.as_json().encode()).hexdigest()[:8]
