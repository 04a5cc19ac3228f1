"""Scoring parameters a supervisor may change: the curated set with bounds, stored overrides, audited changes.

Only the parameters listed in `TUNABLES` can be overridden, each within its bounds: the
evidence threshold and scale, the minimum events and peer-group size, the risk tiers, the
number of reasons and each signal's weight. Everything else stays as `pipelines/params.py`
says (windows, reason texts, the classifier), because changing it needs a code review and
tests, not a form.

Overrides live in the access store's `parameters` table (warehouse/access_store.py: name,
value, who, when, why); a parameter without a row has its default. Each change or reset is
one write transaction with exactly one `parameter_change` audit entry (old → new value and
the reason). `python -m pipelines score` applies the stored overrides (`effective_params`)
and records them with the run, so a score on screen traces to the parameters used.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines import audit
from pipelines.access_policy import POLICY
from pipelines.params import SIGNALS, ScoreParams, ScoringParams
from warehouse import access_store

Number = int | float


@dataclass(frozen=True)
class Tunable:
    """A parameter a supervisor may change: its name (as in the run's params_json), type, bounds and help."""

    name: str
    kind: str  # "int" or "float"
    minimum: Number
    maximum: Number
    default: Number
    help: str


@dataclass(frozen=True)
class Override:
    """A stored override: the value in force instead of the default, and who set it, when and why."""

    name: str
    value: Number
    updated_at: str
    updated_by: str
    reason: str


@dataclass(frozen=True)
class Change:
    """What one change did: the parameter, its value before and after (the default when not overridden)."""

    name: str
    before: Number
    after: Number
    default: Number


class ParameterError(ValueError):
    """A refused change. `problem` says what is wrong (for a translated message); str() says it in English.

    problems: unknown, type, bounds, order, reason, unchanged, not_overridden, by.
    """

    def __init__(self, problem: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.problem = problem
        self.values = values


_DEFAULTS = ScoreParams()
_TIER_FIELDS = {"share": 1, "min_score": 2}


def _score_tunables() -> list[Tunable]:
    d = _DEFAULTS
    tiers = {name: (share, score) for name, share, score in d.tiers}
    rows = [
        Tunable(
            "scores.z_threshold",
            "float",
            0.5,
            5.0,
            d.z_threshold,
            "a statistical signal adds evidence only beyond this many standard deviations",
        ),
        Tunable(
            "scores.min_events", "int", 1, 20, d.min_events, "a rate signal needs at least this many events"
        ),
        Tunable(
            "scores.evidence_scale",
            "float",
            0.5,
            20.0,
            d.evidence_scale,
            "score = 100 · (1 − exp(−evidence / scale)): a larger scale needs more evidence for the same score",
        ),
        Tunable(
            "scores.min_peer_group",
            "int",
            5,
            500,
            d.min_peer_group,
            "a category × size group smaller than this is compared with its whole category",
        ),
        Tunable("scores.max_reasons", "int", 1, 10, d.max_reasons, "reasons listed with each shop's score"),
    ]
    for position, (tier, (share, score)) in enumerate(tiers.items()):
        rated = tier if position == 0 else f"{tier} or higher"
        rows += [
            Tunable(
                f"scores.tiers.{tier}.share",
                "float",
                0.001,
                0.5,
                share,
                f"at most this share of all shops, by rank, is rated {rated}",
            ),
            Tunable(
                f"scores.tiers.{tier}.min_score",
                "float",
                0.0,
                100.0,
                score,
                f"a shop rated {tier} has at least this composite score",
            ),
        ]
    return rows


def _signal_tunables() -> list[Tunable]:
    return [
        Tunable(
            f"signals.{s.code}.weight",
            "float",
            0.0,
            10.0,
            s.weight,
            f"weight of the {s.harm} signal {s.code} ({s.kind}); 0 turns it off",
        )
        for s in SIGNALS
    ]


TUNABLES: dict[str, Tunable] = {t.name: t for t in [*_score_tunables(), *_signal_tunables()]}


def tunable(name: str) -> Tunable:
    """The changeable parameter called `name`; ParameterError if there is none."""
    found = TUNABLES.get(name) if isinstance(name, str) else None
    if found is None:
        raise ParameterError(
            "unknown",
            f"{name!r} is not a parameter a supervisor may change (see `python -m pipelines params list`)",
            name=str(name),
        )
    return found


def _fmt(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_value(name: str, value: object) -> Number:
    """`value` (a number or its text) as the parameter's type, within its bounds; ParameterError otherwise."""
    spec = tunable(name)
    bounds = {"name": name, "minimum": _fmt(spec.minimum), "maximum": _fmt(spec.maximum)}
    what = "a whole number" if spec.kind == "int" else "a number"
    wrong = ParameterError(
        "type",
        f"{name} must be {what} between {bounds['minimum']} and {bounds['maximum']} (got {value!r})",
        kind=spec.kind,
        **bounds,
    )
    if isinstance(value, bool):
        raise wrong
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise wrong from None
    if not math.isfinite(number) or (spec.kind == "int" and not number.is_integer()):
        raise wrong
    if not spec.minimum <= number <= spec.maximum:
        raise ParameterError(
            "bounds",
            f"{name} must be between {bounds['minimum']} and {bounds['maximum']} (got {_fmt(number)})",
            value=_fmt(number),
            **bounds,
        )
    return int(number) if spec.kind == "int" else number


def check_reason(reason: str | None) -> str:
    """The stated reason, trimmed, if it has POLICY.min_reason_length to max_reason_length characters."""
    text = (reason or "").strip()
    if not POLICY.min_reason_length <= len(text) <= POLICY.max_reason_length:
        raise ParameterError(
            "reason",
            f"a change needs a reason of {POLICY.min_reason_length} to {POLICY.max_reason_length} characters",
            minimum=POLICY.min_reason_length,
            maximum=POLICY.max_reason_length,
        )
    return text


def value_of(params: ScoringParams, name: str) -> Number:
    """The value `params` hold for a changeable parameter."""
    tunable(name)
    parts = name.split(".")
    if parts[0] == "signals":
        return next(s.weight for s in params.signals if s.code == parts[1])
    if parts[1] == "tiers":
        row = next(r for r in params.scores.tiers if r[0] == parts[2])
        return row[_TIER_FIELDS[parts[3]]]
    return getattr(params.scores, parts[1])


def _with_value(params: ScoringParams, name: str, value: Number) -> ScoringParams:
    parts = name.split(".")
    if parts[0] == "signals":
        signals = tuple(
            dataclasses.replace(s, weight=value) if s.code == parts[1] else s for s in params.signals
        )
        return dataclasses.replace(params, signals=signals)
    if parts[1] == "tiers":
        column = _TIER_FIELDS[parts[3]]
        tiers = tuple(
            tuple(value if i == column else v for i, v in enumerate(row)) if row[0] == parts[2] else row
            for row in params.scores.tiers
        )
        return dataclasses.replace(params, scores=dataclasses.replace(params.scores, tiers=tiers))
    return dataclasses.replace(params, scores=dataclasses.replace(params.scores, **{parts[1]: value}))


def check_consistent(params: ScoringParams) -> None:
    """Tiers must nest: a higher tier covers no larger share and needs no lower score than the one below."""
    for upper, lower in itertools.pairwise(params.scores.tiers):
        for field, column, relation in (("share", 1, "at most"), ("min_score", 2, "at least")):
            high, low = upper[column], lower[column]
            if (high > low) if field == "share" else (high < low):
                first, second = f"scores.tiers.{upper[0]}.{field}", f"scores.tiers.{lower[0]}.{field}"
                raise ParameterError(
                    "order",
                    f"{first} ({_fmt(high)}) must be {relation} {second} ({_fmt(low)})",
                    name=first,
                    other=second,
                )


def apply_overrides(overrides: Mapping[str, object], base: ScoringParams | None = None) -> ScoringParams:
    """`base` (the defaults) with each override checked and applied; ParameterError on the first bad one."""
    params = base or ScoringParams()
    for name, value in overrides.items():
        params = _with_value(params, name, check_value(name, value))
    check_consistent(params)
    return params


def _stored(con: sqlite3.Connection) -> list[Override]:
    return [
        Override(r["name"], json.loads(r["value_json"]), r["updated_at"], r["updated_by"], r["reason"])
        for r in con.execute(
            "select name, value_json, updated_at, updated_by, reason from parameters order by name"
        )
    ]


def list_overrides(path: Path | str) -> list[Override]:
    """The stored overrides, by name (none when the access store does not exist yet)."""
    if not Path(path).exists():
        return []
    with access_store.read(path) as con:
        return _stored(con)


def effective_params(
    path: Path | str, base: ScoringParams | None = None
) -> tuple[ScoringParams, list[Override]]:
    """The parameters the next scoring run uses: the defaults with the stored overrides, and those overrides.

    ParameterError when a stored override is no longer valid (a parameter removed or its bounds
    narrowed since): scoring stops rather than silently using other values.
    """
    overrides = list_overrides(path)
    return apply_overrides({o.name: o.value for o in overrides}, base), overrides


def recorded(overrides: list[Override]) -> list[dict]:
    """Overrides as a scoring run records them in params_json (`overrides`)."""
    return [
        {**dataclasses.asdict(o), "default": TUNABLES[o.name].default if o.name in TUNABLES else None}
        for o in overrides
    ]


def describe(path: Path | str) -> list[dict]:
    """Every changeable parameter: name, type, bounds, default, value in force and its override's who/when/why."""
    stored = {o.name: o for o in list_overrides(path)}
    rows = []
    for spec in TUNABLES.values():
        override = stored.get(spec.name)
        rows.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "value": override.value if override else spec.default,
                "default": spec.default,
                "minimum": spec.minimum,
                "maximum": spec.maximum,
                "is_overridden": override is not None,
                "updated_by": override.updated_by if override else "",
                "updated_at": override.updated_at if override else "",
                "reason": override.reason if override else "",
                "help": spec.help,
            }
        )
    return rows


def _check_on_behalf(con: sqlite3.Connection, by: str | None) -> None:
    if by is None:
        return
    row = con.execute("select role, is_disabled from users where username = ?", (by,)).fetchone()
    if row is None or row["role"] != "supervisor" or row["is_disabled"]:
        raise ParameterError("by", f"{by!r} is not an active supervisor account", name=by)


def _change(
    path: Path | str,
    name: str,
    value: Number | None,
    *,
    reason: str,
    actor: str,
    actor_role: str,
    on_behalf_of: str | None,
) -> Change:
    spec = tunable(name)
    text = check_reason(reason)
    with access_store.write(path) as con:
        _check_on_behalf(con, on_behalf_of)
        stored = {o.name: o.value for o in _stored(con)}
        if value is None and name not in stored:
            raise ParameterError("not_overridden", f"{name} has its default value already", name=name)
        before = stored.get(name, spec.default)
        after = spec.default if value is None else value
        if after == before:
            raise ParameterError("unchanged", f"{name} is {_fmt(before)} already", name=name)
        candidate = {k: v for k, v in stored.items() if k != name}
        if after != spec.default:
            candidate[name] = after
        apply_overrides(candidate)  # the whole set must hold together (tiers nest)
        if name in candidate:
            con.execute(
                "insert into parameters (name, value_json, updated_at, updated_by, reason)"
                " values (?, ?, ?, ?, ?) on conflict (name) do update set value_json = excluded.value_json,"
                " updated_at = excluded.updated_at, updated_by = excluded.updated_by, reason = excluded.reason",
                (name, json.dumps(after), audit.now_utc(), on_behalf_of or actor, text),
            )
        else:  # back to the default: no override left
            con.execute("delete from parameters where name = ?", (name,))
        detail = {"from": before, "to": after, "default": spec.default, "reason": text}
        if on_behalf_of:
            detail["on_behalf_of"] = on_behalf_of
        audit.append(con, actor=actor, role=actor_role, action="parameter_change", target=name, detail=detail)
    return Change(name, before, after, spec.default)


def set_override(
    path: Path | str,
    name: str,
    value: object,
    *,
    reason: str,
    actor: str,
    actor_role: str,
    on_behalf_of: str | None = None,
) -> Change:
    """Set a parameter for the next scoring runs (its default removes the override); one audit entry.

    ParameterError (nothing stored, nothing recorded) for an unknown parameter, a value of the
    wrong type or out of bounds, tiers that would no longer nest, no change, or no reason.
    """
    return _change(
        path,
        name,
        check_value(name, value),
        reason=reason,
        actor=actor,
        actor_role=actor_role,
        on_behalf_of=on_behalf_of,
    )


def reset_override(
    path: Path | str,
    name: str,
    *,
    reason: str,
    actor: str,
    actor_role: str,
    on_behalf_of: str | None = None,
) -> Change:
    """Remove a parameter's override so the next runs use its default again; one audit entry."""
    return _change(
        path, name, None, reason=reason, actor=actor, actor_role=actor_role, on_behalf_of=on_behalf_of
    )
