"""Ring detection on tiny hand-made markets where the answer is obvious, on a real in-memory DuckDB."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.params import RingParams
from pipelines.rings import DenseGraph, dense_blocks, detect_rings, peel_densest, ring_shop_test
from warehouse.ddl import ensure_tables

PARAMS = RingParams()
RUN_ID = "S-test"
START = dt.datetime(2026, 3, 2)  # a Monday: the background spans eight weeks from here
PIPELINES_DOC = Path(__file__).resolve().parents[2] / "docs" / "pipelines.md"
RING_BUYERS = [f"ring-{i}" for i in range(1, 6)]
RING_SHOPS = ["S10", "S11", "S12"]
POPULAR_SHOP = "S00"
PRIVATE_ACCOUNTS = [f"own-{i}" for i in range(1, 7)]
PRIVATE_SHOP = "S20"


@dataclasses.dataclass(frozen=True)
class Order:
    buyer: str
    shop: str
    at: dt.datetime
    device: str | None = None
    address: str | None = None
    platform: str = "P01"


def background(seed: int = 7, buyers: int = 300, shops: int = 30) -> list[Order]:
    """Honest buyers: 1–4 orders each at shops of skewed popularity (S00 the most popular), at random
    times over eight weeks, each on an own phone and address; every 25th buyer shares an address
    with the previous one (a household)."""
    rng = np.random.default_rng(seed)
    popularity = 1 / np.arange(1, shops + 1)
    orders = []
    for b in range(buyers):
        address = f"addr-{b - 1 if b % 25 == 0 and b else b}"
        for _ in range(int(rng.integers(1, 5))):
            shop = int(rng.choice(shops, p=popularity / popularity.sum()))
            at = START + dt.timedelta(seconds=int(rng.integers(0, 56 * 86_400)))
            orders.append(Order(f"b{b:03d}", f"S{shop:02d}", at, f"dev-{b}", address))
    return orders


def crowd_ring(camouflage: bool = False) -> list[Order]:
    """Five fresh accounts, each ordering once from each of three shops within two days of week 4;
    with camouflage, each also orders twice at the most popular shop."""
    orders = []
    for i, buyer in enumerate(RING_BUYERS):
        for j, shop in enumerate(RING_SHOPS):
            at = START + dt.timedelta(days=22, hours=3 * i + 11 * j)
            orders.append(Order(buyer, shop, at, f"ring-dev-{i}", f"ring-addr-{i}"))
        if camouflage:
            for k in range(2):
                at = START + dt.timedelta(days=20 + 3 * k, hours=5 * i)
                orders.append(Order(buyer, POPULAR_SHOP, at, f"ring-dev-{i}", f"ring-addr-{i}"))
    return orders


def dense_ring() -> list[Order]:
    """Twenty-five fresh accounts, each ordering once from each of ten shops on one Friday (periods
    count from the epoch, a Thursday, so the day sits inside one), and, as camouflage, three times at
    the three most popular shops on days spread over the eight weeks."""
    orders = []
    for i in range(25):
        for j in range(10):
            at = START + dt.timedelta(days=25, minutes=50 * i + 3 * j)
            orders.append(Order(f"worker-{i}", f"S{10 + j}", at, f"worker-dev-{i}", f"worker-addr-{i}"))
        for k in range(3):
            at = START + dt.timedelta(days=(2 * i + 19 * k) % 56, hours=i % 24)
            orders.append(Order(f"worker-{i}", f"S0{k}", at, f"worker-dev-{i}", f"worker-addr-{i}"))
    return orders


def private_ring() -> list[Order]:
    """Six accounts of one shop on two phones they take turns with, at one address, each ordering
    four times from the shop in bursts of two orders within half an hour."""
    orders = []
    for i, buyer in enumerate(PRIVATE_ACCOUNTS):
        for burst in range(2):
            for k in range(2):
                at = START + dt.timedelta(days=5 + 20 * burst + 3 * i, minutes=15 * k)
                device = f"own-phone-{(i + burst + k) % 2}"
                orders.append(Order(buyer, PRIVATE_SHOP, at, device, "own-addr"))
    return orders


def market(orders: list[Order]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse whose stg_transactions holds exactly these orders."""
    con = duckdb.connect("")
    ensure_tables(con)
    frame = pd.DataFrame(
        {
            "order_id": [f"O{n:05d}" for n in range(len(orders))],
            "platform_id": [o.platform for o in orders],
            "merchant_id": [o.shop for o in orders],
            "buyer_id": [o.buyer for o in orders],
            "ordered_at": [o.at for o in orders],
            "device_hash": [o.device for o in orders],
            "address_hash": [o.address for o in orders],
        }
    )
    con.register("orders", frame)
    con.execute(
        """
        insert into stg_transactions by name
        select o.*, 99.0 as amount, 'completed' as status, 'L1' as _load_id, 'test' as _source_file
        from orders as o
        """
    )
    con.unregister("orders")
    return con


