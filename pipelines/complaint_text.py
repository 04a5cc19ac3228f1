"""Complaint text stage: categories from the text, merchants from shop names, out_complaints without personal data."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import unicodedata

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

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
)
from pipelines.sqlfiles import read_sql, run_sql

TABLE = "out_complaints"
# Per-complaint results handed to out_complaints.sql (a registered view, gone after the build).
RESULTS_VIEW = "_int_complaint_text"

PREDICTED, UNCLASSIFIED = "predicted", "unclassified"
# lbfgs stopping rule: at tol 1e-3 it stops after ~30 iterations instead of ~75 (1e-4) on the
# 50k-shop demo, with the same held-out macro-F1 to the third decimal.
TOLERANCE = 1e-3
MAX_ITERATIONS = 1000
_NOT_DIGIT = re.compile(r"\D+")
_BLANKS = re.compile(r"\s+")


# --- complainant key ----------------------------------------------------------------------


def normalise_phone(phone: str | None) -> str:
    """Digits only (full-width digits too), without a +86 / 0086 prefix before an 11-digit mobile."""
    if phone is None:
        return ""
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", phone))
    for prefix in ("0086", "86"):
        rest = digits.removeprefix(prefix)
        if rest != digits and len(rest) == 11 and rest.startswith("1"):
            return rest
    return digits


def normalise_person_name(name: str | None) -> str:
    """A consumer name as compared: NFKC, no blanks (张 伟 and 张伟 are one person)."""
    if name is None:
        return ""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", name))


def complainant_key(phone: str | None, name: str | None, salt: str) -> str | None:
    """Keyed SHA-256 (HMAC) of the normalised phone, else of the name; None when neither is given.

    The kind (phone / name) is part of the hashed text, so a name can never collide with a phone.
    """
    digits = normalise_phone(phone if isinstance(phone, str) else None)
    if digits:
        value = "phone:" + digits
    else:
        person = normalise_person_name(name if isinstance(name, str) else None)
        if not person:
            return None
        value = "name:" + person
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()


# --- category classifier ------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Complaint text as the classifier sees it: NFKC (full-width → half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def ngram_vectoriser(params: ComplaintTextParams) -> TfidfVectorizer:
    """Character 1–3-gram TF-IDF of the description (shared DETECTION.md)."""
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=tuple(params.ngram_range),
        sublinear_tf=True,
        min_df=params.min_df,
        max_features=params.max_features,
        preprocessor=normalise_text,
        dtype=np.float32,
    )


def category_classifier() -> LogisticRegression:
    """A class-balanced logistic regression, so that rare categories are not drowned by quality."""
    return LogisticRegression(class_weight="balanced", max_iter=MAX_ITERATIONS, tol=TOLERANCE)


def category_model(params: ComplaintTextParams) -> Pipeline:
    """The vectoriser and the classifier as one unfitted model (for callers that fit their own)."""
    return Pipeline([("tfidf", ngram_vectoriser(params)), ("logreg", category_classifier())])


def top_ngrams_per_class(model: Pipeline, n: int = 10) -> dict[str, list[tuple[str, float]]]:
    """For each category, the n n-grams that most raise its score, with their weights."""
    vocabulary = model.named_steps["tfidf"].get_feature_names_out()
    logreg = model.named_steps["logreg"]
    weights = logreg.coef_
    if len(logreg.classes_) == 2:
        # A binary logistic regression keeps one row, for the second class.
        weights = np.vstack([-weights[0], weights[0]])
    top = {}
    for label, row in zip(logreg.classes_, weights, strict=True):
        order = np.lexsort((vocabulary, -row))[:n]  # ties broken by the n-gram, for stable output
        top[str(label)] = [(str(vocabulary[i]), round(float(row[i]), 4)) for i in order]
    return top


def ngrams_behind_prediction(model: Pipeline, text: str, n: int = 5) -> list[tuple[str, float]]:
    """The n-grams of `text` that contributed most to its predicted category (tf-idf × weight)."""
    vector = model.named_steps["tfidf"].transform([text]).tocsr()
    logreg = model.named_steps["logreg"]
    predicted = int(np.argmax(logreg.predict_proba(vector)[0]))
    weights = logreg.coef_
    row = weights[0] * (1 if predicted == 1 else -1) if len(logreg.classes_) == 2 else weights[predicted]
    vocabulary = model.named_steps["tfidf"].get_feature_names_out()
    contributions = vector.data * row[vector.indices]
    order = np.lexsort((vocabulary[vector.indices], -contributions))[:n]
    return [(str(vocabulary[vector.indices[i]]), round(float(contributions[i]), 4)) for i in order]


def _split(labels: np.ndarray, params: ComplaintTextParams) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the training and held-out parts: seeded, stratified when every class has two."""
    rows = np.arange(len(labels))
    _, counts = np.unique(labels, return_counts=True)
    split = {"test_size": params.holdout_share, "random_state": params.random_seed}
    try:
        return train_test_split(rows, stratify=labels if counts.min() >= 2 else None, **split)
    except ValueError:  # fewer held-out rows than classes: stratifying is impossible
        return train_test_split(rows, **split)


