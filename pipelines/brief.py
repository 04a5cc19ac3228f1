"""The watchlist's PDF brief: one section per shop, in Chinese or English, with a CJK font that renders everywhere.

Plain data in, PDF bytes out: the contract's watchlist rows (WATCHLIST_COLUMNS), per-shop facts and
reasons (`load_facts`, or the app's cached queries over the same SQL), the inspector's notes, the run
id, the generation time and the language. Nothing here imports Streamlit or the app.

Font strategy: Chinese needs a CJK font. `find_cjk_font` takes the first TrueType CJK font it finds on
the machine (Debian's fonts-wqy-zenhei, which .ci/run installs, then other common Linux, macOS and
Windows fonts) and embeds the subset of glyphs the brief uses, so the PDF renders the same in any
viewer. When the machine has none, the brief falls back to reportlab's built-in CID font
STSong-Light: no file needed and the text stays extractable, but the glyphs are not embedded, so the
viewer supplies them (poppler does; Acrobat with its Asian font pack). OpenType-CFF fonts (the
Noto/Source Han CJK .ttc/.otf files) cannot be embedded by reportlab and are skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pipelines.export_safety import strip_control_characters
from pipelines.labels import CODE_LABELS
from pipelines.watchlist import HARMS, LANGUAGES, WATCHLIST_COLUMNS, table_exists
from warehouse.credit_code import is_valid_uscc

# Where CJK TrueType fonts live on common machines, in order of preference: (path, index in a .ttc).
CJK_FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # Debian/Ubuntu fonts-wqy-zenhei (.ci/run)
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),  # Fedora
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),  # Arch
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),  # macOS
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),  # Windows: Microsoft YaHei, SimHei, SimSun
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
)
FALLBACK_FONT = "STSong-Light"  # reportlab's built-in Adobe-GB1 CID font: always there, never embedded
_FONT_PROBE = "监管店铺风险"  # a font must have these glyphs to count as Chinese
MAX_REASONS = 4  # reasons shown per shop, strongest first (scoring keeps as many in its top list)
EMPTY = "—"

# (Chinese, English) for every text of the brief; the app's strings table does not reach pipelines/.
TEXT: dict[str, tuple[str, str]] = {
    "title": ("重点关注店铺简报", "Watchlist brief"),
    "run": ("评分批次", "Scoring run"),
    "generated": ("生成时间", "Generated"),
    "filters": ("导出时的筛选", "Filters when exported"),
    "shops": ("店铺数", "Shops"),
    "summary": ("名单概览", "The list"),
    "empty": ("名单为空：没有店铺可写入简报。", "The watchlist is empty: there is no shop to brief."),
    "page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "rank": ("序号", "Rank"),
    "shop": ("店铺", "Shop"),
    "platform": ("平台", "Platform"),
    "merchant_id": ("商户编号", "Merchant id"),
    "credit_code": ("统一社会信用代码", "Credit code"),
    "code_valid": ("校验位正确", "check digit valid"),
    "code_invalid": ("校验位错误或格式不符", "check digit wrong or malformed"),
    "code_missing": ("未亮照（无信用代码）", "none displayed"),
    "licence": ("营业执照状态", "Business licence"),
    "licence_unknown": ("登记信息中未找到", "not found in the registry"),
    "past_expiry": ("已过有效期", "past its expiry date"),
    "permit": ("所需许可", "Required permit"),
    "permit_missing": ("缺失或失效", "missing or not active"),
    "permit_ok": ("有效", "active"),
    "scores": ("风险评分（0–100）", "Risk scores (0–100)"),
    "risk_score": ("综合", "Composite"),
    "risk_level": ("风险等级", "Risk level"),
    "reasons": ("主要原因与证据", "Main reasons and evidence"),
    "no_reasons": ("本批次没有记录原因。", "This run recorded no reason."),
    "evidence": ("证据分 {value}", "evidence {value}"),
    "note": ("检查员备注", "Inspector's note"),
    "no_note": ("（无）", "(none)"),
    "aside": ("{text}（{aside}）", "{text} ({aside})"),
    "pair": ("{name}：{value}", "{name}: {value}"),
    "list_separator": ("；", "; "),
}
SCORE_COLUMNS = ("fraud_score", "fake_trade_score", "after_sales_score", "license_score")

# Per-shop facts of a run: the business licence and the sector permit its category needs
# (out_merchant_features, written by the run). Every value is bound.
FACTS_SQL = """
with chosen as (
    select unnest($platforms::varchar[]) as platform_id, unnest($merchants::varchar[]) as merchant_id
)
select
    c.platform_id,
    c.merchant_id,
    f.licence_status,
    coalesce(f.is_licence_past_expiry, false) as is_licence_past_expiry,
    f.required_permit,
    coalesce(f.is_permit_missing, false) as is_permit_missing
