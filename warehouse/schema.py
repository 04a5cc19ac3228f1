"""The data contract, declared once: the five datasets, their fields, keys and personal-data flags.

Loading, validation, table DDL, masking, the demo generator and the contract table
in the docs all read this module; nothing else spells out a column list.
"""

from __future__ import annotations

from dataclasses import dataclass

# Logical types of the contract and the DuckDB type each is stored as once staged.
DUCKDB_TYPES = {
    "text": "varchar",
    "date": "date",
    "timestamp": "timestamp",
    "decimal": "decimal(18, 2)",
    "integer": "bigint",
}

# Hashed identifiers (buyers, addresses, devices) are near-random text: DuckDB's string
# compression halves them but takes a quarter of the time spent writing staged orders, so
# they are stored as they are (docs/warehouse.md#performance has the measurements).
HASHED_ID = "uncompressed"
COMPRESSIONS = (HASHED_ID,)


@dataclass(frozen=True)
class Field:
    """One column of a dataset as the contract defines it."""

    name: str
    type: str
    required: bool = False
    description: str = ""
    allowed: tuple[str, ...] | None = None  # closed list: anything else is a bad row
    examples: tuple[str, ...] = ()  # open list: documented, not enforced
    personal: bool = False
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    compression: str | None = None  # how DuckDB stores the staged column; None: DuckDB chooses

    def __post_init__(self) -> None:
        if self.type not in DUCKDB_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.compression not in (None, *COMPRESSIONS):
            raise ValueError(f"field {self.name}: unknown compression {self.compression!r}")

    @property
    def duckdb_type(self) -> str:
        """The DuckDB column type this field is staged as."""
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Dataset:
    """One input dataset: its fields in contract order and its key."""

    name: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    optional: bool = False

    def field(self, name: str) -> Field:
        """The field called `name`; KeyError if the dataset has none."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Field names in contract order."""
        return tuple(f.name for f in self.fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the fields every file of this dataset must carry."""
        return tuple(f.name for f in self.fields if f.required)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """Names of the fields that hold personal data."""
        return tuple(f.name for f in self.fields if f.personal)


COMPLAINT_CATEGORIES = (
    "false_advertising",
    "counterfeit",
    "quality",
    "fraud",
    "non_delivery",
    "refund_refused",
    "after_sales",
    "privacy",
    "price",
    "other",
)
LICENSE_TYPES = ("business_license", "food_operation", "medical_device", "cosmetics", "icp")
LICENSE_STATUSES = ("active", "expired", "revoked", "cancelled", "abnormal")
ORDER_STATUSES = ("completed", "cancelled", "refunded", "returned", "in_progress")
REFUND_REASONS = ("no_reason_7day", "quality", "not_as_described", "not_received", "other")
REFUND_OUTCOMES = ("approved", "rejected", "pending")
COMPLAINT_CHANNELS = ("12315", "hotline", "platform", "web", "letter")
COMPLAINT_STATUSES = ("open", "in_progress", "resolved", "closed_unresolved", "withdrawn")
COMPLAINT_OUTCOMES = (
    "refund",
    "replacement",
    "repair",
    "compensation",
    "mediation_failed",
    "rejected",
    "transferred",
)
RESOLUTION_CHANNELS = ("negotiation", "platform", "mediation", "arbitration", "litigation")
MERCHANT_CATEGORIES = ("服装", "食品", "数码", "美妆", "母婴", "家电", "医疗器械")

CREDIT_CODE_NOTE = (
    "18-char Unified Social Credit Code (GB 32100-2015): 0-9A-HJ-NPQRTUWXY, last char a check digit"
)

PLATFORMS = Dataset(
    name="platforms",
    description="E-commerce platforms (optional; derived from the other datasets when absent).",
    optional=True,
    key=("platform_id",),
    fields=(
        Field("platform_id", "text", True, "short code, e.g. `P01`", max_length=32),
        Field("platform_name", "text", True, "display name", max_length=200),
        Field("operator_credit_code", "text", description="the operating company's USCC", max_length=64),
    ),
)

MERCHANTS = Dataset(
    name="merchants",
    description="Shops on a platform. The merchant key everywhere is (platform_id, merchant_id).",
    key=("platform_id", "merchant_id"),
    fields=(
        Field("merchant_id", "text", True, "unique within the platform", max_length=64),
        Field("platform_id", "text", True, max_length=32),
        Field("shop_name", "text", True, "as displayed on the platform", max_length=200),
        Field(
            "credit_code",
            "text",
            description="the USCC the shop displays (亮照); may be missing or invalid, itself a finding",
            max_length=64,
        ),
        Field("main_category", "text", examples=MERCHANT_CATEGORIES, max_length=64),
        Field(
            "region",
            "text",
            description="province name or 6-digit administrative code of the registered place",
            max_length=64,
        ),
        Field("opened_on", "date", description="date the shop opened on the platform"),
    ),
)

LICENSES = Dataset(
    name="licenses",
    description="The business registry and sector permits; one credit_code may have one row per license_type.",
    key=("credit_code", "license_type"),
    fields=(
        Field("credit_code", "text", True, CREDIT_CODE_NOTE, max_length=64),
        Field("company_name", "text", True, max_length=200),
        Field("license_type", "text", True, examples=LICENSE_TYPES, max_length=64),
        Field(
            "status",
            "text",
            True,
            "`abnormal` = listed for abnormal operation (经营异常)",
            allowed=LICENSE_STATUSES,
        ),
        Field("issued_on", "date"),
        Field("expires_on", "date", description="empty = long-term"),
        Field("business_scope", "text", description="free text (经营范围)", max_length=4000),
        Field("legal_representative", "text", personal=True, max_length=100),
        Field("registered_region", "text", description="province name or 6-digit code", max_length=64),
    ),
)

TRANSACTIONS = Dataset(
    name="transactions",
    description="Orders, one row per order.",
    key=("platform_id", "order_id"),
    fields=(
        Field("order_id", "text", True, "unique within the platform", max_length=64),
        Field("platform_id", "text", True, max_length=32),
        Field("merchant_id", "text", True, max_length=64),
        Field(
            "buyer_id",
            "text",
            True,
            "pseudonymous account id (hashed by the platform)",
            max_length=128,
            compression=HASHED_ID,
        ),
        Field("ordered_at", "timestamp", True, "local time, no zone"),
        Field("amount", "decimal", True, "CNY, ≥ 0", min_value=0),
        Field("quantity", "integer", description="default 1", min_value=1),
        Field("category", "text", max_length=64),
        Field("status", "text", True, allowed=ORDER_STATUSES),
        Field("shipped_at", "timestamp"),
        Field("delivered_at", "timestamp"),
        Field(
            "tracking_weight_g",
            "integer",
            description="parcel weight from logistics; tiny weights on valuable goods suggest empty parcels (空包)",
            min_value=0,
        ),
        Field("refund_requested_at", "timestamp"),
        Field(
            "refund_reason",
            "text",
            description="`no_reason_7day` = 七日无理由",
            allowed=REFUND_REASONS,
        ),
        Field("refund_outcome", "text", allowed=REFUND_OUTCOMES),
        Field(
            "refund_completed_at",
            "timestamp",
            description="when the money reached the buyer; refund latency = this − refund_requested_at",
        ),
        Field("rating", "integer", description="1–5", min_value=1, max_value=5),
        Field("reviewed_at", "timestamp"),
        Field("ship_to_region", "text", description="province", max_length=64),
        Field(
            "address_hash",
            "text",
            description="hashed delivery address",
            max_length=128,
            compression=HASHED_ID,
        ),
        Field(
            "device_hash",
            "text",
            description="hashed device fingerprint",
            max_length=128,
            compression=HASHED_ID,
        ),
    ),
)

COMPLAINTS = Dataset(
    name="complaints",
    description="Consumer complaints from 12315, hotlines and platforms.",
    key=("complaint_id",),
    fields=(
        Field("complaint_id", "text", True, "unique", max_length=64),
        Field("received_at", "timestamp", True),
        Field("channel", "text", allowed=COMPLAINT_CHANNELS),
        Field("platform_id", "text", max_length=32),
        Field(
            "merchant_id",
            "text",
            description="often missing: the consumer names the shop instead",
            max_length=64,
        ),
        Field("shop_name", "text", description="as the consumer wrote it", max_length=200),
        Field(
            "category",
            "text",
            description="empty = to be classified from the text",
            allowed=COMPLAINT_CATEGORIES,
        ),
        Field("description", "text", True, "the consumer's words, usually Chinese", max_length=10000),
        Field("amount_involved", "decimal", description="CNY", min_value=0),
        Field("consumer_name", "text", personal=True, max_length=100),
        Field("consumer_phone", "text", personal=True, max_length=32),
        Field("status", "text", True, allowed=COMPLAINT_STATUSES),
        Field("first_response_at", "timestamp", description="first reply from merchant or platform"),
        Field("closed_at", "timestamp"),
        Field("outcome", "text", allowed=COMPLAINT_OUTCOMES),
        Field("resolution_channel", "text", allowed=RESOLUTION_CHANNELS),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (PLATFORMS, MERCHANTS, LICENSES, TRANSACTIONS, COMPLAINTS)}


def dataset_for_file(file_name: str) -> Dataset | None:
    """The dataset a feed file belongs to, named by the file name's first word; None if unknown."""
    stem = file_name.lower().split(".", 1)[0]
    first_word = stem.replace("-", "_").split("_", 1)[0]
    return DATASETS.get(first_word)


# Layers of the warehouse, by table-name prefix (see docs/warehouse.md for the naming rule).
LAYER_PREFIXES = ("raw", "quarantine", "stg", "superseded")
# Bookkeeping columns every raw, quarantine and staged row carries, in this order.
LINEAGE_COLUMNS = ("_load_id", "_source_file", "_source_line")
# Datasets whose credit_code is checked (GB 32100 check digit) and flagged once staged.
CREDIT_CODE_FLAG = "is_credit_code_valid"
# Warehouse tables outside the per-dataset layers.
LOAD_LOG_TABLE = "load_log"
LOAD_CHECKS_TABLE = "load_checks"


def quote_identifier(name: str) -> str:
    """The one way an identifier enters SQL: double-quoted, embedded quotes doubled.

    Contract names come from this module; the only other identifiers are a feed's own
    header names (kept as extra columns), which is why quoting is escaping, not a lookup.
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"not a usable identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def table_name(layer: str, dataset: Dataset | str) -> str:
    """`raw_<dataset>`, `quarantine_<dataset>`, `stg_<dataset>` or `superseded_<dataset>`, only for contract datasets."""
    name = dataset.name if isinstance(dataset, Dataset) else dataset
    if layer not in LAYER_PREFIXES or name not in DATASETS:
        raise ValueError(f"no table for layer {layer!r} and dataset {name!r}")
    return f"{layer}_{name}"


def batch_table_name(layer: str, dataset: Dataset | str) -> str:
    """`_int_<layer>_<dataset>`: the temporary table a load fills before appending to the layer table."""
    return f"_int_{table_name(layer, dataset)}"


def has_credit_code_flag(dataset: Dataset) -> bool:
    """True for the datasets staged with an `is_credit_code_valid` flag (merchants, licenses)."""
    return "credit_code" in dataset.column_names


def normalise_header(name: str) -> str:
    """A header as compared with contract names: BOM and surrounding blanks removed, lower case."""
    return name.replace("\ufeff", "").strip().lower()
