"""Build the vectorised checks of _int_checked.sql from the schema: typing, every reason a row is bad.

Each contract field becomes three SQL expressions over its text: the cleaned text, the
typed value, and a list of CASE expressions that each yield a reason or NULL. Every
constant (messages, allowed lists, formats, bounds) is a bound parameter collected by
a Binder, so the generated SQL only ever contains quoted identifiers and `$names`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.mappings import CLEANUPS, NA_VALUES, Mapping
from warehouse.schema import Dataset, Field, quote_identifier

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
# An integer may come as "3" or, from spreadsheets and floats, "3.0"; never "3.5".
INTEGER_PATTERN = r"[+-]?[0-9]+(\.0*)?"
DUPLICATE_REASON = "duplicate key within file, first kept at line "
# Source column types (as DuckDB names them) that already hold a contract type's values, so
# a typed source (Parquet) is checked without a round trip through text. Anything else,
# e.g. a Parquet file with amounts as DOUBLE or times as BIGINT, is read as text and parsed.
NATIVE_TYPES = {
    "timestamp": ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"),
    "date": ("DATE",),
    "decimal": ("DECIMAL", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"),
    "integer": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"),
}


@dataclass
class Binder:
    """Collects the values generated SQL refers to, handing out `$p<n>` names."""

    params: dict[str, object] = field(default_factory=dict)

    def bind(self, value: object) -> str:
        """A new parameter holding `value`; returns its `$name` for the SQL text."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"


def is_native(f: Field, source_type: str, mapping: Mapping | None) -> bool:
    """True when the source column already holds values of the field's type (and no clean-up applies)."""
    if mapping and mapping.cleanups.get(f.name):
        return False
    return source_type.split("(")[0] in NATIVE_TYPES.get(f.type, ())


def cleaned_text(
    f: Field, source: str, mapping: Mapping | None, b: Binder, source_type: str = "VARCHAR"
) -> str:
    """Trimmed text, blank as NULL, then the mapping's clean-ups for this field in order."""
    if source_type != "VARCHAR":
        source = f"cast({source} as varchar)"
    expr = f"nullif(trim({source}), {b.bind('')})"
    steps = mapping.cleanups.get(f.name, ()) if mapping else ()
    for step in steps:
        template = CLEANUPS[step]
        na_values = b.bind(list(NA_VALUES)) if "{na_values}" in template else ""
        expr = template.format(value=expr, na_values=na_values)
    return expr


def typed_value(f: Field, text: str, b: Binder) -> str:
    """The field's value cast to its contract type; NULL where the text cannot be read as one."""
    if f.type == "text":
        return text
    if f.type == "date":
        return (
            f"coalesce(try_cast({text} as date), try_cast(try_cast({text} as timestamp) as date), "
            f"try_cast(try_strptime({text}, {b.bind(list(DATE_FORMATS))}) as date))"
        )
    if f.type == "timestamp":
        return f"coalesce(try_cast({text} as timestamp), try_strptime({text}, {b.bind(list(TIMESTAMP_FORMATS))}))"
    if f.type == "decimal":
        return f"try_cast({text} as {f.duckdb_type})"
    if f.type == "integer":
        return (
            f"case when regexp_full_match({text}, {b.bind(INTEGER_PATTERN)}) "
            f"then try_cast({text} as bigint) end"
        )
    raise ValueError(f"no typing rule for {f.type}")


Check = tuple[str, str]  # (SQL condition that is true for a bad value, SQL for the reason text)


def range_check(f: Field, text: str, typed: str, b: Binder) -> Check | None:
    """The check for a number outside the field's bounds, in the words the load report uses."""
    low, high = f.min_value, f.max_value
    if low is None and high is None:
        return None
    fmt = "{:g}".format
    as_text = f"cast({text} as varchar)"
    if low is not None and high is not None:
        condition = f"{typed} < {b.bind(low)} or {typed} > {b.bind(high)}"
        return (
            condition,
            f"{b.bind(f'{f.name}: ')} || {as_text} || {b.bind(f' outside {fmt(low)}–{fmt(high)}')}",
        )
    if high is not None:
        return (
            f"{typed} > {b.bind(high)}",
            f"{b.bind(f'{f.name}: ')} || {as_text} || {b.bind(f' above maximum {fmt(high)}')}",
        )
    if low == 0:
        return f"{typed} < {b.bind(low)}", f"{b.bind(f'{f.name}: negative value ')} || {as_text}"
    return (
        f"{typed} < {b.bind(low)}",
        f"{b.bind(f'{f.name}: ')} || {as_text} || {b.bind(f' below minimum {fmt(low)}')}",
    )


def field_checks(f: Field, text: str, typed: str, b: Binder) -> list[Check]:
    """Every way this field can make a row bad: a condition and the reason it gives."""
    checks = []
    if f.required:
        checks.append((f"{text} is null", b.bind(f"{f.name}: required value missing")))
    if f.type != "text":
        # Personal fields never have a type to parse, so no personal value reaches a reason.
        checks.append(
            (
                f"{text} is not null and {typed} is null",
                f"{b.bind(f'{f.name}: cannot parse ' + chr(39))} || cast({text} as varchar) || {b.bind(chr(39))}",
            )
        )
    if f.allowed:
        checks.append(
            (
                f"{text} is not null and not list_contains({b.bind(list(f.allowed))}, {text})",
                f"{b.bind(f'{f.name}: unknown value ' + chr(39))} || {text} || {b.bind(chr(39))}",
            )
        )
    if f.max_length:
        checks.append(
            (
                f"length({text}) > {b.bind(f.max_length)}",
                b.bind(f"{f.name}: longer than {f.max_length} characters"),
            )
        )
    bound = range_check(f, text, typed, b)
    if bound:
        checks.append(bound)
    return checks


