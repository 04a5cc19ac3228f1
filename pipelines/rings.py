"""Fake-trade rings: dense account × (shop, week) blocks (FRAUDAR) and lockstep groups, as ring tables.

Three rules propose candidate rings, each modelling one way brushing shows in orders:

- dense (method dense_subgraph): per platform, the bipartite graph of accounts × (shop, period)
  columns with edge weight 1/log(column accounts + 5), so orders at popular shops (camouflage) weigh
  little. Greedy peeling (Hooi et al. 2016) finds the block maximising f(S)/|S|; its edges are
  removed and the peel repeats. Only blocks `min_density_ratio` times as dense as the platform's
  graph count; every node of such a block has at least that weighted degree inside it, so the peel
  runs on the graph's weighted core at that threshold, a small part of 10M orders.
- co_purchase (method lockstep, CopyCatch-like): account pairs that ordered from the same shop within
  `lockstep_window_hours` at `lockstep_min_shared_shops` shops or more, during bursts at those shops;
  pairs grow into groups (connected components).
- shared_identity (method lockstep): accounts tied by shared devices or addresses (connected
  components), with the shops where enough of them ordered: private rings at 1-3 shops that are no
  denser than the background.

One shop test then keeps, for every candidate, the shops where enough of its accounts ordered
repeatedly, ran a campaign, or dominate the orders (ring_shop_test); each finding is kept once, and
recounted on its orders (its accounts at its shops within its span) into out_rings, out_ring_members
and _int_merchant_rings. out_rings.density is the share of the ring's account × shop pairs with an
order (1 = every account ordered from every shop).
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipelines.params import RingParams
from pipelines.sqlfiles import run_sql
from warehouse.schema import quote_identifier

RING_TABLES = (
    "out_rings",
    "out_ring_members",
    "out_ring_edges",
    "_int_merchant_rings",
)  # what a detection writes
# Temp tables of one detection, dropped at the end (in this order: later ones read earlier ones).
WORK_TABLES = (
    "_int_ring_orders",
    "_int_ring_shops",
    "_int_buyer_shop_week",
    "_int_lockstep_pairs",
    "_int_shared_identity_links",
    "_int_identity_groups",
    "_int_identity_group_shops",
    "_int_ring_candidates",
    "_int_ring_candidate_members",
    "_int_ring_shop_checks",
    "_int_ring_order_sets",
    "_int_ring_summaries",
    "_int_ring_ids",
)
METHODS = ("dense_subgraph", "lockstep")
RULE_METHOD = {"dense": "dense_subgraph", "co_purchase": "lockstep", "shared_identity": "lockstep"}
DAY_S = 86_400


@dataclass
class Candidate:
    """A ring before it is recounted on its orders: its platform, accounts, shops and span."""

    platform_id: str
    rule: str  # dense, co_purchase or shared_identity (see RULE_METHOD)
    buyer_keys: np.ndarray  # uint64 account keys, as in _int_ring_orders
    shop_keys: np.ndarray
    start_s: int
    end_s: int
    density_ratio: float = 0.0  # dense blocks: f(S)/|S| ÷ the platform graph's


# -- the dense-subgraph graph ----------------------------------------------------------------------


@dataclass
class DenseGraph:
    """One platform's accounts × (shop, period) graph: endpoints as dense indices, FRAUDAR weights."""

    platform_id: str
    buyer: np.ndarray  # per edge
    column: np.ndarray
    weight: np.ndarray
    buyer_keys: np.ndarray  # per buyer index
    column_shop_keys: np.ndarray  # per column index
    column_periods: np.ndarray

    @property
    def n_buyers(self) -> int:
        return len(self.buyer_keys)

    @property
    def n_columns(self) -> int:
        return len(self.column_shop_keys)


