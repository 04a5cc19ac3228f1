"""Build the committed test feeds under tests/data/ (run again after changing it: `python tests/data/make_fixtures.py`).

feeds/good/  a small clean feed in every format and encoding the contract allows.
feeds/bad/   one file per bad-input case the loader must survive without losing a row.
real/        the first 200 rows of the real Beijing registry sample (see its SOURCE.md).
"""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
GOOD = HERE / "feeds" / "good"
BAD = HERE / "feeds" / "bad"
REAL = HERE / "real"
REGISTRY = HERE.parents[2] / "shared" / "real" / "china-enterprise-registry" / "csv_2019_beijing.csv.gz"

PLATFORMS = """\
platform_id,platform_name,operator_credit_code
P01,淘宝,91330100799655058B
P02,京东,911101085923662400
"""

MERCHANTS = """\
merchant_id,platform_id,shop_name,credit_code,main_category,region,opened_on,shop_url
M001,P01,老王服装店,91110113MA01GHE6XA,服装,北京,2024-03-01,https://shop.example/1
M002,P01,好味食品,91110105MA01GHN16Q,食品,上海,2024/05/02,https://shop.example/2
M003,P02,数码先锋,91110105MA01GHN16R,数码,310000,2025-01-15,
M004,P02,美妆小铺,,美妆,广东,,
"""

LICENSES = """\
credit_code,company_name,license_type,status,issued_on,expires_on,business_scope,legal_representative,registered_region
91110113MA01GHE6XA,东方普拉特(北京)建筑设计有限公司,business_license,active,2019-01-02,,工程技术咨询,张三,北京
91110105MA01GHN16Q,中检科教育科技(北京)有限公司,business_license,active,2019-01-02,,技术开发,李四,北京
91110105MA01GHN16Q,中检科教育科技(北京)有限公司,food_operation,expired,2020-01-01,2023-01-01,食品销售,李四,北京
"""

TRANSACTIONS_JAN = """\
order_id,platform_id,merchant_id,buyer_id,ordered_at,amount,quantity,category,status,rating,ship_to_region
T0001,P01,M001,B01,2026-01-03 10:00:00,199.00,1,服装,completed,5,北京
T0002,P01,M001,B02,2026-01-04 11:30:00,59.90,2,服装,refunded,2,上海
T0003,P01,M002,B03,2026-01-05 09:15:00,12.50,1,食品,completed,,广东
T0004,P02,M003,B04,2026-01-06 20:45:00,3999.00,1,数码,in_progress,,浙江
"""

COMPLAINTS_ROWS = [
    [
        "complaint_id",
        "received_at",
        "channel",
        "platform_id",
        "merchant_id",
        "shop_name",
        "category",
        "description",
        "amount_involved",
        "consumer_name",
        "consumer_phone",
        "status",
    ],
    [
        "C001",
        "2026-01-10 09:00:00",
        "12315",
        "P01",
        "M001",
        "老王服装店",
        "quality",
        "衣服开线，商家拒绝退货",
        "199",
        "王五",
        "13800000000",
        "open",
    ],
    [
        "C002",
        "2026-01-11 15:20:00",
        "platform",
        "P02",
        None,
        "数码先锋旗舰店",
        "non_delivery",
        "付款后一直未发货",
        "3999",
        None,
        None,
        "in_progress",
    ],
]

# Every row-level problem the contract names, one or more per line (line numbers in comments of the tests).
TRANSACTIONS_BAD_ROWS = """\
order_id,platform_id,merchant_id,buyer_id,ordered_at,amount,quantity,status,rating,refund_reason,ship_to_region
B001,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed,5,,北京
B002,P01,M001,B01,2026-13-45,10.00,1,completed,,,北京
B003,P01,M001,B01,2026-02-01 10:00:00,-5,1,completed,,,北京
B004,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed,0,,北京
B005,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed,9,,北京
B006,P01,M001,B01,2026-02-01 10:00:00,10.00,1,shipped,,,北京
B001,P01,M001,B09,2026-02-02 10:00:00,11.00,1,completed,,,北京
,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed,,,北京
B008,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed,,,{long_region}
B009,P01,M001,=HYPERLINK("http://evil.example"),2026-02-01 10:00:00,10.00,1,completed,,,+86 北京
B010,P01,M001,@SUM(A1),2026-02-01 10:00:00,10.00,1,completed,,,-北京
B011,P01,M001,B01,yesterday,abc,1.5,Shipped,6,lost_it,北京
"""

TRUNCATED_CSV = """\
order_id,platform_id,merchant_id,buyer_id,ordered_at,amount,quantity,status
X001,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed
X002,P01,M001,B01,2026-02-01 10:00:00,10.00,1,completed
X003,P01,M001,B01,2026-02-0"""