def _holdout_scores(
    classifier: LogisticRegression, features, labels: np.ndarray, params: ComplaintTextParams
) -> dict:
    """Fit `classifier` on a seeded share of the labelled rows and score it on the rest."""
    scores = {"n_train": len(labels), "n_holdout": 0, "macro_f1": None, "accuracy": None, "per_class_f1": {}}
    if params.holdout_share <= 0:
        return scores
    train, test = _split(labels, params)
    scores.update(n_train=len(train), n_holdout=len(test))
    if len(np.unique(labels[train])) < 2:
        return scores
    predicted = classifier.fit(features[train], labels[train]).predict(features[test])
    classes = sorted(set(labels[test]) | set(predicted))
    per_class = f1_score(labels[test], predicted, labels=classes, average=None, zero_division=0)
    scores.update(
        macro_f1=round(float(f1_score(labels[test], predicted, average="macro", zero_division=0)), 4),
        accuracy=round(float(accuracy_score(labels[test], predicted)), 4),
        per_class_f1={c: round(float(f), 4) for c, f in zip(classes, per_class, strict=True)},
    )
    return scores


def classify_complaints(
    complaints: pd.DataFrame, params: ComplaintTextParams
) -> tuple[pd.DataFrame, dict, Pipeline | None]:
    """Categories for every complaint: given ones kept, missing ones predicted from the description.

    Returns (category, category_source, category_confidence per row in input order), the
    classifier's metrics, and the model refit on all labelled complaints (None if untrained).
    """
    given = np.array(
        [c if isinstance(c, str) and c.strip() else None for c in complaints["category"]], dtype=object
    )
    texts = np.array([d if isinstance(d, str) else "" for d in complaints["description"]], dtype=object)
    labelled = np.array([c is not None for c in given], dtype=bool)
    category = given.copy()
    source = np.where(labelled, GIVEN, UNCLASSIFIED).astype(object)
    confidence = np.where(labelled, 1.0, np.nan)
    metrics: dict = {
        "status": "skipped",
        "reason": None,
        "n_labelled": int(labelled.sum()),
        "n_train": 0,
        "n_holdout": 0,
        "n_predicted": 0,
        "n_unclassified": int((~labelled).sum()),
        "macro_f1": None,
        "accuracy": None,
        "per_class_f1": {},
        "classes": [],
        "top_ngrams": {},
    }
    labels = given[labelled].astype(str)
    n_classes = len(np.unique(labels))
    model = None
    if labelled.sum() < params.min_training_complaints:
        metrics["reason"] = (
            f"{int(labelled.sum())} categorised complaints, fewer than min_training_complaints "
            f"({params.min_training_complaints}): missing categories stay empty"
        )
    elif n_classes < 2:
        metrics["reason"] = f"{n_classes} category among the categorised complaints: nothing to learn"
    else:
        try:
            # One vectoriser over every description, categorised or not: it uses no labels, and
            # the held-out texts then stand exactly where the uncategorised ones stand in use.
            # Analysing the text once is also half the stage's time at 40k complaints.
            vectoriser = ngram_vectoriser(params)
            features = vectoriser.fit_transform(texts)
            classifier = category_classifier()
            metrics.update(_holdout_scores(classifier, features[labelled], labels, params))
            # Refit on every categorised complaint, starting from the held-out fit's weights when
            # it saw every category (the optimum is the same; lbfgs gets there in fewer steps).
            warm = len(getattr(classifier, "classes_", ())) == n_classes
            classifier.set_params(warm_start=warm).fit(features[labelled], labels)
            model = Pipeline([("tfidf", vectoriser), ("logreg", classifier)])
        except ValueError as error:  # e.g. no n-gram reaches min_df
            metrics["reason"] = f"classifier not trained: {error}"
    if model is not None:
        missing = np.flatnonzero(~labelled)
        if len(missing):
            probabilities = model.named_steps["logreg"].predict_proba(features[missing])
            best = probabilities.argmax(axis=1)
            category[missing] = model.classes_[best]
            source[missing] = PREDICTED
            confidence[missing] = np.round(probabilities[np.arange(len(missing)), best], 4)
        metrics.update(
            status="trained",
            n_predicted=len(missing),
            n_unclassified=0,
            classes=[str(c) for c in model.classes_],
            top_ngrams={
                label: [ngram for ngram, _ in ngrams]
                for label, ngrams in top_ngrams_per_class(model, params.top_ngrams_per_class).items()
            },
        )
    frame = pd.DataFrame({"category": category, "category_source": source, "category_confidence": confidence})
    return frame, metrics, model


