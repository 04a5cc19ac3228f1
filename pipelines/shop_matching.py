"""Match complaints that name a shop but carry no merchant_id to the shop they most likely mean."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from pipelines.params import ComplaintTextParams

# Shop-type words shops end their names with, and words consumers wrap a half-remembered
# name in (那家X, X的店铺, X（网店）). None of them tells one shop from another, so they are
# dropped before names are compared. Longest first, so 官方旗舰店 goes before 旗舰店 and 店.
GENERIC_SUFFIXES = tuple(
    sorted(
        (
            "官方旗舰店",
            "旗舰店",
            "专营店",
            "专卖店",
            "官方店",
            "企业店",
            "自营店",
            "直营店",
            "精品店",
            "优选店",
            "折扣店",
            "集合店",
            "生活馆",
            "工作室",
            "小店",
            "网店",
            "商店",
            "店铺",
            "那家店",
            "的店铺",
            "的店",
            "直播间",
            "的直播间",
            "店",
        ),
        key=len,
        reverse=True,
    )
)
MENTION_PREFIXES = tuple(
    sorted(
        ("那家", "这家", "那个", "这个", "一个叫", "一家叫", "有个叫", "叫", "网店"), key=len, reverse=True
    )
)
# A stripped name keeps at least this many characters: 小店 alone stays 小店, not an empty key.
MIN_CORE_CHARS = 2
# Whitespace, punctuation and symbols (after NFKC, so full-width forms are already half-width).
_NOT_NAME = re.compile(r"[\W_]+")
# Fuzzy candidates are scored a block of complaints at a time, sized so that the dense block of
# similarities (complaints × shops searched, float32) stays near 64 MB whatever the shop count.
SIMILARITY_CELLS_PER_BLOCK = 16_000_000
# Similarities closer than this are a tie: the two shops cannot be told apart.
TIE_TOLERANCE = 1e-6
# A fuzzy match is never as certain as an exact one.
MAX_FUZZY_CONFIDENCE = 0.99

GIVEN, EXACT, FUZZY, UNMATCHED = "given", "exact", "fuzzy", "unmatched"
# Why a complaint stayed unmatched (counted in the run's metrics, not stored per row).
NO_NAME, AMBIGUOUS, BELOW_THRESHOLD = "no_shop_name", "ambiguous", "below_threshold"


def normalise_shop_name(name: str | None) -> str:
    """A name as compared: NFKC (full-width → half-width), lower case, no whitespace or punctuation."""
    if name is None:
        return ""
    return _NOT_NAME.sub("", unicodedata.normalize("NFKC", name).lower())


def _slips(word: str) -> list[str]:
    """Regex patterns for `word` with one character wrong (旗剑店) or two neighbours swapped (企店业)."""
    wrong = [re.escape(word[:i]) + "." + re.escape(word[i + 1 :]) for i in range(len(word))]
    swapped = [re.escape(word[:i] + word[i + 1] + word[i] + word[i + 2 :]) for i in range(len(word) - 1)]
    return wrong + swapped


def _ending(patterns: list[str]) -> re.Pattern:
    # Anchored at the end, the leftmost match is the longest: a regex search finds the longest
    # generic suffix in one pass instead of trying every word in Python.
    return re.compile("(?:" + "|".join(patterns) + ")$")


_LONG_SUFFIX = _ending([re.escape(w) for w in GENERIC_SUFFIXES if len(w) >= 2])
# Consumers type shop-type words by sound (旗剑店, 专营点) like any other word. Only words of
# three characters or more, so that one wrong character still leaves most of the word.
_SLIPPED_SUFFIX = _ending([p for w in GENERIC_SUFFIXES if len(w) >= 3 for p in _slips(w)])
_SHORT_SUFFIX = _ending([re.escape(w) for w in GENERIC_SUFFIXES if len(w) < 2])
_MENTION_PREFIX = re.compile("|".join(re.escape(w) for w in MENTION_PREFIXES))  # longest first


def _generic_suffix(core: str) -> str:
    """The generic suffix `core` ends with: a word of 2+ characters, else one of 3+ a slip off, else 店.

    In that order, so that 悦颜美妆店铺 is 悦颜美妆 + 店铺 (not 悦颜美 + a slipped 的店铺).
    """
    for ending in (_LONG_SUFFIX, _SLIPPED_SUFFIX, _SHORT_SUFFIX):
        found = ending.search(core)
        if found:
            return found.group()
    return ""


def shop_name_core(name: str | None) -> str:
    """The distinctive part of a shop name: normalised, then generic suffixes and mention words dropped.

    悦颜美妆旗舰店, 那家悦颜美妆, ＂悦颜美妆＂店铺 and 悦颜美妆旗剑店 all give 悦颜美妆. Whole words
    only (旗舰店 never becomes 旗舰), and never below MIN_CORE_CHARS: a shop called 小店 keeps its name.
    """
    core = normalise_shop_name(name)
    changed = True
    while changed:
        changed = False
        found = _MENTION_PREFIX.match(core)
        prefix = found.group() if found else ""
        if prefix and len(core) - len(prefix) >= MIN_CORE_CHARS:
            core, changed = core[len(prefix) :], True
        suffix = _generic_suffix(core) if len(core) > MIN_CORE_CHARS else ""
        if suffix and len(core) - len(suffix) >= MIN_CORE_CHARS:
            core, changed = core[: -len(suffix)], True
    return core


def name_ngrams(core: str) -> list[str]:
    """The characters of a name and its character pairs, start (^) and end ($) included.

    悦颜美妆 → 悦 颜 美 妆 ^悦 悦颜 颜美 美妆 妆$. One wrong, lost or swapped character leaves
    most of these intact; the boundary pairs make the first and last character count.
    """
    marked = f"^{core}$"
    return [*core, *(marked[i : i + 2] for i in range(len(marked) - 1))]


def _name_vectoriser() -> TfidfVectorizer:
    # Sets, not weights: the cosine of two binary L2-normalised vectors is the Ochiai
    # coefficient |A ∩ B| / √(|A|·|B|). IDF weighting was tried and lost recall: a misspelling
    # usually hits a rare stem character, exactly the one IDF weighs most (docs/pipelines.md).
    return TfidfVectorizer(analyzer=name_ngrams, use_idf=False, binary=True, dtype=np.float32)


def _top_two(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the column of the best score (first on ties), the best score, the runner-up's score."""
    best = similarity.argmax(axis=1)
    rows = np.arange(similarity.shape[0])
    best_score = similarity[rows, best]
    if similarity.shape[1] < 2:
        return best, best_score, np.zeros_like(best_score)
    similarity[rows, best] = -np.inf
    second_score = similarity.max(axis=1)
    return best, best_score, second_score