def reasons_expression(checks: list[Check]) -> str:
    """The list of reasons of a row, built only for rows where some check fails (most rows build nothing)."""
    # A condition that is NULL (a NULL value) does not make a row bad: `or` and `case when`
    # treat NULL as not true, so no coalesce per condition is needed.
    any_bad = "\n            or ".join(f"({cond})" for cond, _ in checks)
    items = ",\n                ".join(f"case when {cond} then {message} end" for cond, message in checks)
    return (
        f"case\n            when {any_bad}\n            then list_filter([\n                {items}\n"
        f"            ], lambda r: r is not null)\n            else []\n        end"
    )


def text_alias(f: Field) -> str:
    """The quoted name under which _int_checked.sql keeps a field's cleaned text next to its typed value."""
    return quote_identifier(f"_text_{f.name}")


def checked_sql_fragments(
    dataset: Dataset,
    mapping: Mapping | None,
    b: Binder,
    source_types: dict[str, str] | None = None,
    extras: tuple[str, ...] = (),
) -> dict[str, str]:
    """The identifier slots of _int_checked.sql for one dataset (and the mapping a file came through).

    `source_types` gives the DuckDB type of each raw column (all text unless said); a column
    that already holds the field's type is taken as it is instead of parsed from text.
    `extras` are the feed's extra columns, carried through as text.
    """
    cleaned, typed, texts, final = [], [], [], []
    checks: list[Check] = []
    for f in dataset.fields:
        col = quote_identifier(f.name)
        source_type = (source_types or {}).get(f.name, "VARCHAR")
        if is_native(f, source_type, mapping):
            cleaned.append(f"source.{col} as {col}")
            typed.append(f"try_cast(cleaned.{col} as {f.duckdb_type}) as {col}")
        else:
            cleaned.append(f"{cleaned_text(f, f'source.{col}', mapping, b, source_type)} as {col}")
            typed.append(f"{typed_value(f, f'cleaned.{col}', b)} as {col}")
        texts.append(f"cleaned.{col} as {text_alias(f)}")
        checks.extend(field_checks(f, f"typed.{text_alias(f)}", f"typed.{col}", b))
        final.append(f"typed.{col}")
    joiner = ",\n        "
    quoted_extras = [quote_identifier(e) for e in extras]
    return {
        "cleaned_extras": "".join(f"{joiner}cast(source.{e} as varchar) as {e}" for e in quoted_extras),
        "typed_extras": "".join(f"{joiner}cleaned.{e}" for e in quoted_extras),
        "final_extras": "".join(f"{joiner}typed.{e}" for e in quoted_extras),
        "cleaned_columns": joiner.join(cleaned),
        "typed_columns": joiner.join(typed),
        "text_columns": joiner.join(texts),
        "reasons": reasons_expression(checks),
        "final_columns": joiner.join(final),
    }


def duplicate_sql_fragments(dataset: Dataset, b: Binder) -> dict[str, str]:
    """The identifier slots of _int_checked__duplicates.sql: the key columns and how to match them."""
    b.params["duplicate_reason"] = DUPLICATE_REASON
    return {
        "key_columns": ", ".join(f"checked.{quote_identifier(k)}" for k in dataset.key),
        "key_match": " and ".join(
            f"checked.{quote_identifier(k)} = repeated_keys.{quote_identifier(k)}" for k in dataset.key
        ),
    }


def raw_carriers(names: list[str]) -> list[str]:
    """Names under which a one-pass CSV check carries each source value; none equals a source name."""
    prefix = "_raw_"
    while any(n.lower().startswith(prefix) for n in names):
        prefix = "_" + prefix
    return [f"{prefix}{i}" for i in range(1, len(names) + 1)]


def csv_checked_sql_fragments(
    dataset: Dataset,
    mapping: Mapping | None,
    b: Binder,
    source_names: list[str],
    extras: tuple[str, ...] = (),
) -> dict[str, str]:
    """The slots of _int_checked__from_csv.sql: those of _int_checked.sql, plus the source values carried along.

    `source_names` are the source relation's columns in order (contract columns, then extras);
    their values reach the output, as one list, only for rows with a reason.
    """
    fragments = checked_sql_fragments(dataset, mapping, b, None, extras)
    carriers = [quote_identifier(c) for c in raw_carriers(source_names)]
    joiner = ",\n        "
    names = [quote_identifier(f.name) for f in dataset.fields] + [quote_identifier(e) for e in extras]
    return {
        **fragments,
        "source_values": joiner.join(
            f"source.{quote_identifier(n)} as {c}" for n, c in zip(source_names, carriers, strict=True)
        ),
        "cleaned_values": joiner.join(f"cleaned.{c}" for c in carriers),
        "typed_values": joiner.join(f"typed.{c}" for c in carriers),
        "checked_columns": ",\n    ".join(f"final.{n}" for n in names),
        "raw_values": ", ".join(f"final.{c}" for c in carriers),
    }


def raw_value_columns(source_names: list[str]) -> str:
    """The select list of quarantine__from_checked.sql: each source value back under its own name."""
    return ",\n    ".join(
        f"checked._raw_values[{i}] as {quote_identifier(n)}" for i, n in enumerate(source_names, start=1)
    )