from chosen as c
left join out_merchant_features as f
    on f.platform_id = c.platform_id and f.merchant_id = c.merchant_id and f.run_id = $run_id
"""
# The strongest reasons of each shop in a run, with their evidence, in the brief's language.
REASONS_SQL = """
with chosen as (
    select unnest($platforms::varchar[]) as platform_id, unnest($merchants::varchar[]) as merchant_id
)
select
    r.platform_id,
    r.merchant_id,
    r.harm,
    r.evidence,
    case $lang when 'en' then r.text_en else r.text_zh end as text,
    r.reason_rank
from out_merchant_reasons as r
inner join chosen as c on c.platform_id = r.platform_id and c.merchant_id = r.merchant_id
where r.run_id = $run_id and r.reason_rank <= $max_reasons
order by r.platform_id, r.merchant_id, r.reason_rank
"""
PLATFORMS_SQL = "select p.platform_id, p.platform_name from stg_platforms as p"


@dataclass(frozen=True)
class Reason:
    """One reason behind a shop's score: its harm, the sentence with its evidence, the evidence points."""

    harm: str
    text: str
    evidence: float | None = None


@dataclass(frozen=True)
class ShopFacts:
    """What the brief shows about a shop beyond the contract's row; every field may be unknown."""

    platform_name: str | None = None
    licence_status: str | None = None  # the business licence's registry status; None: no record
    is_licence_past_expiry: bool = False
    required_permit: str | None = None  # the sector permit the shop's category needs, if any
    is_permit_missing: bool = False
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class BriefContext:
    """The brief's header: run, time, language, and the filters as the reader should see them."""

    run_id: str
    generated_at: dt.datetime
    lang: str = "zh"
    filters: tuple[tuple[str, str], ...] = ()  # (name, value) pairs, already in `lang`

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {self.lang!r}")


@dataclass(frozen=True)
class FontChoice:
    """The font the brief is set in: its registered name, the file, and whether it is embedded."""

    name: str
    path: str | None = None
    is_embedded: bool = False
    detail: str = field(default="", compare=False)


_font_lock = threading.Lock()
# reportlab keeps a font's subsetting state on the shared font object: one document at a time
# (Streamlit builds deferred downloads on threads of their own).
_build_lock = threading.Lock()
_registered: dict[tuple[str, int], FontChoice] = {}


def find_cjk_font(candidates: Sequence[tuple[str, int]] = CJK_FONT_CANDIDATES) -> FontChoice:
    """The first candidate that is a TrueType font with Chinese glyphs, registered; else STSong-Light."""
    with _font_lock:
        for path, index in candidates:
            if (path, index) in _registered:
                return _registered[(path, index)]
            if not Path(path).is_file():
                continue
            name = f"BriefCJK-{len(_registered)}"
            try:
                font = TTFont(name, path, subfontIndex=index)
            except (TTFError, OSError, ValueError, KeyError):
                continue  # CFF outlines, a broken file, or no such face in the collection
            if not all(ord(ch) in font.face.charToGlyph for ch in _FONT_PROBE):
                continue
            pdfmetrics.registerFont(font)
            face = font.face.name
            detail = face.decode("latin-1") if isinstance(face, bytes) else str(face)
            _registered[(path, index)] = FontChoice(name, path, is_embedded=True, detail=detail)
            return _registered[(path, index)]
        if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return FontChoice(FALLBACK_FONT, None, is_embedded=False, detail="built-in CID font, not embedded")


