"""The watchlist's PDF brief (pipelines/brief.py): pages, both languages, literal text, fonts, facts from SQL."""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from pipelines.brief import (
    FALLBACK_FONT,
    BriefContext,
    Reason,
    ShopFacts,
    find_cjk_font,
    load_facts,
    render_brief,
)
from pipelines.watchlist import WATCHLIST_COLUMNS

RUN = "S20260301T000000Z-aaaa0001"
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
VALID_CODE, INVALID_CODE = "91110105MAW6UA9H8J", "91110105MAW6UA9H8A"
REASON_ZH = "17% 的订单付款 10 天后仍未送达，同类商户第 100 百分位"
REASON_EN = "17% of orders still undelivered 10 days after payment, 100th percentile of peers"


def row(rank: int, merchant: str, shop: str, code: str | None = VALID_CODE, level: str = "high") -> tuple:
    """A watchlist row in the contract's column order."""
    return (rank, "P01", merchant, shop, code, 90.0 - rank, 80.0, 10.0, 20.5, 5.0, level, "r1; r2", RUN)


ROWS = [
    row(1, "M1", "星河数码旗舰店"),
    row(2, "M2", "平平小店", INVALID_CODE, "medium"),
    row(3, "M3", "好物", None),
]


def facts(lang: str) -> dict:
    text = REASON_EN if lang == "en" else REASON_ZH
    return {
        ("P01", "M1"): ShopFacts(
            platform_name="星河商城",
            licence_status="abnormal",
            required_permit="food_operation",
            is_permit_missing=True,
            reasons=(Reason("fraud", text, 20.0), Reason("license", "licence reason", 12.5)),
        )
    }


def render(rows=ROWS, lang: str = "zh", **kwargs) -> bytes:
    context = BriefContext(RUN, AT, lang, (("Platform", "P01, P02"), ("Period", "30d")))
    return render_brief(rows, context, kwargs.pop("facts", facts(lang)), kwargs.pop("notes", None), **kwargs)


def pages(pdf: bytes) -> list[str]:
    """The text of every page, by pypdf (independent of reportlab)."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text without line breaks or spaces (wrapping may split a long line anywhere)."""
    return "".join(text.split())


def test_a_chinese_brief_has_a_header_page_and_one_page_per_shop():
    pdf = render(lang="zh", notes={("P01", "M1"): "已电话回访，待复查"})
    assert pdf.startswith(b"%PDF-")
    text = pages(pdf)
    assert len(text) == 1 + len(ROWS)
    assert "重点关注店铺简报" in text[0] and RUN in text[0] and "P01, P02" in text[0]
    assert all(shop in text[0] for shop in ("星河数码旗舰店", "平平小店", "好物"))  # the summary table
    first = text[1]
    assert "1. 星河数码旗舰店" in first and "P01 · 星河商城" in first and "M1" in first
    assert flat(REASON_ZH) in flat(first) and "欺诈与虚假宣传" in first and "证据分 20.0" in first
    assert "经营异常" in first and "食品经营许可证" in first and "缺失或失效" in first
    assert "已电话回访，待复查" in first
    for score in ("89.0", "80.0", "10.0", "20.5", "5.0"):  # the four sub-scores and the composite
        assert score in first
    assert "高风险" in first
    assert [f"第 {i} / {len(text)} 页" in t for i, t in enumerate(text, start=1)] == [True] * len(text)


def test_an_english_brief_speaks_english():
    text = pages(render(lang="en"))
    first = text[1]
    assert "Main reasons and evidence" in first and "Credit code" in first and "Inspector's note" in first
    assert flat(REASON_EN) in flat(first) and "Fraud and false advertising" in first
    assert "Abnormal operation" in first and "(none)" in first and "High" in first
    assert "Page 2 of 4" in first
    assert "星河数码旗舰店" in first  # shop names stay as the platform shows them
    assert not any(zh in "".join(text) for zh in ("主要原因", "检查员备注", "风险等级"))


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        (VALID_CODE, "校验位正确", "check digit valid"),
        (INVALID_CODE, "校验位错误", "check digit wrong"),
        (None, "未亮照", "none displayed"),
    ],
)
def test_the_credit_code_shows_whether_its_check_digit_holds(code, zh, en):
    for lang, expected in (("zh", zh), ("en", en)):
        text = pages(render([row(1, "M1", "店", code)], lang=lang, facts={}))
        assert expected in text[1]
        if code:
            assert code in text[1]


@pytest.mark.parametrize(
    "shop",
    [
        '=HYPERLINK("http://evil","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "<script>alert('x')</script>",
        "<b>粗体</b> & <font size=40>big</font>",
        "A&amp;B <br/> C",
    ],
)
def test_shop_names_and_notes_stay_literal_text(shop):
    text = pages(render([row(1, "M1", shop)], lang="en", facts={}, notes={("P01", "M1"): shop}))
    assert f"1. {shop}" in text[1]  # not read as markup, not prefixed like a spreadsheet cell
    assert text[1].count(shop) >= 2  # heading and note
    assert shop in text[0]


def test_control_characters_are_dropped_not_fatal():
    text = pages(render([row(1, "M1", "坏\x00店\x1b名")], facts={}, notes={("P01", "M1"): "a\x07b"}))
    assert "坏店名" in text[1] and "ab" in text[1]