def members(con: duckdb.DuckDBPyConnection, member_type: str) -> dict[str, set[str]]:
    rows = con.execute(
        "select ring_id, member_id from out_ring_members where member_type = ?", [member_type]
    ).fetchall()
    found: dict[str, set[str]] = {}
    for ring_id, member_id in rows:
        found.setdefault(ring_id, set()).add(member_id)
    return found


def rings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("select * from out_rings order by ring_id").df()


# -- the rules on whole markets ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_background_alone_is_no_ring(seed):
    con = market(background(seed))
    metrics = detect_rings(con, PARAMS, RUN_ID)
    assert rings(con).empty
    assert con.execute("select count(*) from out_ring_members").fetchone()[0] == 0
    assert con.execute("select count(*) from _int_merchant_rings").fetchone()[0] == 0
    assert metrics["rings"] == {"dense_subgraph": 0, "lockstep": 0}


@pytest.mark.parametrize("camouflage", [False, True], ids=["plain", "camouflage"])
def test_crowd_ring_is_found_with_exactly_its_members(camouflage):
    con = market(background() + crowd_ring(camouflage))
    detect_rings(con, PARAMS, RUN_ID)
    assert list(members(con, "buyer").values()) == [set(RING_BUYERS)]
    # Camouflage orders at the popular shop do not pull it into the ring.
    assert list(members(con, "shop").values()) == [set(RING_SHOPS)]
    ring = rings(con).iloc[0]
    assert (ring.buyer_count, ring.shop_count, ring.order_count, ring.density) == (5, 3, 15, 1.0)
    assert ring.start_at == START + dt.timedelta(days=22)
    assert ring.shared_device_count == ring.shared_address_count == 0


def test_dense_ring_is_found_by_the_dense_subgraph_rule():
    con = market(background() + dense_ring())
    metrics = detect_rings(con, PARAMS, RUN_ID)
    assert metrics["rings"] == {"dense_subgraph": 1, "lockstep": 0}  # the lockstep find is the same ring
    assert list(members(con, "buyer").values()) == [{f"worker-{i}" for i in range(25)}]
    assert list(members(con, "shop").values()) == [{f"S{10 + j}" for j in range(10)}]
    ring = rings(con).iloc[0]
    assert (ring.ring_id, ring.order_count, ring.density) == ("P01-D001", 250, 1.0)
    assert re.fullmatch(
        r"25 个账号在 1 周内向 10 家店铺下单 250 笔.*密度为平台背景的 \d+\.\d 倍", ring.evidence_zh
    )


def test_private_ring_on_shared_phones_is_found_by_the_shared_identity_rule():
    con = market(background() + private_ring())
    detect_rings(con, PARAMS, RUN_ID)
    assert list(members(con, "buyer").values()) == [set(PRIVATE_ACCOUNTS)]
    assert list(members(con, "shop").values()) == [{PRIVATE_SHOP}]
    ring = rings(con).iloc[0]
    assert ring.method == "lockstep"
    assert (ring.buyer_count, ring.order_count, ring.shared_device_count, ring.shared_address_count) == (
        6,
        24,
        2,
        1,
    )
    assert "6 个共用 2 台设备" in ring.evidence_zh
    assert ring.evidence_en.startswith(
        "6 accounts linked by 2 devices and 1 address placed 24 orders at 1 shop"
    )


def test_merchant_rings_count_the_ring_orders_of_each_shop():
    con = market(background() + crowd_ring() + private_ring())
    detect_rings(con, PARAMS, RUN_ID)
    shop_orders = dict(
        con.execute("select merchant_id, count(*) from stg_transactions group by merchant_id").fetchall()
    )
    rows = con.execute("select * from _int_merchant_rings order by merchant_id").df()
    assert rows["merchant_id"].tolist() == [*RING_SHOPS, PRIVATE_SHOP]
    expected = {**dict.fromkeys(RING_SHOPS, (1, 5, 5)), PRIVATE_SHOP: (1, 24, 6)}
    for row in rows.itertuples():
        assert (row.ring_count, row.ring_order_count, row.ring_buyer_count) == expected[row.merchant_id]
        assert row.ring_order_share == pytest.approx(row.ring_order_count / shop_orders[row.merchant_id])