def facts_from_records(
    facts: Sequence[Mapping[str, object]],
    reasons: Sequence[Mapping[str, object]],
    platform_names: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], ShopFacts]:
    """ShopFacts by shop key from the rows of FACTS_SQL and REASONS_SQL (and platform names)."""
    by_shop: dict[tuple[str, str], list[Reason]] = {}
    for row in reasons:
        key = (str(row["platform_id"]), str(row["merchant_id"]))
        by_shop.setdefault(key, []).append(
            Reason(str(row["harm"]), str(row["text"] or ""), _number(row.get("evidence")))
        )
    names = platform_names or {}
    result = {}
    for row in facts:
        key = (str(row["platform_id"]), str(row["merchant_id"]))
        result[key] = ShopFacts(
            platform_name=names.get(key[0]),
            licence_status=_text(row.get("licence_status")),
            is_licence_past_expiry=bool(row.get("is_licence_past_expiry") or False),
            required_permit=_text(row.get("required_permit")),
            is_permit_missing=bool(row.get("is_permit_missing") or False),
            reasons=tuple(by_shop.get(key, ())[:MAX_REASONS]),
        )
    return result


def facts_params(keys: Sequence[tuple[str, str]], run_id: str) -> dict[str, object]:
    """The bound values of FACTS_SQL for these shops of a run."""
    return {"platforms": [k[0] for k in keys], "merchants": [k[1] for k in keys], "run_id": run_id}


def reasons_params(keys: Sequence[tuple[str, str]], run_id: str, lang: str) -> dict[str, object]:
    """The bound values of REASONS_SQL for these shops of a run, texts in `lang`."""
    return {**facts_params(keys, run_id), "lang": lang, "max_reasons": MAX_REASONS}


def load_facts(
    con: duckdb.DuckDBPyConnection, rows: Sequence[Sequence[object]], lang: str
) -> dict[tuple[str, str], ShopFacts]:
    """Facts and reasons for the watchlist's rows (WATCHLIST_COLUMNS order), from each row's own run."""
    result: dict[tuple[str, str], ShopFacts] = {}
    names = {}
    if table_exists(con, "stg_platforms"):
        names = {str(p): str(n) for p, n in con.execute(PLATFORMS_SQL).fetchall() if n}
    by_run: dict[str, list[tuple[str, str]]] = {}
    for row in map(_as_record, rows):
        by_run.setdefault(str(row["score_run_id"]), []).append((row["platform_id"], row["merchant_id"]))
    has_features, has_reasons = (
        table_exists(con, "out_merchant_features"),
        table_exists(con, "out_merchant_reasons"),
    )
    for run_id, keys in by_run.items():
        facts = (
            _records(con, FACTS_SQL, facts_params(keys, run_id))
            if has_features
            else [_key_record(k) for k in keys]
        )
        reasons = _records(con, REASONS_SQL, reasons_params(keys, run_id, lang)) if has_reasons else []
        result.update(facts_from_records(facts, reasons, names))
    return result


def render_brief(
    rows: Sequence[Sequence[object] | Mapping[str, object]],
    context: BriefContext,
    facts: Mapping[tuple[str, str], ShopFacts] | None = None,
    notes: Mapping[tuple[str, str], str] | None = None,
    font: FontChoice | None = None,
) -> bytes:
    """The brief as PDF bytes: a header page with the list, then one section (page) per shop.

    `rows` are the contract's watchlist rows (tuples in WATCHLIST_COLUMNS order, or mappings), as
    the CSV/XLSX exports get them; text is drawn literally (never read as markup or a formula). With
    no rows the brief is one page saying the list is empty.
    """
    records = [_as_record(row) for row in rows]
    font = font or find_cjk_font()
    styles = _styles(font.name, context.lang)
    lang = context.lang
    facts = facts or {}
    notes = notes or {}

    story = [Paragraph(_t("title", lang), styles["title"]), _header_table(context, len(records), styles)]
    if not records:
        story += [Spacer(1, 8 * mm), Paragraph(_t("empty", lang), styles["body"])]
    else:
        story += [
            Spacer(1, 6 * mm),
            Paragraph(_t("summary", lang), styles["h2"]),
            _summary(records, lang, styles),
        ]
    for record in records:
        key = (record["platform_id"], record["merchant_id"])
        story += [
            PageBreak(),
            *_shop_section(record, facts.get(key, ShopFacts()), notes.get(key), lang, styles),
        ]

    buffer = io.BytesIO()
    running = f"{_t('title', lang)} · {_t('run', lang)} {context.run_id}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=_t("title", lang),
        subject=f"{_t('run', lang)} {context.run_id}",
        creator="market-surveillance",
        lang="zh-CN" if lang == "zh" else "en",
        initialFontName=font.name,  # so no unembedded Helvetica is declared
    )
    with _build_lock:
        document.build(story, canvasmaker=_numbered_canvas(font.name, lang, running))
    return buffer.getvalue()


