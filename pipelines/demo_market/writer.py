"""Writes the demo market's feed files exactly in the contract's shape, deterministically."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.demo_market import geography
from pipelines.demo_market.ids import hex_ids
from pipelines.demo_market.market import CATEGORY_NAMES, Market
from pipelines.demo_market.orders import ORDER_STATUS_NAMES, OrderLives
from warehouse.schema import REFUND_OUTCOMES, REFUND_REASONS, TRANSACTIONS

# One encoding per dataset for `--csv-encoding mixed`, so a single feed exercises all three.
MIXED_ENCODINGS = {
    "platforms": "utf-8",
    "merchants": "utf-8-sig",
    "licenses": "gb18030",
    "complaints": "utf-8",
}

# Salts keep the different kinds of hashed id from colliding with each other.
BUYER_SALT, DEVICE_SALT, ADDRESS_SALT = 101, 202, 303

_TS = pa.timestamp("ms")
TRANSACTION_TYPES = {
    "text": pa.string(),
    "timestamp": _TS,
    "decimal": pa.decimal128(12, 2),
    "integer": pa.int32(),
}


def csv_encoding(dataset: str, setting: str) -> str:
    """The encoding a CSV dataset is written in under the generator's csv_encoding setting."""
    return MIXED_ENCODINGS[dataset] if setting == "mixed" else setting


def write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict], encoding: str) -> int:
    """Write dict rows as CSV with a header; returns the number of rows."""
    columns = list(columns)
    n = 0
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
            n += 1
    return n


def buyer_ids(buyers: np.ndarray, seed: int) -> pa.Array:
    """Pseudonymous buyer account ids as the platform exports them."""
    return hex_ids(buyers, seed * 1000 + BUYER_SALT, prefix="u")


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds * 1000, type=pa.int64(), mask=seconds < 0).cast(_TS)


def _lookup(values: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """values[index] as an Arrow string array, null where index is negative."""
    table = pa.array(list(values), type=pa.string())
    return table.take(pa.array(index, type=pa.int64(), mask=index < 0))


def transactions_table(market: Market, lives: OrderLives, first_serial: int) -> pa.Table:
    """One batch of orders as an Arrow table in contract column order and types."""
    seed = market.params.seed
    draw = lives.draw
    ms = market.merchants
    ordered_at = _timestamps(draw.ordered_at)
    serial = pc.utf8_lpad(
        pa.array(np.arange(first_serial, first_serial + len(draw))).cast(pa.string()), 10, "0"
    )
    order_id = pc.binary_join_element_wise(pc.strftime(ordered_at, "%Y%m%d"), serial, "")
    columns = {
        "order_id": order_id,
        "platform_id": _lookup(market.platform_ids, ms.platform[draw.merchant]),
        "merchant_id": _lookup(ms.merchant_id, draw.merchant),
        "buyer_id": buyer_ids(draw.buyer, seed),
        "ordered_at": ordered_at,
        "amount": pa.array(lives.amount).cast(pa.decimal128(12, 2), safe=False),
        "quantity": pa.array(lives.quantity, type=pa.int32()),
        "category": _lookup(CATEGORY_NAMES, ms.category[draw.merchant]),
        "status": _lookup(ORDER_STATUS_NAMES, lives.status.astype(np.int64)),
        "shipped_at": _timestamps(lives.shipped_at),
        "delivered_at": _timestamps(lives.delivered_at),
        "tracking_weight_g": pa.array(lives.weight_g, type=pa.int32(), mask=lives.weight_g < 0),
        "refund_requested_at": _timestamps(lives.refund_requested_at),
        "refund_reason": _lookup(REFUND_REASONS, lives.refund_reason.astype(np.int64)),
        "refund_outcome": _lookup(REFUND_OUTCOMES, lives.refund_outcome.astype(np.int64)),
        "refund_completed_at": _timestamps(lives.refund_completed_at),
        "rating": pa.array(lives.rating, type=pa.int32(), mask=lives.rating == 0),
        "reviewed_at": _timestamps(lives.reviewed_at),
        "ship_to_region": _lookup(geography.PROVINCE_NAMES, market.buyers.province[draw.buyer]),
        "address_hash": _masked(hex_ids(lives.address, seed * 1000 + ADDRESS_SALT), lives.address < 0),
        "device_hash": _masked(hex_ids(lives.device, seed * 1000 + DEVICE_SALT), lives.device < 0),
    }
    schema = pa.schema([(f.name, TRANSACTION_TYPES[f.type]) for f in TRANSACTIONS.fields])
    return pa.table([columns[f.name] for f in TRANSACTIONS.fields], schema=schema)


def _masked(values: pa.Array, missing: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), values)


def write_transactions(table: pa.Table, path: Path, file_format: str) -> None:
    """Write one month of orders as Parquet, or as UTF-8 CSV with plain timestamps."""
    if file_format == "parquet":
        pq.write_table(table, path, compression="zstd", row_group_size=256_000)
        return
    as_text = []
    for field in table.schema:
        column = table[field.name]
        if pa.types.is_timestamp(field.type):
            # Arrow's %S prints fractions for sub-second units; the contract wants whole seconds.
            column = pc.strftime(column.cast(pa.timestamp("s")), "%Y-%m-%d %H:%M:%S")
        as_text.append(column)
    pacsv.write_csv(
        pa.table(as_text, names=table.column_names),
        path,
        write_options=pacsv.WriteOptions(quoting_style="needed"),
    )