def test_accounts_and_shops_are_per_platform():
    # The same account ids at the same shop ids on another platform, weeks apart, are other people
    # at other shops: they neither join the ring nor add to its orders.
    elsewhere = [
        dataclasses.replace(o, platform="P02", at=o.at + dt.timedelta(days=7 * n))
        for n, o in enumerate(crowd_ring())
    ]
    con = market(background() + crowd_ring() + elsewhere)
    detect_rings(con, PARAMS, RUN_ID)
    assert con.execute("select distinct platform_id from out_ring_members").fetchall() == [("P01",)]
    assert rings(con)[["platform_id", "order_count"]].values.tolist() == [["P01", 15]]


def test_same_data_gives_the_same_rings_and_ids():
    orders = background() + crowd_ring(camouflage=True) + private_ring()
    first, second = market(orders), market(list(reversed(orders)))
    detect_rings(first, PARAMS, RUN_ID)
    detect_rings(second, PARAMS, RUN_ID)
    detect_rings(second, PARAMS, RUN_ID)  # again on the same file: tables are replaced, not appended
    for table, key in [("out_rings", "ring_id"), ("out_ring_members", "ring_id, member_type, member_id")]:
        query = f"select * from {table} order by {key}"
        pd.testing.assert_frame_equal(first.execute(query).df(), second.execute(query).df())
    assert rings(first)["ring_id"].tolist() == ["P01-L001", "P01-L002"]


