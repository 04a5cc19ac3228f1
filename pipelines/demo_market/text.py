"""Chinese text for the demo market (names, shops, companies, scopes, complaints), random only via the caller's Generator."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any

import numpy as np

from pipelines.demo_market import vocab

# Share of complaint slots that borrow a neighbouring category's fragment. It sets how often
# texts are ambiguous, i.e. how far a text classifier stays from 100% (tuned for ~0.85 macro-F1).
NEIGHBOUR_MIX = 0.3
# Share of complaint openings that are generic (我要投诉。) whatever the category.
GENERIC_OPENING = 0.2


def _cumulative(weights: Iterable[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


_SURNAMES = tuple(s for s, _ in vocab.SURNAMES)
_SURNAME_CUM = _cumulative(w for _, w in vocab.SURNAMES)
_SINGLE_SURNAMES = tuple(s for s in _SURNAMES if len(s) == 1)
_MOBILE_PREFIXES = tuple(p for p, _ in vocab.MOBILE_PREFIXES)
_MOBILE_CUM = _cumulative(w for _, w in vocab.MOBILE_PREFIXES)
_SUFFIXES = tuple(s for s, _ in vocab.SHOP_SUFFIXES)
_SUFFIX_CUM = _cumulative(w for _, w in vocab.SHOP_SUFFIXES)
_SUFFIXES_LONGEST_FIRST = tuple(sorted(_SUFFIXES, key=len, reverse=True))
_COMPANY_FORMS = tuple(f for f, _ in vocab.COMPANY_FORMS)
_COMPANY_FORM_CUM = _cumulative(w for _, w in vocab.COMPANY_FORMS)
_INDIVIDUAL_FORMS = frozenset({"商行", "经营部", "店"})
# 悦颜旗舰店 + 的店 would say 店 twice.
_WRAPPERS_AFTER_SHOP = tuple(w for w in vocab.SHOP_MENTION_WRAPPERS if "店" not in w.replace("{name}", ""))
_CITY_PROVINCE = {city: prov for prov, spec in vocab.PROVINCES.items() for city, _ in spec["cities"]}
_OTHER_SCOPE_CATEGORIES = {c: tuple(o for o in vocab.SCOPES if o != c) for c in vocab.SCOPES}
# Other categories' scope phrases that name none of a category's goods: what a mismatched scope lists.
_FOREIGN_SCOPES = {
    category: tuple(
        phrase
        for other, scope in vocab.SCOPES.items()
        if other != category
        for phrase in scope["general"] + scope["licensed"]
        if not any(word in phrase for word in vocab.SCOPE_KEYWORDS[category])
    )
    for category in vocab.SCOPES
}


Uniform = Callable[[], float]


def _uniforms(rng: np.random.Generator, batch: int) -> Uniform:
    """A source of uniform [0, 1) floats drawn from `rng` `batch` at a time.

    One numpy call costs about a microsecond whatever its size, so a call's draws are taken in one
    batch (refilled if it runs out); the Generator stays the only source of randomness.
    """

    def stream() -> Iterator[float]:
        while True:
            yield from rng.random(batch).tolist()

    return stream().__next__


def _pick(u: Uniform, seq: Sequence[Any]) -> Any:
    i = int(u() * len(seq))
    return seq[i if i < len(seq) else -1]


def _pick_weighted(u: Uniform, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
    i = bisect_right(cumulative, u() * cumulative[-1])
    return items[i if i < len(items) else -1]


def _sample(u: Uniform, seq: Sequence[str], k: int) -> list[str]:
    pool = list(seq)
    out = []
    for _ in range(min(k, len(pool))):
        i = int(u() * len(pool))
        out.append(pool.pop(i if i < len(pool) else -1))
    return out


def _category(category: str) -> dict:
    try:
        return vocab.CATEGORIES[category]
    except KeyError:
        raise ValueError(
            f"unknown merchant category {category!r}; expected one of {list(vocab.CATEGORIES)}"
        ) from None


def person_name(rng: np.random.Generator) -> str:
    """A plausible full name: a frequency-weighted surname and a one- or two-character given name."""
    u = _uniforms(rng, 4)
    surname = _pick_weighted(u, _SURNAMES, _SURNAME_CUM)
    # A compound surname takes one given character so that every name stays 2–3 characters.
    if len(surname) > 1 or u() < 0.3:
        return surname + _pick(u, vocab.GIVEN_NAME_CHARS)
    return surname + _pick(u, vocab.GIVEN_NAME_CHARS) + _pick(u, vocab.GIVEN_NAME_CHARS)


def mobile_number(rng: np.random.Generator) -> str:
    """An 11-digit mainland mobile number with a real carrier prefix."""
    u = _uniforms(rng, 2)
    prefix = _pick_weighted(u, _MOBILE_PREFIXES, _MOBILE_CUM)
    return f"{prefix}{int(u() * 100_000_000):08d}"


def product_name(rng: np.random.Generator, category: str) -> str:
    """A concrete product of the merchant category, sometimes with a listing modifier (韩版, 家用 …)."""
    u = _uniforms(rng, 3)
    spec = _category(category)
    product = _pick(u, spec["products"])
    if u() < 0.3:
        modifier = _pick(u, spec["modifiers"])
        # 婴幼儿 + 婴儿奶粉 or 补水 + 补水面膜 would read as a typo.
        if not set(modifier) & set(product[:2]):
            return modifier + product
    return product


def _brand_stem(u: Uniform, spec: dict) -> str:
    # Curated stems are few, so they stay rare: over-using them is what makes shop names collide.
    if u() < 0.05:
        stem = _pick(u, spec["stems"])
    else:
        heads = spec["stem_heads"] if u() < 0.6 else vocab.GENERIC_STEM_HEADS
        tails = spec["stem_tails"] if u() < 0.6 else vocab.GENERIC_STEM_TAILS
        stem = _pick(u, heads) + _pick(u, tails)
    if u() < 0.2:
        ending = _pick(u, vocab.STEM_ENDINGS)
        if ending != stem[-1]:
            stem += ending
    return stem


def _place(city: str) -> tuple[str, str]:
    """(city or municipality, district) as a registry writes the place: 北京 + 朝阳区, 杭州 + ''."""
    city = city.removesuffix("市")
    province = _CITY_PROVINCE.get(city)
    if province is not None and city.endswith("区"):
        return province, city
    return city, ""


def _personal_shop(u: Uniform, spec: dict) -> str:
    pattern = _pick(u, vocab.PERSONAL_SHOP_PATTERNS)
    nick = _pick(u, vocab.GIVEN_NAME_CHARS) if u() < 0.5 else _pick(u, _SINGLE_SURNAMES)
    word = _pick(u, spec["shop_words"])
    return pattern.format(nick=nick, nick2=_pick(u, vocab.GIVEN_NAME_CHARS), word=word)


def shop_name(rng: np.random.Generator, category: str, city: str | None = None) -> str:
    """A platform shop name such as 悦颜美妆专营店, 杭州鲜丰官方食品旗舰店 or 阿琳家的美妆小店."""
    u = _uniforms(rng, 16)
    spec = _category(category)
    if u() < 0.07:
        return _personal_shop(u, spec)
    stem = _brand_stem(u, spec)
    if city and u() < 0.2:
        stem = _place(city)[0] + stem
    r = u()
    if r < 0.1:
        middle = ""
    elif r < 0.55:
        middle = _pick(u, spec["shop_words"])
    elif r < 0.7:
        middle = _pick(u, vocab.SHOP_DECORATIONS)
    else:
        middle = _pick(u, vocab.SHOP_DECORATIONS) + _pick(u, spec["shop_words"])
    suffix = _pick_weighted(u, _SUFFIXES, _SUFFIX_CUM)
    if "官方" in middle and "官方" in suffix:
        suffix = "旗舰店"
    return stem + middle + suffix


def company_name(rng: np.random.Generator, city: str, category: str) -> str:
    """A registered company or individual business, e.g. 杭州悦颜化妆品有限公司, 义乌市童趣母婴用品商行."""
    u = _uniforms(rng, 16)
    spec = _category(category)
    stem = _brand_stem(u, spec)
    form = _pick_weighted(u, _COMPANY_FORMS, _COMPANY_FORM_CUM)
    place, district = _place(city)
    if form in _INDIVIDUAL_FORMS:
        # Individual businesses are named by city (and district), always with 市, and by trade.
        return f"{place}市{district}{stem}{_pick(u, spec['trade_words'])}{form}"
    industry = spec["industry"] if u() < 0.72 else _pick(u, vocab.GENERIC_INDUSTRIES)
    r = u()
    if r < 0.15:
        return f"{stem}（{place}）{industry}{form}"
    if r < 0.45:
        return f"{place}市{stem}{industry}{form}"
    return f"{place}{stem}{industry}{form}"


def _join_scope(items: list[str]) -> str:
    return "".join(items).removesuffix("；")


def business_scope(rng: np.random.Generator, category: str, covers_category: bool = True) -> str:
    """A 经营范围 text; with covers_category=False it lists none of the category's goods."""
    u = _uniforms(rng, 24)
    _category(category)
    own = vocab.SCOPES[category]
    generic = _sample(u, vocab.GENERIC_SCOPES, 2 + int(u() * 4))
    if covers_category:
        goods = _sample(u, own["general"], 1 + int(u() * 3))
        licensed = _sample(u, own["licensed"], 1) if u() < 0.6 else []
        if u() < 0.25:
            other = _pick(u, _OTHER_SCOPE_CATEGORIES[category])
            goods.append(_pick(u, vocab.SCOPES[other]["general"]))
    else:
        goods = _sample(u, _FOREIGN_SCOPES[category], int(u() * 3))
        licensed = []
    general = goods + generic if u() < 0.5 else generic + goods
    if u() < 0.3:
        # The pre-2021 registry style: one list, one closing note.
        text = _join_scope(licensed + general) + "。"
        return text + vocab.SCOPE_OLD_TAIL if u() < 0.7 else text
    text = "一般项目：" + _join_scope(general) + vocab.SCOPE_GENERAL_TAIL + "。"
    if licensed:
        text = "许可项目：" + _join_scope(licensed) + vocab.SCOPE_LICENSED_TAIL + "。" + text
    return text