# --- layout -------------------------------------------------------------------------------------


def _styles(font: str, lang: str) -> dict[str, ParagraphStyle]:
    wrap = "CJK" if lang == "zh" else None  # CJK breaks anywhere; English breaks at spaces
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5, wordWrap=wrap)
    return {
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=11.5, textColor=colors.HexColor("#444444")
        ),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4 * mm),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=19, spaceAfter=2 * mm),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11.5, leading=16, spaceBefore=3 * mm, spaceAfter=1.5 * mm
        ),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def _header_table(context: BriefContext, count: int, styles: dict[str, ParagraphStyle]) -> Table:
    lang = context.lang
    rows = [
        (_t("run", lang), context.run_id),
        (_t("generated", lang), _format_time(context.generated_at)),
        (_t("shops", lang), str(count)),
    ]
    pairs = (_t("pair", lang, name=name, value=value) for name, value in context.filters)
    filters = _t("list_separator", lang).join(pairs) or EMPTY
    rows.append((_t("filters", lang), filters))
    return _facts_table(rows, styles)


def _summary(records: list[dict], lang: str, styles: dict[str, ParagraphStyle]) -> Table:
    head = [
        _t("rank", lang),
        _t("shop", lang),
        _t("platform", lang),
        _t("risk_score", lang),
        _t("risk_level", lang),
    ]
    body = [
        [
            _p(_number_text(r["rank"], 0), styles["body"]),
            _p(r["shop_name"], styles["body"]),
            _p(f"{r['platform_id']} · {r['merchant_id']}", styles["body"]),
            _p(_number_text(r["risk_score"]), styles["right"]),
            _p(_label("risk_level", r["risk_level"], lang), styles["body"]),
        ]
        for r in records
    ]
    table = Table(
        [[_p(h, styles["small"]) for h in head], *body],
        colWidths=[14 * mm, 70 * mm, 44 * mm, 20 * mm, 26 * mm],
        repeatRows=1,
    )
    table.setStyle(_grid_style(styles))
    return table


def _shop_section(
    record: dict, facts: ShopFacts, note: str | None, lang: str, styles: dict[str, ParagraphStyle]
) -> list:
    rank = _number_text(record["rank"], 0)
    platform = record["platform_id"] + (f" · {facts.platform_name}" if facts.platform_name else "")
    level = _label("risk_level", record["risk_level"], lang)
    identity = _facts_table(
        [
            (_t("platform", lang), platform),
            (_t("merchant_id", lang), record["merchant_id"]),
            (_t("credit_code", lang), _credit_code_text(record["credit_code"], lang)),
            (_t("licence", lang), _licence_text(facts, lang)),
            *([(_t("permit", lang), _permit_text(facts, lang))] if facts.required_permit else []),
            (
                _t("risk_level", lang),
                f"{level} · {_t('risk_score', lang)} {_number_text(record['risk_score'])}",
            ),
        ],
        styles,
    )
    harms = [*(_label("harm", h, lang) for h in HARMS), _t("risk_score", lang)]
    values = [*(_number_text(record[c]) for c in SCORE_COLUMNS), _number_text(record["risk_score"])]
    scores = Table(
        [[_p(h, styles["small"]) for h in harms], [_p(v, styles["right"]) for v in values]],
        colWidths=[34.8 * mm] * 5,
    )
    scores.setStyle(_grid_style(styles))

    reasons = list(facts.reasons)
    if not reasons and record["reasons"]:  # no evidence rows for this run: the contract's text
        reasons = [Reason("", part.strip()) for part in str(record["reasons"]).split(";") if part.strip()]
    reason_items = [
        _p(
            f"{i}. "
            + (f"[{_label('harm', r.harm, lang)}] " if r.harm else "")
            + r.text
            + (_evidence_text(r.evidence, lang) if r.evidence is not None else ""),
            styles["body"],
        )
        for i, r in enumerate(reasons[:MAX_REASONS], start=1)
    ] or [_p(_t("no_reasons", lang), styles["small"])]
    note_text = note.strip() if isinstance(note, str) and note.strip() else _t("no_note", lang)
    return [
        KeepTogether(
            [
                _p(f"{rank}. {record['shop_name']}", styles["h1"]),
                identity,
                Spacer(1, 3 * mm),
                Paragraph(_t("scores", lang), styles["h2"]),
                scores,
            ]
        ),
        Paragraph(_t("reasons", lang), styles["h2"]),
        *reason_items,
        Paragraph(_t("note", lang), styles["h2"]),
        _p(note_text, styles["body"]),
    ]