def test_an_empty_market_gives_empty_tables():
    con = market([])
    metrics = detect_rings(con, PARAMS, RUN_ID)
    assert metrics["rings"] == {"dense_subgraph": 0, "lockstep": 0}
    for table in ("out_rings", "out_ring_members", "_int_merchant_rings"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0


DAY = 86_400


@pytest.mark.parametrize(
    ("shop", "keep"),
    [
        # (accounts, orders, first day, last day, the shop's orders in that span) of a ring whose
        # best-covered shop has 100 accounts and which is active from day 0 to day 40.
        ((100, 100, 0, 40, 150), True),  # the best-covered shop: most of its orders
        ((80, 80, 10, 20, 300), True),  # a campaign: 27% of the shop's orders within 10 of 40 days
        ((80, 80, 1, 39, 300), False),  # the same share over the ring's whole time: camouflage
        ((80, 80, 1, 39, 150), True),  # ... unless the ring makes most of the shop's orders
        ((10, 60, 0, 40, 2000), False),  # repeated orders, but too few of the ring's accounts
        ((30, 90, 0, 40, 2000), True),  # repeated orders by a real part of the ring: its own shop
        ((4, 40, 10, 12, 40), False),  # fewer accounts than a ring has
    ],
)
def test_shop_test(shop, keep):
    best = (100, 100, 0, 40, 150)
    rows = [(0, *best), (0, *shop)]
    checks = pd.DataFrame(
        rows, columns=["ring_key", "buyer_count", "order_count", "first_s", "last_s", "shop_order_count"]
    )
    checks[["first_s", "last_s"]] *= DAY
    assert ring_shop_test(checks, PARAMS).tolist() == [True, keep]


def test_work_tables_are_dropped():
    con = market(background() + private_ring())
    detect_rings(con, PARAMS, RUN_ID)
    temp = con.execute("select table_name from duckdb_tables() where temporary").fetchall()
    assert temp == []


# -- the dense-subgraph peel on its own -----------------------------------------------------------------


def random_graph_with_block(
    block_buyers: int, block_columns: int, camouflage: bool, seed: int = 3
) -> tuple[DenseGraph, set[int], set[int]]:
    """Background: 2,000 buyers with two random edges each among 400 columns, and columns 0–19 popular
    (every buyer is at one of them too). The block: its buyers have an edge to each block column and,
    with camouflage, to two popular columns. Weights as FRAUDAR's 1/log(column degree + 5)."""
    rng = np.random.default_rng(seed)
    n_background, n_columns, n_popular = 2000, 400, 20
    buyer = np.repeat(np.arange(n_background), 2)
    column = rng.integers(n_popular, n_columns, size=len(buyer))
    regulars = np.arange(n_background)
    buyer = np.concatenate([buyer, regulars])
    column = np.concatenate([column, rng.integers(0, n_popular, size=len(regulars))])
    ring_buyers = np.arange(n_background, n_background + block_buyers)
    ring_columns = np.arange(n_columns, n_columns + block_columns)
    buyer = np.concatenate([buyer, np.repeat(ring_buyers, block_columns)])
    column = np.concatenate([column, np.tile(ring_columns, block_buyers)])
    if camouflage:
        buyer = np.concatenate([buyer, np.repeat(ring_buyers, 2)])
        column = np.concatenate([column, rng.integers(0, n_popular, size=2 * block_buyers)])
    pairs = np.unique(np.stack([buyer, column], axis=1), axis=0)
    buyer, column = pairs[:, 0], pairs[:, 1]
    weight = 1 / np.log(np.bincount(column)[column] + 5)
    n_buyers = n_background + block_buyers
    graph = DenseGraph(
        "P01",
        buyer,
        column,
        weight,
        np.arange(n_buyers, dtype=np.uint64),
        np.arange(n_columns + block_columns, dtype=np.uint64),  # every column its own shop
        np.zeros(n_columns + block_columns, dtype=np.int64),
    )
    return graph, set(ring_buyers.tolist()), set(ring_columns.tolist())


@pytest.mark.parametrize(
    ("block_buyers", "block_columns", "camouflage"),
    [(30, 10, False), (30, 10, True), (20, 8, True), (40, 12, False)],
)
def test_peel_finds_the_planted_block_and_not_the_popular_columns(block_buyers, block_columns, camouflage):
    graph, ring_buyers, ring_columns = random_graph_with_block(block_buyers, block_columns, camouflage)
    found = dense_blocks(graph, PARAMS)
    assert len(found) == 1
    assert set(found[0].buyer_keys.tolist()) == ring_buyers
    assert set(found[0].shop_keys.tolist()) == ring_columns
    assert found[0].density_ratio >= PARAMS.min_density_ratio


@pytest.mark.parametrize(
    ("block_buyers", "block_columns"),
    [(0, 0), (12, 6), (60, 6)],  # no block; blocks 1.6–1.8 times the background, below the threshold
)
def test_peel_reports_nothing_not_clearly_denser_than_the_background(block_buyers, block_columns):
    graph, _, _ = random_graph_with_block(block_buyers, block_columns, camouflage=False)
    assert dense_blocks(graph, PARAMS) == []


@pytest.mark.parametrize(
    ("edges", "buyers", "columns", "density"),
    [
        # A 2×2 complete block beside a pendant edge: the block wins, density 4/4.
        ([(0, 0), (0, 1), (1, 0), (1, 1), (2, 2)], {0, 1}, {0, 1}, 1.0),
        # A star of three buyers on one column: density 3/4, the whole star.
        ([(0, 0), (1, 0), (2, 0)], {0, 1, 2}, {0}, 0.75),
    ],
)
def test_peel_on_graphs_small_enough_to_check_by_hand(edges, buyers, columns, density):
    buyer, column = (np.array(side) for side in zip(*edges, strict=True))
    found_buyers, found_columns, found_density = peel_densest(buyer, column, np.ones(len(edges)))
    assert set(found_buyers.tolist()) == buyers
    assert set(found_columns.tolist()) == columns
    assert found_density == pytest.approx(density)


# -- the tables are the documented ones -------------------------------------------------------------------


def documented_columns(table: str) -> list[str]:
    """The column names docs/pipelines.md lists for `table`: the backticked names after "`table`:" up
    to the next table, leaving out value lists in parentheses."""
    text = PIPELINES_DOC.read_text(encoding="utf-8")
    start = text.index(f"`{table}`:") + len(table) + 3
    end = re.search(r"\n`[a-z_]+`:|\n\n", text[start:])
    paragraph = re.sub(r"\([^)]*\)", "", text[start : start + end.start()])
    return [name.strip() for chunk in re.findall(r"`([^`]+)`", paragraph) for name in chunk.split(",")]


@pytest.mark.parametrize("table", ["out_rings", "out_ring_members", "_int_merchant_rings"])
def test_tables_have_the_documented_columns(table):
    con = market(background() + crowd_ring() + private_ring())
    detect_rings(con, PARAMS, RUN_ID)
    columns = [c for c, *_ in con.execute(f"describe {table}").fetchall()]
    assert columns == documented_columns(table)
