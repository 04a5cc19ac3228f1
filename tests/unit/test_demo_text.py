"""The demo market's Chinese text: deterministic, well-formed, varied, and hard enough to classify."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from threadpoolctl import threadpool_limits

from pipelines.demo_market import text, vocab
from warehouse.schema import COMPLAINT_CATEGORIES, MERCHANT_CATEGORIES

CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
CATEGORIES = tuple(vocab.CATEGORIES)
CITIES = tuple(city for spec in vocab.PROVINCES.values() for city, _ in spec["cities"])


def _complaint(rng: np.random.Generator, category: str) -> str:
    return text.complaint_description(
        rng, category, product="蓝牙耳机", amount=1280.0, days=15, shop="华创数码专营店"
    )


DRAWS = {
    "person_name": text.person_name,
    "mobile_number": text.mobile_number,
    "product_name": lambda rng: text.product_name(rng, "美妆"),
    "shop_name": lambda rng: text.shop_name(rng, "食品", "杭州"),
    "company_name": lambda rng: text.company_name(rng, "义乌", "母婴"),
    "business_scope": lambda rng: text.business_scope(rng, "医疗器械"),
    "business_scope_mismatch": lambda rng: text.business_scope(rng, "食品", covers_category=False),
    "misspell_shop_name": lambda rng: text.misspell_shop_name(rng, "悦颜美妆旗舰店"),
    "complaint_description": lambda rng: _complaint(rng, "quality"),
}


@pytest.mark.parametrize("name", DRAWS)
def test_same_seed_gives_same_text(name):
    def draws(seed: int) -> list[str]:
        rng = np.random.default_rng(seed)
        return [DRAWS[name](rng) for _ in range(200)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_mobile_numbers_have_eleven_digits_and_a_real_prefix():
    rng = np.random.default_rng(1)
    prefixes = {p for p, _ in vocab.MOBILE_PREFIXES}
    for number in (text.mobile_number(rng) for _ in range(2000)):
        assert re.fullmatch(r"1\d{10}", number), number
        assert number[:3] in prefixes


def test_person_names_are_two_or_three_chinese_characters_with_common_surnames_first():
    rng = np.random.default_rng(2)
    names = [text.person_name(rng) for _ in range(5000)]
    assert all(CJK_NAME.match(n) for n in names), [n for n in names if not CJK_NAME.match(n)][:5]
    assert {len(n) for n in names} == {2, 3}
    top = sum(n[0] in "王李张刘陈" for n in names) / len(names)
    assert 0.2 < top < 0.4  # the five biggest surnames cover about 30% of people


@pytest.mark.parametrize("category", CATEGORIES)
def test_products_belong_to_their_category(category):
    rng = np.random.default_rng(3)
    products = vocab.CATEGORIES[category]["products"]
    for name in (text.product_name(rng, category) for _ in range(300)):
        assert any(name.endswith(p) for p in products), name


@pytest.mark.parametrize(
    ("category", "product", "amount", "days", "shop"),
    [
        ("false_advertising", "补水面膜", 299.0, 7, "悦颜美妆旗舰店"),
        ("counterfeit", "口红", 1280.0, 15, None),
        ("quality", "扫地机器人", 1999.5, 30, "美厨电器专营店"),
        ("fraud", "智能手机", 3600.0, 3, None),
        ("non_delivery", "羽绒服", 459.9, 21, "衣品服饰小店"),
        ("refund_refused", "纯棉连衣裙", 189.0, 12, "锦绣女装专卖店"),
        ("after_sales", "空调", 12800.0, 45, None),
        ("privacy", "婴儿奶粉", 368.0, 2, "童趣母婴旗舰店"),
        ("price", "螺蛳粉", 59.9, 5, None),
        ("other", "四件套", 88.0, 10, "暖居家纺企业店"),
    ],
)
def test_complaints_are_varied_and_state_product_amount_and_days(category, product, amount, days, shop):
    rng = np.random.default_rng(4)
    texts = [
        text.complaint_description(rng, category, product=product, amount=amount, days=days, shop=shop)
        for _ in range(500)
    ]
    assert len(set(texts)) >= 300
    amount_forms = (f"{amount:,.2f}", f"{amount:.2f}".rstrip("0").rstrip("."))
    for t in texts:
        assert product in t
        assert any(a in t for a in amount_forms), t
        assert f"{days}天" in t, t


@pytest.mark.parametrize(
    ("category", "words"),
    [
        ("false_advertising", ("虚假宣传", "货不对板", "夸大")),
        ("counterfeit", ("假货", "正品", "防伪")),
        ("non_delivery", ("没发货", "不更新", "未收到")),
        ("refund_refused", ("七日无理由", "七天无理由")),
        ("privacy", ("信息", "骚扰", "诈骗电话")),
        ("price", ("先涨后降", "价格欺诈", "优惠券")),
        ("after_sales", ("回复", "拖", "推诿", "售后")),
        ("fraud", ("转账", "刷单", "拉黑")),
    ],
)
def test_each_category_uses_its_telltale_words(category, words):
    rng = np.random.default_rng(5)
    texts = [_complaint(rng, category) for _ in range(300)]
    assert sum(any(w in t for w in words) for t in texts) > 0.5 * len(texts)


def test_shop_mentions_appear_only_when_a_shop_is_given():
    rng = np.random.default_rng(6)
    with_shop = [_complaint(rng, "quality") for _ in range(300)]
    without = [
        text.complaint_description(rng, "quality", product="蓝牙耳机", amount=1.0, days=1, shop=None)
        for _ in range(300)
    ]
    assert 0.3 < sum("华创数码专营店" in t for t in with_shop) / 300 < 0.9
    assert not any("华创" in t for t in without)


@pytest.mark.parametrize("category", CATEGORIES)
def test_business_scope_covers_the_category_only_when_asked(category):
    rng = np.random.default_rng(9)
    keywords = vocab.SCOPE_KEYWORDS[category]
    for _ in range(300):
        covering = text.business_scope(rng, category)
        mismatched = text.business_scope(rng, category, covers_category=False)
        assert any(k in covering for k in keywords), covering
        assert not any(k in mismatched for k in keywords), mismatched
        assert mismatched.endswith(("。", "）")) and "；；" not in mismatched


@pytest.mark.parametrize(
    "name", ["悦颜美妆官方旗舰店", "鲜丰食品专营店", "华创数码小店", "阿琳家的美妆小店", "童趣"]
)
def test_misspelt_shop_names_are_non_empty_and_sometimes_differ(name):
    rng = np.random.default_rng(10)
    spellings = [text.misspell_shop_name(rng, name) for _ in range(300)]
    assert all(spellings)
    assert 0.3 < sum(s != name for s in spellings) / len(spellings) < 0.95


def test_shop_names_rarely_collide():
    rng = np.random.default_rng(11)
    names = [
        text.shop_name(rng, CATEGORIES[i % len(CATEGORIES)], CITIES[i % len(CITIES)] if i % 2 else None)
        for i in range(20_000)
    ]
    assert len(set(names)) > 0.98 * len(names)


@pytest.mark.parametrize("category", CATEGORIES)
def test_shop_names_within_one_category_rarely_collide(category):
    rng = np.random.default_rng(12)
    names = [text.shop_name(rng, category) for _ in range(5_000)]
    assert len(set(names)) > 0.99 * len(names)


@pytest.mark.parametrize(
    ("city", "category", "place"),
    [
        ("杭州", "美妆", "杭州"),
        ("义乌", "母婴", "义乌"),
        ("朝阳区", "数码", "北京"),
        ("深圳市", "家电", "深圳"),
    ],
)
def test_company_names_carry_the_place_and_a_legal_form(city, category, place):
    rng = np.random.default_rng(13)
    forms = tuple(f for f, _ in vocab.COMPANY_FORMS)
    for name in (text.company_name(rng, city, category) for _ in range(200)):
        assert place in name and name.endswith(forms), name


@pytest.mark.parametrize(
    "call",
    [
        lambda rng: text.shop_name(rng, "汽车"),
        lambda rng: text.company_name(rng, "杭州", "汽车"),
        lambda rng: text.business_scope(rng, "汽车"),
        lambda rng: text.product_name(rng, "汽车"),
        lambda rng: text.complaint_description(rng, "spam", product="x", amount=1.0, days=1, shop=None),
    ],
)
def test_unknown_categories_are_rejected(call):
    with pytest.raises(ValueError, match="unknown"):
        call(np.random.default_rng(0))


def test_vocabulary_matches_the_contract():
    assert set(MERCHANT_CATEGORIES) <= set(vocab.CATEGORIES)
    assert set(vocab.COMPLAINT_FRAGMENTS) == set(COMPLAINT_CATEGORIES)
    assert len(vocab.PROVINCES) == 31
    for spec in vocab.PROVINCES.values():
        assert re.fullmatch(r"\d{2}0000", spec["code"])
        assert 2 <= len(spec["cities"]) <= 4
        assert all(code[:2] == spec["code"][:2] for _, code in spec["cities"])
    assert len(vocab.SURNAMES) >= 60 and len(set(vocab.GIVEN_NAME_CHARS)) >= 150
    for fragments in vocab.COMPLAINT_FRAGMENTS.values():
        assert all(len(fragments[slot]) >= 8 for slot in ("open", "event", "detail", "demand"))
        assert all("{days}天" in f for f in fragments["detail"])
    for category in CATEGORIES:
        assert not any(k in g for g in vocab.GENERIC_SCOPES for k in vocab.SCOPE_KEYWORDS[category])


def _labelled_complaints(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for i in range(n):
        category = COMPLAINT_CATEGORIES[i % len(COMPLAINT_CATEGORIES)]
        merchant_category = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
        shop = text.shop_name(rng, merchant_category) if rng.random() < 0.5 else None
        texts.append(
            text.complaint_description(
                rng,
                category,
                product=text.product_name(rng, merchant_category),
                amount=round(float(rng.lognormal(5, 1)), 2),
                days=int(rng.integers(1, 60)),
                shop=shop,
            )
        )
        labels.append(category)
    return texts, labels


def test_a_char_ngram_classifier_learns_the_categories_but_not_perfectly():
    rng = np.random.default_rng(2026)
    train_x, train_y = _labelled_complaints(rng, 3000)
    test_x, test_y = _labelled_complaints(rng, 1000)
    # The detection recipe, with features and iterations capped so the test stays fast.
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, max_features=8000
    )
    model = LogisticRegression(class_weight="balanced", max_iter=300, tol=1e-3)
    # Multi-threaded BLAS makes this tiny fit several times slower on a busy machine.
    with threadpool_limits(1):
        model.fit(vectorizer.fit_transform(train_x), train_y)
    score = f1_score(test_y, model.predict(vectorizer.transform(test_x)), average="macro")
    assert 0.6 < score < 0.97