def nearest_shops(queries: sparse.csr_matrix, shops: sparse.csr_matrix) -> tuple[np.ndarray, ...]:
    """For each query row: the nearest shop row by cosine, its similarity, and the runner-up's.

    Rows are L2-normalised, so a sparse product gives every cosine; only a block of queries is
    turned dense at a time.
    """
    n = queries.shape[0]
    best = np.zeros(n, dtype=np.int64)
    best_score = np.zeros(n, dtype=np.float32)
    second_score = np.zeros(n, dtype=np.float32)
    shops_t = shops.T.tocsr()
    block_rows = max(1, SIMILARITY_CELLS_PER_BLOCK // max(1, shops.shape[0]))
    for start in range(0, n, block_rows):
        stop = min(start + block_rows, n)
        block = (queries[start:stop] @ shops_t).toarray()
        best[start:stop], best_score[start:stop], second_score[start:stop] = _top_two(block)
    return best, best_score, second_score


def _fuzzy_confidence(best: np.ndarray, second: np.ndarray, params: ComplaintTextParams) -> np.ndarray:
    # A runner-up within ambiguity_margin of the best costs the shortfall: at a tie the
    # confidence drops by the whole margin (and a tie is left unmatched anyway).
    shortfall = np.maximum(0.0, params.ambiguity_margin - (best - second))
    return np.minimum(best - shortfall, MAX_FUZZY_CONFIDENCE)


def match_shop_names(
    complaints: pd.DataFrame, merchants: pd.DataFrame, params: ComplaintTextParams
) -> pd.DataFrame:
    """Match complaints to merchants; one output row per complaint, in the input's order.

    `complaints` has complaint_id, platform_id, merchant_id, shop_name; `merchants` has
    platform_id, merchant_id, shop_name. Returns complaint_id, platform_id (the matched shop's
    when the complaint named none), merchant_id, match_method, match_confidence and
    unmatched_reason (null unless unmatched).

    A complaint with a merchant_id keeps it (`given`). Otherwise its shop name is looked up
    within its platform, or across all platforms when it names none (confidence scaled by
    cross_platform_confidence): first the exact core name (`exact`), then the nearest name by
    character n-gram cosine (`fuzzy`). Two shops equally close leave the complaint unmatched:
    naming the wrong shop in a regulator's file is worse than naming none.
    """
    n = len(complaints)
    platform = _nullable(complaints["platform_id"])
    merchant = _nullable(complaints["merchant_id"])
    method = np.full(n, UNMATCHED, dtype=object)
    confidence = np.full(n, np.nan)
    reason = np.full(n, None, dtype=object)
    given = np.array([m is not None for m in merchant], dtype=bool)
    method[given], confidence[given] = GIVEN, 1.0

    # Names only of the complaints without a merchant_id: the others are not looked up.
    names = np.where(given, None, _nullable(complaints["shop_name"]))
    query_keys = np.array([normalise_shop_name(s) for s in names], dtype=object)
    query_cores = np.array([shop_name_core(s) for s in names], dtype=object)
    reason[~given & (query_cores == "")] = NO_NAME
    to_match = np.flatnonzero(~given & (query_cores != ""))

    shops = merchants[["platform_id", "merchant_id", "shop_name"]].sort_values(["platform_id", "merchant_id"])
    shop_platforms = shops["platform_id"].to_numpy(dtype=object)
    shop_ids = shops["merchant_id"].to_numpy(dtype=object)
    shop_keys = np.array([normalise_shop_name(s) for s in shops["shop_name"]], dtype=object)
    shop_cores = np.array([shop_name_core(s) for s in shops["shop_name"]], dtype=object)

    def settle(row: int, shop: int, score: float) -> None:
        platform[row], merchant[row], confidence[row] = shop_platforms[shop], shop_ids[shop], score

    # Exact: the same core name. Several shops with that core (悦颜旗舰店 and 悦颜专营店) are
    # told apart by the full name when the consumer wrote it; otherwise it is a tie.
    by_core: dict[tuple[object, str], list[int]] = {}
    for i, (p, core) in enumerate(zip(shop_platforms, shop_cores, strict=True)):
        by_core.setdefault((p, core), []).append(i)
        by_core.setdefault((None, core), []).append(i)
    fuzzy_rows = []
    for row in to_match:
        candidates = by_core.get((platform[row], query_cores[row]), [])
        if len(candidates) > 1:
            candidates = [i for i in candidates if shop_keys[i] == query_keys[row]] or candidates
        if len(candidates) == 1:
            scale = 1.0 if platform[row] is not None else params.cross_platform_confidence
            settle(row, candidates[0], scale)
            method[row] = EXACT
        elif candidates:
            reason[row] = AMBIGUOUS
        else:
            fuzzy_rows.append(row)

    if fuzzy_rows:
        fuzzy_rows = np.asarray(fuzzy_rows)
        # The vocabulary must cover the queries' n-grams too: an n-gram only the query has would
        # otherwise vanish from its vector and inflate every similarity.
        vectors = (
            _name_vectoriser().fit_transform(np.concatenate([shop_cores, query_cores[fuzzy_rows]])).tocsr()
        )
        shop_vectors, query_vectors = vectors[: len(shop_cores)], vectors[len(shop_cores) :]
        query_platforms = platform[fuzzy_rows]
        no_platform = np.array([p is None for p in query_platforms], dtype=bool)
        # Blocked by platform: a complaint is compared with its own platform's shops only.
        for p in [*sorted({p for p in query_platforms if p is not None}), None]:
            in_block = np.flatnonzero(no_platform if p is None else query_platforms == p)
            shop_rows = np.arange(len(shop_ids)) if p is None else np.flatnonzero(shop_platforms == p)
            if len(in_block) == 0:
                continue
            rows = fuzzy_rows[in_block]
            if len(shop_rows) == 0:
                reason[rows] = BELOW_THRESHOLD
                continue
            best, best_score, second_score = nearest_shops(query_vectors[in_block], shop_vectors[shop_rows])
            score = _fuzzy_confidence(best_score.astype(float), second_score.astype(float), params)
            weak = best_score < params.fuzzy_min_similarity
            # A tie, or a runner-up close enough to pull the confidence under the threshold.
            ambiguous = ~weak & (
                (best_score - second_score <= TIE_TOLERANCE) | (score < params.fuzzy_min_similarity)
            )
            if p is None:
                score = score * params.cross_platform_confidence
            matched = ~weak & ~ambiguous & (score >= params.fuzzy_min_similarity)
            for row, shop, value in zip(rows[matched], shop_rows[best[matched]], score[matched], strict=True):
                settle(row, shop, round(float(value), 4))
            method[rows[matched]] = FUZZY
            reason[rows[ambiguous]] = AMBIGUOUS
            reason[rows[~matched & ~ambiguous]] = BELOW_THRESHOLD

    # Object columns, so that missing values stay None (pandas would infer str with NaN).
    return pd.DataFrame(
        {
            "complaint_id": pd.Series(complaints["complaint_id"].to_numpy(dtype=object), dtype=object),
            "platform_id": pd.Series(platform, dtype=object),
            "merchant_id": pd.Series(merchant, dtype=object),
            "match_method": pd.Series(method, dtype=object),
            "match_confidence": confidence,
            "unmatched_reason": pd.Series(reason, dtype=object),
        }
    )


def _nullable(column: pd.Series) -> np.ndarray:
    """A text column as an object array with None for missing and blank values."""
    return np.array([v if isinstance(v, str) and v.strip() else None for v in column], dtype=object)