def build_dense_graph(platform_id: str, edges: dict[str, np.ndarray], params: RingParams) -> DenseGraph:
    """The graph of one platform's rows of _int_buyer_shop_week, pruned to nodes that can link shops."""
    buyer_keys, buyer = np.unique(edges["buyer_key"], return_inverse=True)
    shop_keys, shop = np.unique(edges["shop_key"], return_inverse=True)
    period = edges["period_index"].astype(np.int64)
    first, span = int(period.min()), int(period.max() - period.min()) + 1
    column_codes, column = np.unique(shop.astype(np.int64) * span + (period - first), return_inverse=True)
    weight = 1.0 / np.log(edges["column_buyer_count"].astype(np.float64) + 5.0)
    # Columns with a single linking account and accounts left with a single column cannot be in a
    # block; the weighted core below removes whatever else cannot.
    keep = np.bincount(column, minlength=len(column_codes))[column] >= params.min_column_buyers
    keep &= np.bincount(buyer[keep], minlength=len(buyer_keys))[buyer] >= params.min_buyer_shops
    return DenseGraph(
        platform_id,
        buyer[keep].astype(np.int64),
        column[keep].astype(np.int64),
        weight[keep],
        buyer_keys,
        shop_keys[column_codes // span],
        column_codes % span + first,
    )


def background_density(graph: DenseGraph) -> float:
    """f(V)/|V| of the whole platform graph: the density a block must clearly exceed."""
    nodes = np.count_nonzero(np.bincount(graph.buyer)) + np.count_nonzero(np.bincount(graph.column))
    return float(graph.weight.sum() / nodes) if nodes else 0.0


def weighted_core(graph: DenseGraph, edges: np.ndarray, threshold: float) -> np.ndarray:
    """The edges (indices) of the largest subgraph in which every node has weighted degree ≥ threshold.

    Any block of density ρ ≥ threshold contains a block at least as dense whose nodes all have
    degree ≥ ρ inside it (drop a node below the density and the density rises), so the core keeps
    every block worth finding, and peeling it gives the same blocks as peeling the whole graph.
    """
    while len(edges):
        b, c, w = graph.buyer[edges], graph.column[edges], graph.weight[edges]
        ok = (np.bincount(b, weights=w, minlength=graph.n_buyers)[b] >= threshold) & (
            np.bincount(c, weights=w, minlength=graph.n_columns)[c] >= threshold
        )
        if ok.all():
            break
        edges = edges[ok]
    return edges


def peel_densest(
    buyer: np.ndarray, column: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Greedy FRAUDAR peel: the buyers and columns of the block maximising f(S)/|S|, and that density.

    Removes the node of least weighted degree one at a time (a heap with stale entries skipped),
    O(|E| log |V|), and returns the best prefix's survivors; a 1/2-approximation of the densest block.
    """
    buyer_ids, b = np.unique(buyer, return_inverse=True)
    column_ids, c = np.unique(column, return_inverse=True)
    n_b = len(buyer_ids)
    n = n_b + len(column_ids)
    ends = np.concatenate([b, c + n_b])
    other = np.concatenate([c + n_b, b])
    w2 = np.concatenate([weight, weight])
    order = np.argsort(ends, kind="stable")
    neighbours, neighbour_weights = other[order].tolist(), w2[order].tolist()
    starts = np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=n))]).tolist()
    degree = np.bincount(ends, weights=w2, minlength=n).tolist()
    heap = [(d, i) for i, d in enumerate(degree)]
    heapq.heapify(heap)
    removed = [False] * n
    removal_order: list[int] = []
    total, size = float(weight.sum()), n
    best, best_step = total / size, 0
    while heap:
        d, i = heapq.heappop(heap)
        if removed[i] or d != degree[i]:
            continue
        removed[i] = True
        removal_order.append(i)
        total -= degree[i]
        size -= 1
        for k in range(starts[i], starts[i + 1]):
            j = neighbours[k]
            if not removed[j]:
                degree[j] -= neighbour_weights[k]
                heapq.heappush(heap, (degree[j], j))
        if size and total / size > best:
            best, best_step = total / size, len(removal_order)
    keep = np.ones(n, dtype=bool)
    keep[removal_order[:best_step]] = False
    return buyer_ids[keep[:n_b]], column_ids[keep[n_b:]], best


def split_components(buyer: np.ndarray, column: np.ndarray) -> list[np.ndarray]:
    """Edge positions of each connected component of a bipartite edge list (largest first, then by id)."""
    buyer_ids, b = np.unique(buyer, return_inverse=True)
    _, c = np.unique(column, return_inverse=True)
    n = len(buyer_ids) + int(c.max()) + 1
    adjacency = coo_matrix((np.ones(len(b)), (b, c + len(buyer_ids))), shape=(n, n))
    _, labels = connected_components(adjacency, directed=False)
    edge_label = labels[b]
    groups = [np.flatnonzero(edge_label == label) for label in np.unique(edge_label)]
    return sorted(groups, key=lambda g: (-len(g), int(g[0])))


def dense_blocks(graph: DenseGraph, params: RingParams) -> list[Candidate]:
    """Peel, keep the blocks that pass the sanity thresholds, remove their edges, and peel again."""
    background = background_density(graph)
    threshold = params.min_density_ratio * background
    period_s = params.column_period_days * DAY_S
    alive = np.arange(len(graph.buyer))
    found: list[Candidate] = []
    for _ in range(params.max_peel_rounds_per_platform):
        # Removing a block only lowers degrees, so the core shrinks round by round.
        alive = weighted_core(graph, alive, threshold)
        if len(found) >= params.max_rings_per_platform or not len(alive):
            break
        buyers, columns, _ = peel_densest(graph.buyer[alive], graph.column[alive], graph.weight[alive])
        block = alive[np.isin(graph.buyer[alive], buyers) & np.isin(graph.column[alive], columns)]
        if not len(block):
            break
        # One peel can return several rings of similar density together: split them apart.
        for part in split_components(graph.buyer[block], graph.column[block]):
            edges = block[part]
            candidate = _dense_candidate(graph, edges, background, period_s)
            if (
                len(candidate.buyer_keys) >= params.min_ring_buyers
                and len(candidate.shop_keys) >= max(params.min_ring_shops, params.min_dense_ring_shops)
                and candidate.density_ratio >= params.min_density_ratio
                and len(found) < params.max_rings_per_platform
            ):
                found.append(candidate)
        alive = np.setdiff1d(alive, block, assume_unique=True)
    return found


def _dense_candidate(graph: DenseGraph, edges: np.ndarray, background: float, period_s: int) -> Candidate:
    buyers = np.unique(graph.buyer[edges])
    columns = np.unique(graph.column[edges])
    density = float(graph.weight[edges].sum()) / (len(buyers) + len(columns))
    periods = graph.column_periods[columns]
    return Candidate(
        graph.platform_id,
        "dense",
        graph.buyer_keys[buyers],
        np.unique(graph.column_shop_keys[columns]),
        int(periods.min()) * period_s,
        (int(periods.max()) + 1) * period_s - 1,
        density / background if background else math.inf,
    )


def find_dense_rings(con: duckdb.DuckDBPyConnection, params: RingParams, metrics: dict) -> list[Candidate]:
    """Dense blocks of every platform's accounts × (shop, period) graph."""
    run_sql(con, "_int_buyer_shop_week", {"column_period_days": params.column_period_days})
    edges = {
        name: np.asarray(values)
        for name, values in con.execute(
            """
            select e.buyer_key, e.shop_key, e.period_index, e.column_buyer_count
            from _int_buyer_shop_week as e
            """
        )
        .fetchnumpy()
        .items()
    }
    _drop(con, "_int_buyer_shop_week")
    shops = con.execute(
        "select s.shop_key, s.platform_id from _int_ring_shops as s order by s.shop_key"
    ).fetchnumpy()
    platform_ids, shop_platform = np.unique(np.asarray(shops["platform_id"]).astype(str), return_inverse=True)
    platform = shop_platform[np.searchsorted(np.asarray(shops["shop_key"]), edges["shop_key"])]
    # One stable sort by platform, then each platform's edges are a slice.
    order = np.argsort(platform.astype(np.int16), kind="stable")
    edges = {name: values[order] for name, values in edges.items()}
    bounds = np.searchsorted(platform[order], np.arange(len(platform_ids) + 1))
    found: list[Candidate] = []
    graph_edges = 0
    for index, platform_id in enumerate(platform_ids):
        lo, hi = bounds[index], bounds[index + 1]
        if lo == hi:
            continue
        graph = build_dense_graph(str(platform_id), {k: v[lo:hi] for k, v in edges.items()}, params)
        graph_edges += len(graph.buyer)
        found += dense_blocks(graph, params)
    metrics["dense_graph_edges"] = graph_edges
    return found


# -- lockstep ------------------------------------------------------------------------------------------


def component_labels(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """Connected-component label of each of n nodes, given undirected edges left[i]–right[i]."""
    adjacency = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    return connected_components(adjacency, directed=False)[1]


def find_co_purchase_rings(con: duckdb.DuckDBPyConnection, params: RingParams) -> list[Candidate]:
    """Groups grown from account pairs in lockstep; a group's shops are where enough of it co-bought."""
    run_sql(
        con,
        "_int_lockstep_pairs",
        {
            "lockstep_window_hours": params.lockstep_window_hours,
            "lockstep_min_shared_shops": params.lockstep_min_shared_shops,
            "lockstep_min_burst_ratio": params.lockstep_min_burst_ratio,
            "lockstep_max_window_orders": params.lockstep_max_window_orders,
            "min_ring_buyers": params.min_ring_buyers,
        },
    )
    pairs = con.execute(
        """
        select p.platform_id, p.buyer_a, p.buyer_b, p.shop_key, p.first_s, p.last_s
        from _int_lockstep_pairs as p
        order by p.platform_id, p.buyer_a, p.buyer_b, p.shop_key
        """
    ).df()
    _drop(con, "_int_lockstep_pairs")
    found: list[Candidate] = []
    for platform_id, rows in pairs.groupby("platform_id", sort=True):
        a, b = rows["buyer_a"].to_numpy(np.uint64), rows["buyer_b"].to_numpy(np.uint64)
        keys = np.unique(np.concatenate([a, b]))
        ia, ib = np.searchsorted(keys, a), np.searchsorted(keys, b)
        labels = component_labels(ia, ib, len(keys))
        # Each pair-shop row says both accounts co-bought at that shop.
        members = pd.DataFrame(
            {
                "group": np.concatenate([labels[ia], labels[ib]]),
                "buyer": np.concatenate([a, b]),
                "shop": np.tile(rows["shop_key"].to_numpy(np.uint64), 2),
                "first_s": np.tile(rows["first_s"].to_numpy(), 2),
                "last_s": np.tile(rows["last_s"].to_numpy(), 2),
            }
        )
        # A group's candidate shops are where enough of it co-bought; ring_shop_test decides.
        co_buyers = members.groupby(["group", "shop"])["buyer"].nunique().rename("co_buyers").reset_index()
        shops = co_buyers.loc[co_buyers["co_buyers"] >= params.min_ring_buyers, ["group", "shop"]]
        kept = members.merge(shops, on=["group", "shop"])
        for _, group in kept.groupby("group", sort=True):
            buyers = np.unique(group["buyer"].to_numpy(np.uint64))
            shop_keys = np.unique(group["shop"].to_numpy(np.uint64))
            if len(buyers) >= params.min_ring_buyers and len(shop_keys) >= params.min_ring_shops:
                found.append(
                    Candidate(
                        str(platform_id),
                        "co_purchase",
                        buyers,
                        shop_keys,
                        int(group["first_s"].min()),
                        int(group["last_s"].max()),
                    )
                )
    return found


def find_shared_identity_rings(con: duckdb.DuckDBPyConnection, params: RingParams) -> list[Candidate]:
    """Accounts linked by shared devices or addresses that together ordered repeatedly from a shop."""
    run_sql(
        con, "_int_shared_identity_links", {"max_accounts_per_identity": params.max_accounts_per_identity}
    )
    links = con.execute(
        """
        select l.buyer_key, l.identity_kind, l.identity_key
        from _int_shared_identity_links as l
        order by l.buyer_key, l.identity_kind, l.identity_key
        """
    ).fetchnumpy()
    buyer = np.asarray(links["buyer_key"], dtype=np.uint64)
    accounts = np.unique(buyer)
    # Devices and addresses are nodes too, after the accounts; their kind keeps the id spaces apart.
    is_device = np.asarray(links["identity_kind"]).astype(str) == "device"
    identity = np.asarray(links["identity_key"], dtype=np.uint64)
    devices, addresses = np.unique(identity[is_device]), np.unique(identity[~is_device])
    node = np.where(
        is_device,
        len(accounts) + np.searchsorted(devices, identity),
        len(accounts) + len(devices) + np.searchsorted(addresses, identity),
    )
    labels = component_labels(
        np.searchsorted(accounts, buyer), node, len(accounts) + len(devices) + len(addresses)
    )[: len(accounts)]
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    grouped = sizes[labels] >= params.min_ring_buyers
    groups = pd.DataFrame({"buyer_key": accounts[grouped], "group_key": labels[grouped].astype(np.int64)})
    _register_table(con, "_int_identity_groups", groups)
    run_sql(con, "_int_identity_group_shops", {"min_ring_buyers": params.min_ring_buyers})
    shops = con.execute(
        """
        select s.group_key, s.platform_id, s.shop_key, s.active_from_s, s.active_to_s
        from _int_identity_group_shops as s
        order by s.group_key, s.shop_key
        """
    ).df()
    _drop(con, "_int_shared_identity_links", "_int_identity_groups", "_int_identity_group_shops")
    accounts_of = dict(iter(groups.groupby("group_key")["buyer_key"]))
    # Every shop where enough of the group ordered is a candidate; ring_shop_test keeps the ring's.
    return [
        Candidate(
            str(rows["platform_id"].iloc[0]),
            "shared_identity",
            np.sort(accounts_of[group_key].to_numpy(np.uint64)),
            np.unique(rows["shop_key"].to_numpy(np.uint64)),
            int(rows["active_from_s"].iloc[0]),
            int(rows["active_to_s"].iloc[0]),
        )
        for group_key, rows in shops.groupby("group_key", sort=True)
    ]


def ring_shop_test(checks: pd.DataFrame, params: RingParams) -> pd.Series:
    """Which candidate shops belong to their ring, whichever rule proposed them (one row per ring × shop).

    Enough of the ring ordered there (at least min_ring_buyers accounts and min_group_coverage of the
    best-covered shop's), and either they ordered repeatedly (a shop's own accounts), or they ran a
    campaign there (at least min_ring_order_share of the shop's orders, within at most
    max_campaign_span_share of the ring's active time at its shops), or they dominate its orders.
    Camouflage at popular shops is spread over the ring's whole time and is a small share of them.
    """
    ring = checks.groupby("ring_key")
    best_covered = ring["buyer_count"].transform("max")
    ring_span = (ring["last_s"].transform("max") - ring["first_s"].transform("min")).clip(lower=1)
    share = checks["order_count"] / checks["shop_order_count"]
    covered = (checks["buyer_count"] >= params.min_ring_buyers) & (
        checks["buyer_count"] >= params.min_group_coverage * best_covered
    )
    repeated = checks["order_count"] >= params.min_orders_per_account * checks["buyer_count"]
    campaign = (share >= params.min_ring_order_share) & (
        (checks["last_s"] - checks["first_s"]) <= params.max_campaign_span_share * ring_span
    )
    dominant = share >= params.min_dominant_order_share
    return covered & (repeated | campaign | dominant)


def keep_ring_shops(
    con: duckdb.DuckDBPyConnection, candidates: list[Candidate], params: RingParams
) -> list[Candidate]:
    """The candidates with only the shops that pass ring_shop_test, and enough of them."""
    register_candidates(con, candidates)
    run_sql(con, "_int_ring_member_orders", {})
    run_sql(con, "_int_ring_shop_checks", {})
    checks = con.execute(
        """
        select c.ring_key, c.shop_key, c.buyer_count, c.order_count, c.first_s, c.last_s, c.shop_order_count
        from _int_ring_shop_checks as c
        order by c.ring_key, c.shop_key
        """
    ).df()
    _drop(con, "_int_ring_shop_checks")
    passed = checks[ring_shop_test(checks, params)]
    shops_of = dict(iter(passed.groupby("ring_key")["shop_key"]))
    kept = []
    for key, candidate in enumerate(candidates):
        shops = shops_of.get(key)
        min_shops = params.min_ring_shops
        if candidate.rule == "dense":
            min_shops = max(min_shops, params.min_dense_ring_shops)
        if shops is not None and len(shops) >= min_shops:
            kept.append(dataclasses.replace(candidate, shop_keys=np.sort(shops.to_numpy(np.uint64))))
    return kept


def drop_repeats(candidates: list[Candidate], params: RingParams) -> list[Candidate]:
    """Keep each finding once: a later ring mostly made of an earlier ring's accounts keeps only new shops."""
    kept: list[Candidate] = []
    for candidate in candidates:
        shops = candidate.shop_keys
        for earlier in kept:
            if earlier.platform_id != candidate.platform_id:
                continue
            shared = np.isin(candidate.buyer_keys, earlier.buyer_keys).sum()
            if shared >= params.duplicate_buyer_overlap * len(candidate.buyer_keys):
                shops = np.setdiff1d(shops, earlier.shop_keys)
        if len(shops) >= params.min_ring_shops:
            kept.append(dataclasses.replace(candidate, shop_keys=shops))
    return kept


# -- ring tables -----------------------------------------------------------------------------------------


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop work tables as soon as a step is done with them, to keep memory down at 10M orders."""
    for table in tables:
        if table not in WORK_TABLES:
            raise ValueError(f"not a ring work table: {table!r}")
        con.execute(f"drop table if exists {quote_identifier(table)}")


def _register_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Materialise a frame as one of the WORK_TABLES (the SQL files read it by name)."""
    if name not in WORK_TABLES:
        raise ValueError(f"not a ring work table: {name!r}")
    con.register("_ring_frame", frame)
    try:
        target = quote_identifier(name)
        con.execute(f"create or replace temp table {target} as select * from _ring_frame")  # noqa: S608
    finally:
        con.unregister("_ring_frame")


def register_candidates(con: duckdb.DuckDBPyConnection, candidates: list[Candidate]) -> None:
    """_int_ring_candidates and _int_ring_candidate_members, keyed by the candidate's position."""
    rings = pd.DataFrame(
        {
            "ring_key": np.arange(len(candidates), dtype=np.int64),
            "platform_id": pd.Series([c.platform_id for c in candidates], dtype=object),
            "rule": pd.Series([c.rule for c in candidates], dtype=object),
            "start_s": np.array([c.start_s for c in candidates], dtype=np.int64),
            "end_s": np.array([c.end_s for c in candidates], dtype=np.int64),
            "density_ratio": np.array([c.density_ratio for c in candidates], dtype=np.float64),
        }
    )
    parts = [
        pd.DataFrame({"ring_key": key, "member_type": kind, "member_key": keys.astype(np.uint64)})
        for key, c in enumerate(candidates)
        for kind, keys in (("buyer", c.buyer_keys), ("shop", c.shop_keys))
    ]
    members = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(
            {
                "ring_key": np.zeros(0, np.int64),
                "member_type": pd.Series([], dtype=object),
                "member_key": np.zeros(0, np.uint64),
            }
        )
    )
    _register_table(con, "_int_ring_candidates", rings)
    _register_table(con, "_int_ring_candidate_members", members)


def _weeks(start: pd.Timestamp, end: pd.Timestamp) -> int:
    return max(1, math.ceil((end - start).total_seconds() / (7 * DAY_S)))


def _count_en(count: int, noun: str) -> str:
    """'1 shop', '12 shops', '2 addresses'."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}{'es' if noun.endswith('s') else 's'}"


def evidence(row: pd.Series, params: RingParams) -> tuple[str, str]:
    """The ring's evidence in Chinese and English, from the rule's templates in RingParams."""
    counts = {
        "buyers": (int(row["buyer_count"]), "account"),
        "shops": (int(row["shop_count"]), "shop"),
        "orders": (int(row["order_count"]), "order"),
        "weeks": (_weeks(row["start_at"], row["end_at"]), "week"),
        "devices": (int(row["shared_device_count"]), "device"),
        "addresses": (int(row["shared_address_count"]), "address"),
    }
    values = {name: count for name, (count, _) in counts.items()}
    values |= {f"{name}_en": _count_en(count, noun) for name, (count, noun) in counts.items()}
    values |= {
        "shops_per_buyer": f"{row['pair_count'] / row['buyer_count']:.1f}",
        "orders_per_buyer": f"{row['order_count'] / row['buyer_count']:.1f}",
        "ratio": f"{row['density_ratio']:.1f}",
        "hours": params.lockstep_window_hours,
        "min_shared": params.lockstep_min_shared_shops,
    }
    return params.evidence_zh[row["rule"]].format(**values), params.evidence_en[row["rule"]].format(**values)


def ring_table(con: duckdb.DuckDBPyConnection, params: RingParams, run_id: str) -> pd.DataFrame:
    """out_rings rows: candidates recounted on their orders, kept if still large enough, numbered."""
    run_sql(con, "_int_ring_member_orders", {})
    run_sql(con, "_int_ring_order_sets", {})
    run_sql(con, "_int_ring_summaries", {})
    rings = con.execute(
        """
        select c.ring_key, c.platform_id, c.rule, c.density_ratio, s.* exclude (ring_key)
        from _int_ring_summaries as s
        inner join _int_ring_candidates as c using (ring_key)
        """
    ).df()
    rings["method"] = rings["rule"].map(RULE_METHOD)
    min_shops = np.where(
        rings["method"] == "dense_subgraph",
        max(params.min_ring_shops, params.min_dense_ring_shops),
        params.min_ring_shops,
    )
    rings = rings[(rings["buyer_count"] >= params.min_ring_buyers) & (rings["shop_count"] >= min_shops)]
    # Numbered by what the ring is, never by discovery order, so ids repeat on the same data.
    rings = rings.sort_values(
        ["platform_id", "method", "order_count", "buyer_count", "start_at", "ring_key"],
        ascending=[True, True, False, False, True, True],
    )
    numbers = rings.groupby(["platform_id", "method"]).cumcount() + 1
    rings["ring_id"] = [
        f"{platform_id}-{'D' if method == 'dense_subgraph' else 'L'}{number:03d}"
        for platform_id, method, number in zip(rings["platform_id"], rings["method"], numbers, strict=True)
    ]
    texts = [evidence(row, params) for _, row in rings.iterrows()]
    rings["evidence_zh"] = [zh for zh, _ in texts]
    rings["evidence_en"] = [en for _, en in texts]
    rings["run_id"] = run_id
    return rings


def write_ring_tables(con: duckdb.DuckDBPyConnection, rings: pd.DataFrame, run_id: str) -> None:
    """out_rings from the numbered rings, then out_ring_members and _int_merchant_rings from their orders."""
    _register_table(con, "_int_ring_ids", rings[["ring_key", "ring_id"]].reset_index(drop=True))
    con.register("_ring_frame", rings.reset_index(drop=True))
    try:
        con.execute(
            """
            create or replace table out_rings as
            select
                r.run_id::varchar as run_id,
                r.ring_id::varchar as ring_id,
                r.platform_id::varchar as platform_id,
                r.method::varchar as method,
                r.buyer_count::bigint as buyer_count,
                r.shop_count::bigint as shop_count,
                r.order_count::bigint as order_count,
                r.start_at::timestamp as start_at,
                r.end_at::timestamp as end_at,
                r.density::double as density,
                r.shared_device_count::bigint as shared_device_count,
                r.shared_address_count::bigint as shared_address_count,
                r.evidence_zh::varchar as evidence_zh,
                r.evidence_en::varchar as evidence_en
            from _ring_frame as r
            order by r.ring_id
            """
        )
    finally:
        con.unregister("_ring_frame")
    run_sql(con, "out_ring_members", {"run_id": run_id})
    run_sql(con, "out_ring_edges", {"run_id": run_id})
    run_sql(con, "_int_merchant_rings", {})


@contextmanager
def _timed(seconds: dict[str, float], step: str) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        seconds[step] = round(time.perf_counter() - began, 2)


def detect_rings(con: duckdb.DuckDBPyConnection, params: RingParams, run_id: str) -> dict:
    """Find rings in stg_transactions and write out_rings, out_ring_members, _int_merchant_rings; returns metrics."""
    seconds: dict[str, float] = {}
    metrics: dict[str, object] = {}
    try:
        with _timed(seconds, "orders"):
            run_sql(con, "_int_ring_orders", {})
            run_sql(con, "_int_ring_shops", {})
        with _timed(seconds, "dense_subgraph"):
            dense = find_dense_rings(con, params, metrics)
        with _timed(seconds, "lockstep_co_purchase"):
            co_purchase = find_co_purchase_rings(con, params)
        with _timed(seconds, "lockstep_shared_identity"):
            shared_identity = find_shared_identity_rings(con, params)
        with _timed(seconds, "shop_test"):
            candidates = keep_ring_shops(con, dense + co_purchase + shared_identity, params)
        with _timed(seconds, "write"):
            candidates = drop_repeats(candidates, params)
            register_candidates(con, candidates)
            rings = ring_table(con, params, run_id)
            write_ring_tables(con, rings, run_id)
    finally:
        _drop(con, *reversed(WORK_TABLES))
    counts = rings["method"].value_counts()
    metrics["rings"] = {method: int(counts.get(method, 0)) for method in METHODS}
    metrics["rings_by_rule"] = {rule: int((rings["rule"] == rule).sum()) for rule in RULE_METHOD}
    metrics["candidates_by_rule"] = {
        "dense": len(dense),
        "co_purchase": len(co_purchase),
        "shared_identity": len(shared_identity),
    }
    metrics["seconds"] = seconds
    return metrics