def _facts_table(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    table = Table(
        [[_p(k, styles["small"]), _p(v, styles["body"])] for k, v in rows], colWidths=[38 * mm, 136 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName),  # else Table declares Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _grid_style(styles: dict[str, ParagraphStyle]) -> TableStyle:
    """A grid with a shaded first row."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), styles["body"].fontName),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def _numbered_canvas(font: str, lang: str, running: str) -> type:
    """A canvas class that draws the running header and "page X of Y" once the page count is known."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, height = self._pagesize
                self.setFont(font, 8)
                self.setFillColor(colors.HexColor("#666666"))
                self.drawString(18 * mm, height - 12 * mm, _clean(running))
                self.drawRightString(
                    width - 18 * mm, 10 * mm, _t("page", lang, page=self._pageNumber, pages=total)
                )
                super().showPage()
            super().save()

    return NumberedCanvas


# --- values -------------------------------------------------------------------------------------


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = TEXT[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def _label(kind: str, code: object, lang: str) -> str:
    if code is None or code == "":
        return EMPTY
    names = CODE_LABELS[kind].get(str(code))
    if names is None:
        return str(code)
    return names[1] if lang == "en" else names[0]


def _credit_code_text(code: object, lang: str) -> str:
    text = _text(code)
    if text is None:
        return _t("code_missing", lang)
    verdict = "code_valid" if is_valid_uscc(text) else "code_invalid"
    return _t("aside", lang, text=text, aside=_t(verdict, lang))


def _licence_text(facts: ShopFacts, lang: str) -> str:
    if facts.licence_status is None:
        return _t("licence_unknown", lang)
    text = _label("license_status", facts.licence_status, lang)
    if facts.is_licence_past_expiry and facts.licence_status != "expired":
        text = _t("aside", lang, text=text, aside=_t("past_expiry", lang))
    return text


def _permit_text(facts: ShopFacts, lang: str) -> str:
    state = "permit_missing" if facts.is_permit_missing else "permit_ok"
    return _t("pair", lang, name=_label("permit", facts.required_permit, lang), value=_t(state, lang))


def _evidence_text(evidence: float, lang: str) -> str:
    # The text is appended to a reason: an empty `text` leaves just the bracketed aside.
    return _t("aside", lang, text="", aside=_t("evidence", lang, value=_number_text(evidence, 1)))


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph that shows `text` literally: markup characters escaped, control characters dropped."""
    return Paragraph(escape(_clean(text)).replace("\n", "<br/>"), style)


def _clean(value: object) -> str:
    if value is None:
        return EMPTY
    return strip_control_characters(str(value)).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return None
    text = str(value).strip()
    return text or None


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _number_text(value: object, decimals: int = 1) -> str:
    number = _number(value)
    return EMPTY if number is None else f"{number:,.{decimals}f}"


def _format_time(moment: dt.datetime) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    return f"{text} (UTC{offset[:3]}:{offset[3:]})" if offset else text


def _as_record(row: Sequence[object] | Mapping[str, object]) -> dict:
    if isinstance(row, Mapping):
        record = {c: row.get(c) for c in WATCHLIST_COLUMNS}
    else:
        record = dict(zip(WATCHLIST_COLUMNS, row, strict=True))
    for column in ("platform_id", "merchant_id", "shop_name"):
        record[column] = "" if record[column] is None else str(record[column])
    return record


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _key_record(key: tuple[str, str]) -> dict:
    return {"platform_id": key[0], "merchant_id": key[1]}