def misspell_shop_name(rng: np.random.Generator, name: str) -> str:
    """The shop name as a consumer writes it: suffix dropped, characters lost, swapped or sound-alike."""
    u = _uniforms(rng, 8)
    if len(name) < 2 or u() < 0.2:
        return name
    out = name
    if u() < 0.6:
        out = _strip_suffix(out)
    r = u()
    if r < 0.4:
        out = _homophone(u, out)
    elif r < 0.55 and len(out) > 3:
        i = 1 + int(u() * (len(out) - 1))
        out = out[:i] + out[i + 1 :]
    elif r < 0.65 and len(out) > 2:
        i = int(u() * (len(out) - 1))
        out = out[:i] + out[i + 1] + out[i] + out[i + 2 :]
    if out == name or u() < 0.2:
        wrappers = _WRAPPERS_AFTER_SHOP if out.endswith("店") else vocab.SHOP_MENTION_WRAPPERS
        out = _pick(u, wrappers).format(name=out)
    return out or name


def _strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES_LONGEST_FIRST:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _homophone(u: Uniform, name: str) -> str:
    positions = [i for i, ch in enumerate(name) if ch in vocab.HOMOPHONES]
    if not positions:
        return name
    i = _pick(u, positions)
    return name[:i] + _pick(u, vocab.HOMOPHONES[name[i]]) + name[i + 1 :]