COMPLAINTS_MIXED_HEADER = "complaint_id,received_at,description,status\n"
COMPLAINTS_MIXED_UTF8 = [
    "K001,2026-01-10 09:00:00,商品与描述不符,open\n",
    "K002,2026-01-10 10:00:00,快递一直没到,resolved\n",
    "K004,2026-01-10 12:00:00,退款被拒绝,open\n",
]
COMPLAINTS_MIXED_GB = "K003,2026-01-10 11:00:00,假冒伪劣商品,open\n"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write text with '\\n' line ends in the given encoding."""
    path.write_bytes(text.encode(encoding))


def write_sheet(ws: openpyxl.worksheet.worksheet.Worksheet, rows: list[list[object]]) -> None:
    """Fill a worksheet, keeping text that starts with '=' as text (openpyxl would make it a formula)."""
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"


def build_good() -> None:
    """The clean feed: UTF-8, UTF-8 with BOM, GB18030, Parquet, XLSX; transactions split over two files."""
    GOOD.mkdir(parents=True, exist_ok=True)
    write_text(GOOD / "platforms.csv", PLATFORMS)
    write_text(GOOD / "merchants.csv", MERCHANTS, "utf-8-sig")  # BOM, as Excel writes it
    write_text(GOOD / "licenses_gb18030.csv", LICENSES, "gb18030")
    write_text(GOOD / "transactions_2026-01.csv", TRANSACTIONS_JAN)
    con = duckdb.connect()
    con.execute(
        """
        copy (
            select * from (values
                ('T0101', 'P01', 'M001', 'B05', timestamp '2026-02-01 08:00:00', 88.00::decimal(18,2), 1, 'completed', 4),
                ('T0102', 'P01', 'M002', 'B06', timestamp '2026-02-02 09:00:00', 15.50::decimal(18,2), 3, 'returned', 1),
                ('T0103', 'P02', 'M003', 'B07', timestamp '2026-02-03 10:00:00', 2999.00::decimal(18,2), 1, 'cancelled', null)
            ) as t(order_id, platform_id, merchant_id, buyer_id, ordered_at, amount, quantity, status, rating)
        ) to $path (format parquet)
        """,
        {"path": str(GOOD / "transactions_2026-02.parquet")},
    )
    wb = openpyxl.Workbook()
    write_sheet(wb.active, COMPLAINTS_ROWS)
    wb.active.title = "complaints"
    write_sheet(wb.create_sheet("说明"), [["本文件由测试生成"]])
    wb.save(GOOD / "complaints.xlsx")


def build_bad() -> None:
    """One file per bad-input case."""
    BAD.mkdir(parents=True, exist_ok=True)
    (BAD / "transactions_empty.csv").write_bytes(b"")
    write_text(BAD / "transactions_header_only.csv", TRANSACTIONS_JAN.splitlines()[0] + "\n")
    (BAD / "transactions_binary.csv").write_bytes(bytes(range(256)) * 8)
    write_text(BAD / "transactions_truncated.csv", TRUNCATED_CSV)
    write_text(BAD / "transactions_bad_rows.csv", TRANSACTIONS_BAD_ROWS.format(long_region="长" * 65))
    # GB18030 content behind a UTF-8 BOM and a name that says utf8: the bytes decide.
    (BAD / "merchants_utf8.csv").write_bytes(b"\xef\xbb\xbf" + MERCHANTS.encode("gb18030"))
    mixed = (
        COMPLAINTS_MIXED_HEADER.encode()
        + b"".join(line.encode() for line in COMPLAINTS_MIXED_UTF8[:2])
        + COMPLAINTS_MIXED_GB.encode("gb18030")
        + COMPLAINTS_MIXED_UTF8[2].encode()
    )
    (BAD / "complaints_mixed_encoding.csv").write_bytes(mixed)
    no_status = (
        "\n".join(",".join(line.split(",")[:3] + line.split(",")[4:]) for line in LICENSES.splitlines())
        + "\n"
    )
    write_text(BAD / "licenses_missing_status.csv", no_status)
    table = pa.table(
        {
            "order_id": ["W001", "W002", "W003"],
            "platform_id": ["P01", "P01", "P01"],
            "merchant_id": ["M001", "M001", "M001"],
            "buyer_id": ["B01", "B02", "B03"],
            "ordered_at": ["2026-02-01 10:00:00", "not a time", "2026-02-03"],  # text, not timestamp
            "amount": ["12.5", "7", "abc"],  # text, not decimal
            "quantity": [1.0, 2.0, 1.5],  # double, not integer
            "status": ["completed", "completed", "completed"],
            "rating": [5, 4, 3],
        }
    )
    pq.write_table(table, BAD / "transactions_wrong_types.parquet")
    whole = io.BytesIO()
    pq.write_table(table, whole)
    (BAD / "transactions_truncated.parquet").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    wb = openpyxl.Workbook()
    write_sheet(wb.active, [["note"], ["这个工作簿有几张表"]])
    wb.active.title = "README"
    merchant_rows = [line.split(",") for line in MERCHANTS.splitlines()]
    write_sheet(wb.create_sheet("merchants"), [[v or None for v in row] for row in merchant_rows])
    write_sheet(
        wb.create_sheet("transactions"),
        [
            ["order_id", "platform_id", "merchant_id", "buyer_id", "ordered_at", "amount", "status"],
            ["S001", "P01", "M001", "=cmd|' /C calc'!A0", "2026-03-01 10:00:00", 10, "completed"],
            ["S002", "P01", "M001", "B02", "2026-03-02 10:00:00", 20.5, "completed"],
        ],
    )
    wb.save(BAD / "feed_workbook.xlsx")
    wb = openpyxl.Workbook()
    write_sheet(wb.active, COMPLAINTS_ROWS)
    write_sheet(wb.create_sheet("Sheet2"), [["ignored"]])
    wb.save(BAD / "complaints_unnamed_sheets.xlsx")


def build_real_sample(rows: int = 200) -> None:
    """The header and first `rows` records of the real Beijing registry export, uncompressed."""
    REAL.mkdir(parents=True, exist_ok=True)
    with gzip.open(REGISTRY, "rt", encoding="utf-8", newline="") as src:
        lines = [next(src) for _ in range(rows + 1)]
    (REAL / "registry_beijing_sample.csv").write_text("".join(lines), encoding="utf-8", newline="")


def main() -> None:
    """Rebuild every fixture from scratch."""
    for folder in (GOOD, BAD):
        shutil.rmtree(folder, ignore_errors=True)
    build_good()
    build_bad()
    if REGISTRY.exists():
        build_real_sample()


if __name__ == "__main__":
    main()