# --- the stage ------------------------------------------------------------------------------


def _results_table(
    complaints: pd.DataFrame, categories: pd.DataFrame, matches: pd.DataFrame, keys: list
) -> pa.Table:
    def text(values) -> pa.Array:
        return pa.array([v if isinstance(v, str) else None for v in values], type=pa.string())

    def number(values) -> pa.Array:
        values = np.asarray(values, dtype=float)
        return pa.array(values, type=pa.float64(), mask=np.isnan(values))

    return pa.table(
        {
            "complaint_id": text(complaints["complaint_id"]),
            "platform_id": text(matches["platform_id"]),
            "merchant_id": text(matches["merchant_id"]),
            "match_method": text(matches["match_method"]),
            "match_confidence": number(matches["match_confidence"]),
            "category": text(categories["category"]),
            "category_source": text(categories["category_source"]),
            "category_confidence": number(categories["category_confidence"]),
            "complainant_key": text(keys),
        }
    )


def _match_metrics(matches: pd.DataFrame, complaints: pd.DataFrame) -> dict:
    method = matches["match_method"]
    reasons = matches.loc[method == UNMATCHED, "unmatched_reason"].fillna(NO_NAME)
    named_no_platform = complaints["platform_id"].isna().to_numpy() & method.isin([EXACT, FUZZY]).to_numpy()
    return {
        **{m: int((method == m).sum()) for m in (GIVEN, EXACT, FUZZY, UNMATCHED)},
        "unmatched_by_reason": {r: int((reasons == r).sum()) for r in (NO_NAME, AMBIGUOUS, BELOW_THRESHOLD)},
        "matched_across_platforms": int(named_no_platform.sum()),
    }


def build_out_complaints(con: duckdb.DuckDBPyConnection, params: ComplaintTextParams, run_id: str) -> dict:
    """Create or replace out_complaints from stg_complaints and stg_merchants; returns the stage's metrics."""
    seconds: dict[str, float] = {}
    began = step = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal step
        now = time.perf_counter()
        seconds[name] = round(now - step, 3)
        step = now

    complaints = con.execute(read_sql("out_complaints__complaints")).df()
    merchants = con.execute(read_sql("out_complaints__merchants")).df()
    lap("read")
    categories, classifier, _ = classify_complaints(complaints, params)
    lap("classify")
    matches = match_shop_names(complaints, merchants, params)
    lap("match")
    keys = [
        complainant_key(phone, name, params.salt)
        for phone, name in zip(complaints["consumer_phone"], complaints["consumer_name"], strict=True)
    ]
    lap("complainant_key")
    results = _results_table(complaints, categories, matches, keys)
    con.register(RESULTS_VIEW, results)
    try:
        run_sql(con, TABLE, {"run_id": run_id})
    finally:
        con.unregister(RESULTS_VIEW)
    lap("write")
    seconds["total"] = round(time.perf_counter() - began, 3)
    return {
        "complaints": len(complaints),
        "classifier": classifier,
        "matching": _match_metrics(matches, complaints),
        "seconds": seconds,
    }