def test_an_empty_watchlist_gives_a_one_page_brief_that_says_so():
    for lang, message in (("zh", "名单为空"), ("en", "The watchlist is empty")):
        pdf = render([], lang=lang, facts={})
        assert pdf.startswith(b"%PDF-")
        text = pages(pdf)
        assert len(text) == 1 and message in text[0] and RUN in text[0]


def test_only_the_contract_columns_reach_the_brief():
    # A row given as a mapping may carry more; nothing outside WATCHLIST_COLUMNS is drawn.
    record = dict(zip(WATCHLIST_COLUMNS, row(1, "M1", "星河"), strict=True))
    record |= {"legal_representative": "赵大宝", "consumer_phone": "13912345678"}
    text = "".join(pages(render([record], facts={})))
    assert "星河" in text and "赵大宝" not in text and "13912345678" not in text


def test_without_reason_rows_the_contract_reasons_are_listed():
    text = pages(render([row(1, "M1", "店")], lang="en", facts={}))
    assert "1. r1" in text[1] and "2. r2" in text[1]


def test_many_reasons_are_cut_to_four():
    many = ShopFacts(reasons=tuple(Reason("fraud", f"reason number {i}", 1.0) for i in range(1, 7)))
    text = pages(render([row(1, "M1", "店")], lang="en", facts={("P01", "M1"): many}))
    assert "reason number 4" in text[1] and "reason number 5" not in text[1]


def test_a_system_cjk_font_is_embedded_when_the_machine_has_one():
    font = find_cjk_font()
    if not font.is_embedded:
        pytest.skip(
            "no CJK TrueType font on this machine (apt-get install fonts-wqy-zenhei); fallback tested below"
        )
    reader = PdfReader(io.BytesIO(render()))
    fonts = [f.get_object() for f in reader.pages[1]["/Resources"]["/Font"].values()]
    embedded = [
        f
        for f in fonts
        for d in [f.get("/DescendantFonts", [f])[0].get_object() if "/DescendantFonts" in f else f]
        if "/FontDescriptor" in d and "/FontFile2" in d["/FontDescriptor"].get_object()
    ]
    assert embedded, "the CJK font must be embedded"
    assert all("Helvetica" not in str(f.get("/BaseFont")) for f in fonts)


def test_without_a_system_font_the_builtin_cid_font_still_renders_chinese(tmp_path):
    not_a_font = tmp_path / "fake.ttf"
    not_a_font.write_bytes(b"not a font")
    font = find_cjk_font(candidates=((str(not_a_font), 0), (str(tmp_path / "missing.ttc"), 0)))
    assert font.name == FALLBACK_FONT and not font.is_embedded
    text = pages(render(font=font))
    assert len(text) == 4 and "星河数码旗舰店" in text[1] and flat(REASON_ZH) in flat(text[1])


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        BriefContext(RUN, AT, "fr")


def test_load_facts_reads_the_run_licences_reasons_and_platform_names():
    con = duckdb.connect("")
    con.execute("create table stg_platforms (platform_id varchar, platform_name varchar)")
    con.execute("insert into stg_platforms values ('P01', '星河商城')")
    con.execute(
        "create table out_merchant_features (run_id varchar, platform_id varchar, merchant_id varchar,"
        " licence_status varchar, is_licence_past_expiry boolean, required_permit varchar,"
        " is_permit_missing boolean)"
    )
    con.execute(
        "insert into out_merchant_features values ($run, 'P01', 'M1', 'active', true, 'cosmetics', false),"
        " ('OTHER', 'P01', 'M1', 'revoked', false, null, false)",
        {"run": RUN},
    )
    con.execute(
        "create table out_merchant_reasons (run_id varchar, platform_id varchar, merchant_id varchar,"
        " harm varchar, evidence double, text_zh varchar, text_en varchar, reason_rank integer)"
    )
    for rank in range(1, 7):
        con.execute(
            "insert into out_merchant_reasons values ($run, 'P01', 'M1', 'fraud', $e, $zh, $en, $rank)",
            {"run": RUN, "e": 10.0 - rank, "zh": f"原因{rank}", "en": f"reason {rank}", "rank": rank},
        )
    got = load_facts(con, [row(1, "M1", "店"), row(2, "M2", "无记录")], "en")
    shop = got[("P01", "M1")]
    assert shop.platform_name == "星河商城" and shop.licence_status == "active"
    assert shop.is_licence_past_expiry and shop.required_permit == "cosmetics" and not shop.is_permit_missing
    assert [r.text for r in shop.reasons] == ["reason 1", "reason 2", "reason 3", "reason 4"]
    assert got[("P01", "M2")].licence_status is None and got[("P01", "M2")].reasons == ()
    text = pages(render([row(1, "M1", "店")], lang="en", facts=got))[1]
    assert "Active (past its expiry date)" in text and "Cosmetics permit: active" in text


def test_the_brief_module_imports_neither_streamlit_nor_the_app():
    tree = ast.parse(
        (Path(__file__).resolve().parents[2] / "pipelines" / "brief.py").read_text(encoding="utf-8")
    )
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in imported if m.split(".")[0] in ("streamlit", "app", "dashboard", "pages")]