def _amount_text(u: Uniform, amount: float) -> str:
    plain = f"{amount:.2f}".rstrip("0").rstrip(".")
    r = u()
    if r < 0.25:
        return f"{amount:,.2f}元"
    if r < 0.4:
        return f"{amount:.2f}元"
    if r < 0.8:
        return plain + "元"
    if r < 0.9:
        return "￥" + plain
    return plain + "块"


def _fragment(u: Uniform, category: str, slot: str) -> str:
    if u() < NEIGHBOUR_MIX:
        category = _pick(u, vocab.COMPLAINT_NEIGHBOURS[category])
    return _pick(u, vocab.COMPLAINT_FRAGMENTS[category][slot])


def complaint_description(
    rng: np.random.Generator,
    category: str,
    *,
    product: str,
    amount: float,
    days: int,
    shop: str | None,
    ordered_on: dt.date | None = None,
) -> str:
    """A consumer's complaint in their own words (12315 formal or angry chat), stating product, amount and days.

    With `ordered_on`, the purchase date the consumer mentions is that day (or a vague "last month").
    """
    u = _uniforms(rng, 24)
    if category not in vocab.COMPLAINT_FRAGMENTS:
        raise ValueError(f"unknown complaint category {category!r}")
    formal = u() < 0.5
    dates = vocab.COMPLAINT_DATE_FORMAL if formal else vocab.COMPLAINT_DATE_CASUAL
    month, day = 1 + int(u() * 12), 1 + int(u() * 28)
    if ordered_on is not None:
        month, day = ordered_on.month, ordered_on.day
        festivals = {"双十一": (11, 11), "618": (6, 18)}
        dates = tuple(
            d
            for d in dates
            if all(
                name not in d or abs(ordered_on.month * 31 + ordered_on.day - m * 31 - dd) <= 3
                for name, (m, dd) in festivals.items()
            )
        )
    date = _pick(u, dates).format(m=month, d=day)
    if shop and u() < 0.6:
        where = _pick(u, vocab.COMPLAINT_SHOP_WHERE).format(shop=shop)
    else:
        where = _pick(u, vocab.COMPLAINT_WHERE)
    values = {
        "product": product,
        "amount": _amount_text(u, amount),
        "days": days,
        "date": date,
        "where": where,
    }
    opening = _fragment(u, "other" if u() < GENERIC_OPENING else category, "open")
    parts = []
    if formal:
        if u() < 0.75:
            parts.append(opening)
        parts.append(_pick(u, vocab.COMPLAINT_PURCHASE_FORMAL))
    else:
        if u() < 0.35:
            parts.append(_pick(u, vocab.COMPLAINT_INTERJECTIONS))
        if u() < 0.5:
            parts.append(opening)
        parts.append(_pick(u, vocab.COMPLAINT_PURCHASE_CASUAL))
    parts.append(_fragment(u, category, "event"))
    parts.append(_fragment(u, category, "detail"))
    parts.append(_fragment(u, category, "demand"))
    if formal and u() < 0.4:
        parts.append(_pick(u, vocab.COMPLAINT_CLOSING_FORMAL))
    elif not formal and u() < 0.3:
        parts.append(_pick(u, vocab.COMPLAINT_CLOSING_CASUAL))
    return "".join(part.format_map(values) for part in parts)
