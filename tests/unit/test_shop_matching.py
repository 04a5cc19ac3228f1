"""Shop-name matching: normalisation, exact before fuzzy, platform first, ties and strangers left unmatched."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.params import ComplaintTextParams
from pipelines.shop_matching import (
    AMBIGUOUS,
    BELOW_THRESHOLD,
    EXACT,
    FUZZY,
    GIVEN,
    NO_NAME,
    UNMATCHED,
    match_shop_names,
    name_ngrams,
    normalise_shop_name,
    shop_name_core,
)

PARAMS = ComplaintTextParams()


@pytest.mark.parametrize(
    ("written", "normalised", "core"),
    [
        ("悦颜美妆旗舰店", "悦颜美妆旗舰店", "悦颜美妆"),
        ("悦颜美妆官方旗舰店", "悦颜美妆官方旗舰店", "悦颜美妆"),
        ("鲜丰食品专营店", "鲜丰食品专营店", "鲜丰食品"),
        ("华创数码专卖店", "华创数码专卖店", "华创数码"),
        ("童趣官方店", "童趣官方店", "童趣"),
        ("鲜丰小店", "鲜丰小店", "鲜丰"),
        ("ＡＢＣ数码专营店", "abc数码专营店", "abc数码"),  # full-width letters
        ("悦颜美妆（网店）", "悦颜美妆网店", "悦颜美妆"),  # full-width brackets
        (" 悦颜 美妆\t旗舰店 ", "悦颜美妆旗舰店", "悦颜美妆"),  # blanks
        ("悦颜　美妆", "悦颜美妆", "悦颜美妆"),  # ideographic space
        ("“悦颜美妆”店铺", "悦颜美妆店铺", "悦颜美妆"),
        ("那家悦颜美妆", "那家悦颜美妆", "悦颜美妆"),
        ("叫鲜丰的店铺", "叫鲜丰的店铺", "鲜丰"),
        ("悦颜美妆的直播间", "悦颜美妆的直播间", "悦颜美妆"),
        ("小店", "小店", "小店"),  # nothing left after the suffix: keep the name
        ("旗舰店", "旗舰店", "旗舰店"),  # whole suffix words only, never 旗舰
        ("悦颜旗舰店的店", "悦颜旗舰店的店", "悦颜"),  # wrapper, then suffix
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_normalisation(written, normalised, core):
    assert normalise_shop_name(written) == normalised
    assert shop_name_core(written) == core


def test_name_ngrams_are_characters_and_marked_pairs():
    assert name_ngrams("悦颜") == ["悦", "颜", "^悦", "悦颜", "颜$"]


MERCHANTS = pd.DataFrame(
    [
        ("P01", "M1", "悦颜美妆护肤旗舰店"),
        ("P02", "M9", "悦颜美妆护肤旗舰店"),  # same name on another platform
        ("P01", "M2", "鲜丰食品专营店"),
        ("P01", "M3", "华创数码专卖店"),
        ("P01", "M4", "童趣母婴用品小店"),
        ("P01", "M5", "暖居家居旗舰店"),
        ("P01", "M6", "暖居家居专营店"),  # same core name as M5 on the same platform
        ("P01", "M7", "雅韵服饰旗舰店"),
        ("P01", "M8", "雅韵服装旗舰店"),  # one character from M7
        ("P02", "M10", "蓝鲸智能家居生活电器专营店"),
    ],
    columns=["platform_id", "merchant_id", "shop_name"],
)


@pytest.mark.parametrize(
    ("platform_id", "merchant_id", "shop_name", "method", "matched_platform", "matched_merchant", "reason"),
    [
        # Given merchant ids are kept whatever the name says.
        ("P01", "M3", "悦颜美妆护肤旗舰店", GIVEN, "P01", "M3", None),
        # Exact on the normalised name, within the complaint's platform.
        ("P01", None, "悦颜美妆护肤旗舰店", EXACT, "P01", "M1", None),
        ("P02", None, "悦颜美妆护肤旗舰店", EXACT, "P02", "M9", None),
        ("P01", None, "  悦颜美妆护肤 旗舰店", EXACT, "P01", "M1", None),
        # A dropped generic suffix or a mention wrapper is still the same name.
        ("P01", None, "悦颜美妆护肤", EXACT, "P01", "M1", None),
        ("P01", None, "那家华创数码", EXACT, "P01", "M3", None),
        # Two shops share the core name: the full name decides, else it is a tie.
        ("P01", None, "暖居家居专营店", EXACT, "P01", "M6", None),
        ("P01", None, "暖居家居", UNMATCHED, "P01", None, AMBIGUOUS),
        # Misspelled: a sound-alike character, a lost character.
        ("P01", None, "悦言美妆护肤旗舰店", FUZZY, "P01", "M1", None),
        ("P01", None, "童趣母婴用小店", FUZZY, "P01", "M4", None),
        ("P01", None, "童趣母鹰用品", FUZZY, "P01", "M4", None),
        # The same name with no platform: across all platforms a fuzzy match must be closer.
        (None, None, "童趣母鹰用品", UNMATCHED, None, None, BELOW_THRESHOLD),
        # Equally close to two shops: left unmatched rather than guessed.
        ("P01", None, "雅韵服旗舰店", UNMATCHED, "P01", None, AMBIGUOUS),
        # Unrelated names and no name at all.
        ("P01", None, "钢铁侠五金机电", UNMATCHED, "P01", None, BELOW_THRESHOLD),
        ("P01", None, "鲜果", UNMATCHED, "P01", None, BELOW_THRESHOLD),
        ("P01", None, None, UNMATCHED, "P01", None, NO_NAME),
        ("P01", None, " （） ", UNMATCHED, "P01", None, NO_NAME),
        # No platform: searched across all; a name on two platforms is a tie.
        (None, None, "华创数码专卖店", EXACT, "P01", "M3", None),
        (None, None, "悦颜美妆护肤旗舰店", UNMATCHED, None, None, AMBIGUOUS),
        # A platform without that shop: not looked for elsewhere.
        ("P02", None, "华创数码专卖店", UNMATCHED, "P02", None, BELOW_THRESHOLD),
    ],
)
def test_match_cases(platform_id, merchant_id, shop_name, method, matched_platform, matched_merchant, reason):
    complaints = pd.DataFrame(
        {
            "complaint_id": ["C1"],
            "platform_id": [platform_id],
            "merchant_id": [merchant_id],
            "shop_name": [shop_name],
        }
    )
    row = match_shop_names(complaints, MERCHANTS, PARAMS).iloc[0]
    assert (row.match_method, row.platform_id, row.merchant_id, row.unmatched_reason) == (
        method,
        matched_platform,
        matched_merchant,
        reason,
    )


@pytest.mark.parametrize(
    ("platform_id", "shop_name", "low", "high"),
    [
        ("P01", "悦颜美妆护肤旗舰店", 1.0, 1.0),  # exact within the platform
        ("P01", "悦言美妆护肤旗舰店", PARAMS.fuzzy_min_similarity, 0.99),  # fuzzy is never certain
        (None, "华创数码专卖店", 0.9, 0.9),  # exact, but across all platforms
        (None, "蓝鲸智能家具生活电器", PARAMS.fuzzy_min_similarity, 0.9),  # fuzzy across all platforms
    ],
)
def test_confidence(platform_id, shop_name, low, high):
    complaints = pd.DataFrame(
        {
            "complaint_id": ["C1"],
            "platform_id": [platform_id],
            "merchant_id": [None],
            "shop_name": [shop_name],
        }
    )
    row = match_shop_names(complaints, MERCHANTS, PARAMS).iloc[0]
    assert row.match_method in (EXACT, FUZZY)
    assert low <= row.match_confidence <= high


def test_a_close_runner_up_lowers_confidence():
    complaints = pd.DataFrame(
        {"complaint_id": ["C1"], "platform_id": ["P01"], "merchant_id": [None], "shop_name": ["雅韵服饰服装"]}
    )
    alone = match_shop_names(complaints, MERCHANTS[MERCHANTS.merchant_id != "M7"], PARAMS).iloc[0]
    crowded = match_shop_names(complaints, MERCHANTS, PARAMS).iloc[0]
    assert alone.merchant_id == crowded.merchant_id == "M8"
    assert crowded.match_confidence < alone.match_confidence


def test_many_complaints_keep_their_order_and_results_are_deterministic():
    names = ["悦颜美妆护肤", "钢铁侠五金机电", "童趣母婴用小店", None, "华创数码专卖店"] * 300
    complaints = pd.DataFrame(
        {
            "complaint_id": [f"C{i:05d}" for i in range(len(names))],
            "platform_id": ["P01"] * len(names),
            "merchant_id": [None] * len(names),
            "shop_name": names,
        }
    )
    first = match_shop_names(complaints, MERCHANTS, PARAMS)
    again = match_shop_names(complaints, MERCHANTS.sample(frac=1, random_state=3), PARAMS)
    pd.testing.assert_frame_equal(first, again)
    assert first.complaint_id.tolist() == complaints.complaint_id.tolist()
    assert first.merchant_id.tolist()[:5] == ["M1", None, "M4", None, "M3"]
