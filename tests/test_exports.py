"""Real exports as shops download them (issue 11): several files per table, Shopify's
cancellations, refunds and time zones, dates written day or month first, blank rows, missing
values, non-merchandise lines, and the presets of JD, 抖店, 拼多多, WooCommerce, GA4 and Meta.

Every file is written with the platform's real headers; each expected figure is worked out by
hand in the comments beside it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
import yaml
from click.testing import CliRunner

from shopreport import api
from shopreport.cli import cli
from shopreport.config import read_config
from shopreport.errors import DataError
from shopreport.metrics import schema as S
from shopreport.metrics.period import week_period
from shopreport.sources.dataset import read_dataset
from tests.conftest import kpis, run_cli, write_shop

SAMPLES = Path(__file__).parent / "samples" / "exports"
TODAY = date(2026, 11, 20)

# Shopify Admin → Orders → Export: the 79 columns (ospos-org/migrator shopify.rs @ bd99b93)
SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,"
    "Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
).split(",")
assert len(SHOPIFY_HEADER) == 79


def shopify_order(
    name, email, status, created, total, lines, cancelled="", refunded="0.00", paid=""
):
    """The rows Shopify writes for one order: order fields on the first row only."""
    rows = []
    for i, (title, sku, qty, price, vendor) in enumerate(lines):
        row = dict.fromkeys(SHOPIFY_HEADER, "")
        row.update(
            {
                "Name": name,
                "Email": email,
                "Created at": created,
                "Lineitem quantity": str(qty),
                "Lineitem name": title,
                "Lineitem price": f"{price:.2f}",
                "Lineitem sku": sku,
                "Vendor": vendor,
            }
        )
        if i == 0:
            row.update(
                {
                    "Financial Status": status,
                    "Paid at": paid,
                    "Currency": "USD",
                    "Total": f"{total:.2f}",
                    "Cancelled at": cancelled,
                    "Refunded Amount": refunded,
                    "Billing Province": "CA",
                    "Billing City": "San Francisco",
                    "Billing Zip": "'94105",
                    "Source": "web",
                }
            )
        rows.append(row)
    return rows


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    """A CSV as the platform writes it (UTF-8, quoted where needed)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


TEE_M = ("Classic Tee - M / Black", "TEE-M-BLK", 1, 30.0, "Demo Apparel")
TEE_L = ("Classic Tee - L / White", "TEE-L-WHT", 2, 30.0, "Demo Apparel")
PROTECTION = ("Shipping Protection", "", 1, 2.0, "Protection App")
# #1002 is in both files, identical: it counts once
ORDER_1002 = shopify_order(
    "#1002", "a@x.com", "paid", "2026-10-05 10:00:00 -0700", 92, [TEE_M, TEE_L, PROTECTION]
)


@pytest.fixture
def shopify_store(tmp_path) -> Path:
    """A store split over two overlapping exports; the second was downloaded later."""
    first = [
        # 23:30 on 30 Sept in the store's zone (UTC-7) is 1 Oct 14:30 in Shanghai
        *shopify_order("#1001", "z@x.com", "paid", "2026-09-30 23:30:00 -0700", 100, [TEE_M]),
        *ORDER_1002,
        # cancelled while pending: never took money, not an order
        *shopify_order(
            "#1003",
            "e@x.com",
            "pending",
            "2026-10-06 09:00:00 -0700",
            50,
            [("Dad Cap", "CAP", 1, 50.0, "Caps Co")],
            cancelled="2026-10-06 10:00:00 -0700",
        ),
        # pending in the first download …
        *shopify_order(
            "#1007",
            "a@x.com",
            "pending",
            "2026-10-20 12:00:00 -0700",
            40,
            [("Hoodie - L", "HOOD-L", 1, 40.0, "Demo Apparel")],
        ),
    ]
    second = [
        *ORDER_1002,
        # voided: not an order; its line comes first in the file with another vendor
        *shopify_order(
            "#1004",
            "f@x.com",
            "voided",
            "2026-10-07 09:00:00 -0700",
            70,
            [("Hoodie - S", "HOOD-S", 1, 70.0, "Old Vendor")],
        ),
        # cancelled after payment: counts in GMV, its refund is dated by Cancelled at
        *shopify_order(
            "#1005",
            "b@x.com",
            "refunded",
            "2026-10-10 08:00:00 -0700",
            80,
            [("Dad Cap", "CAP", 1, 80.0, "Caps Co")],
            cancelled="2026-10-12 09:00:00 -0700",
            refunded="80.00",
        ),
        # partly refunded, not cancelled: the refund is dated by the order
        *shopify_order(
            "#1006",
            "c@x.com",
            "partially_refunded",
            "2026-10-15 10:00:00 -0700",
            60,
            [("Hoodie - M", "HOOD-M", 1, 60.0, "Demo Apparel")],
            refunded="10.00",
        ),
        # … and paid, for a different total, in the newer download: the newer wins
        *shopify_order(
            "#1007",
            "a@x.com",
            "paid",
            "2026-10-20 12:00:00 -0700",
            45,
            [("Hoodie - L", "HOOD-L", 1, 45.0, "Demo Apparel")],
            paid="2026-10-21 09:00:00 -0700",
        ),
        # 23:00 on 31 Oct in the store is 1 Nov in Shanghai; a gift card is not merchandise
        *shopify_order(
            "#1008",
            "d@x.com",
            "paid",
            "2026-10-31 23:00:00 -0700",
            20,
            [("Gift Card - $20", "", 1, 20.0, "Demo Apparel")],
        ),
    ]
    write_csv(tmp_path / "orders_export_1.csv", SHOPIFY_HEADER, first)
    write_csv(tmp_path / "orders_export_2.csv", SHOPIFY_HEADER, second)
    # the second download is the newer file, whatever the order of the names
    os.utime(tmp_path / "orders_export_1.csv", (1_790_000_000, 1_790_000_000))
    os.utime(tmp_path / "orders_export_2.csv", (1_790_086_400, 1_790_086_400))
    return write_shop(tmp_path, {}, {}, preset="shopify", data_dir=".")


def test_shopify_store_over_two_overlapping_exports(shopify_store):
    r = kpis(shopify_store, today=TODAY)
    m = r.metrics
    # October, in the store's own time: #1002 92 + #1005 80 + #1006 60 + #1007 45 (the newer
    # file) + #1008 20 = 297; #1001 is 30 Sept, #1003 cancelled unpaid, #1004 voided
    assert m["gmv"].value == pytest.approx(297.0)
    assert m["paid_orders"].value == 5
    assert m["buyers"].value == 4  # a@ (twice), b@, c@, d@
    # refunds: #1005 80 (12 Oct, its cancellation) + #1006 10 (15 Oct, the order) = 90
    assert m["refund_amount"].value == pytest.approx(90.0)
    assert m["refunded_orders"].value == 2
    assert "dates are approximate" in " ".join(n.text for n in r.notes)
    # September holds only #1001 (the wall time written, not Shanghai's 1 Oct)
    assert kpis(shopify_store, "2026-09", today=TODAY).metrics["gmv"].value == pytest.approx(100)


def test_shopify_store_with_a_time_zone_converts(shopify_store):
    config = yaml.safe_load(shopify_store.read_text(encoding="utf-8"))
    shopify_store.write_text(yaml.safe_dump({**config, "timezone": "Asia/Shanghai"}), "utf-8")
    m = kpis(shopify_store, today=TODAY).metrics
    # in Shanghai #1001 falls on 1 Oct and #1008 on 1 Nov: 100 + 92 + 80 + 60 + 45 = 377
    assert m["gmv"].value == pytest.approx(377.0)


def test_shopify_products_are_line_items_without_variants(shopify_store):
    ds = read_dataset(read_config(shopify_store))
    products = ds.frame("products").collect().sort("sku")
    # variants M/Black and L/White are one product; the gift card and protection are not goods
    assert products["sku"].to_list() == ["Classic Tee", "Dad Cap", "Hoodie"]
    # Hoodie's rows in the newest file: Old Vendor (first read), Demo Apparel twice → the mode
    assert products.filter(pl.col("sku") == "Hoodie")["category"][0] == "Demo Apparel"
    items = ds.frame("order_items").collect()
    # #1002's lines once (the identical copy in file 1 is dropped): two tees and the protection
    lines = items.filter(pl.col("order_id") == "#1002")
    assert sorted(lines["sku"].to_list()) == ["Classic Tee", "Classic Tee", "Shipping Protection"]
    gmv = {p["sku"]: p["gmv"] for p in kpis(shopify_store, today=TODAY).rows(S.PRODUCTS)}
    # #1002's 92 is split over its lines by their amounts: the tees 30 + 60, the protection 2,
    # which stays out of the products; the gift card of #1008 is no product either
    assert gmv == pytest.approx({"Hoodie": 105.0, "Classic Tee": 90.0, "Dad Cap": 80.0})


def test_shopify_variants_are_a_drill_down_of_their_product(shopify_store):
    r = kpis(shopify_store, today=TODAY)
    rows = [(v["sku"], v["variant"], v["units"]) for v in r.rows(S.VARIANTS)]
    # October by product GMV: Hoodie 105 (L 45 #1007, M 60 #1006) before Classic Tee 90
    # (L / White ×2 and M / Black ×1 of #1002); variants by units, then name
    assert rows == [
        ("Hoodie", "L", 1),
        ("Hoodie", "M", 1),
        ("Classic Tee", "L / White", 2),
        ("Classic Tee", "M / Black", 1),
    ]
    assert r.rows(S.VARIANTS)[2]["share"] == pytest.approx(2 / 3)
    # Dad Cap has no variant: no drill-down


def test_validate_prints_the_reading_rules_of_a_shopify_store(shopify_store):
    result = CliRunner().invoke(cli, ["validate", "--config", str(shopify_store)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "an order counts when placed" in out
    # #1002 identical in both files, #1007 changed: the newer file's rows are used
    assert "2 order_id(s) appear in more than one file" in out
    assert "1 of them differ, and the newest file's rows are used" in out
    assert "times carry UTC offsets (-0700 ×" in out
    assert "kept as the local time written in the export" in out
    assert (
        "refunds: from orders_export_1.csv, orders_export_2.csv, dated by Cancelled at, else "
        "Created at (approximate" in out
    )
    # an order's refund is cumulative in an orders export: one per order, the newest file's
    assert "counts once per order_id, the newest file's row" in " ".join(out.split())
    # 3 lines not merchandise: Shipping Protection in both copies of #1002 is one line once
    # the copies are merged, plus the gift card: 2 lines, 2.00 + 20.00
    assert "2 line(s) (amount 22.00) are not merchandise" in out


def test_duplicate_ids_across_files_are_merged_within_a_file_an_error(tmp_path):
    header = "order_id,customer_id,order_time,paid_amount\n"
    files = {
        "orders_1.csv": header + "1,a,2026-10-01 10:00:00,10\n2,b,2026-10-02 10:00:00,20\n",
        "orders_2.csv": header + "2,b,2026-10-02 10:00:00,20\n3,c,2026-10-03 10:00:00,30\n",
    }
    config = write_shop(tmp_path, files, {"orders": {"path": "orders_*.csv"}})
    # order 2 in both files is one order: 10 + 20 + 30
    assert kpis(config, today=TODAY).metrics["gmv"].value == pytest.approx(60.0)
    (tmp_path / "orders_2.csv").write_text(
        header
        + "3,c,2026-10-03 10:00:00,30\n4,d,2026-10-04 10:00:00,5\n3,c,2026-10-03 10:00:00,30\n"
    )
    with pytest.raises(DataError, match=r"orders_2.csv, line 2 and line 4, column order_id: '3'"):
        read_dataset(read_config(config)).check()


def test_a_time_zone_other_than_the_exports_is_a_warning(shopify_store, tmp_path):
    """Times written at -07:00 (the store's zone) read in Asia/Shanghai (+08:00) move orders
    across days against Shopify's own reports: a warning. Times written in UTC are meant to be
    converted: none."""
    config = yaml.safe_load(shopify_store.read_text("utf-8"))
    shopify_store.write_text(yaml.safe_dump({**config, "timezone": "Asia/Shanghai"}), "utf-8")
    out = CliRunner().invoke(cli, ["validate", "--config", str(shopify_store)]).output
    assert "the export writes its times at -0700, the store's own time zone, but `timezone: " in out
    assert "Asia/Shanghai` is +0800" in out
    header = "order_id,customer_id,order_time,paid_amount\n"
    utc = header + "1,a,2026-10-01 10:00:00+00:00,10\n2,b,2026-10-02T09:00:00Z,20\n"
    folder = tmp_path / "utc"
    config_path = write_shop(
        folder, {"orders.csv": utc}, {"orders": {"path": "orders.csv"}}, timezone="Asia/Shanghai"
    )
    out = CliRunner().invoke(cli, ["validate", "--config", str(config_path)]).output
    assert "times carry UTC offsets" in out and "the export writes its times at" not in out


def test_dates_written_month_or_day_first(tmp_path):
    header = "order_id,customer_id,order_time,paid_amount\n"
    # a day of 13 tells the order: month/day/year
    us = header + "1,a,10/2/2026 10:56,10\n2,b,10/13/2026 9:00,20\n"
    config = write_shop(tmp_path, {"orders.csv": us}, {"orders": {"path": "orders.csv"}})
    times = read_dataset(read_config(config)).frame("orders").collect()["order_time"]
    assert times.to_list() == [datetime(2026, 10, 2, 10, 56), datetime(2026, 10, 13, 9, 0)]
    # every part ≤ 12: either reading is possible, so the option is required
    both = header + "1,a,02/10/2026,10\n2,b,03/10/2026,20\n"
    config = write_shop(tmp_path, {"orders.csv": both}, {"orders": {"path": "orders.csv"}})
    with pytest.raises(DataError) as err:
        read_dataset(read_config(config)).check()
    message = str(err.value)
    assert "line 2, column order_time: the date '02/10/2026' could be 2026-02-10" in message
    assert "or 2026-10-02 (day first)" in message
    assert "date_format: dmy" in message
    # the option given: read day first (European)
    config = write_shop(tmp_path, {}, {"orders": {"path": "orders.csv", "date_format": "dmy"}})
    times = read_dataset(read_config(config)).frame("orders").collect()["order_time"]
    assert times.to_list() == [datetime(2026, 10, 2), datetime(2026, 10, 3)]
    # a strftime pattern
    dotted = header + "1,a,02.10.2026 08:15,10\n"
    config = write_shop(
        tmp_path,
        {"orders.csv": dotted},
        {"orders": {"path": "orders.csv", "date_format": "%d.%m.%Y %H:%M"}},
    )
    times = read_dataset(read_config(config)).frame("orders").collect()["order_time"]
    assert times.to_list() == [datetime(2026, 10, 2, 8, 15)]


def test_blank_rows_are_skipped_and_counted(tmp_path):
    text = (
        "order_id,customer_id,order_time,paid_amount\n"
        "1,a,2026-10-01 10:00:00,10\n,,,\n2,b,2026-10-02 10:00:00,20\n,,,\n , ,,\n"
    )
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    reports = api.validate(config)
    orders = next(r for r in reports if r.name == "orders")
    assert orders.rows == 2
    assert not orders.errors
    assert "3 blank row(s) skipped (orders.csv 3)." in orders.rules


def test_an_order_without_its_payment_row_is_an_error_or_skipped(tmp_path):
    files = {
        "orders.csv": (
            "order_id,customer_id,order_time\n"
            "1,a,2026-10-01 10:00:00\n2,b,2026-10-02 10:00:00\n3,c,2026-10-03 10:00:00\n"
        ),
        # order 2 has no payment row: after the join it has no amount
        "payments.csv": "order_id,payment_value\n1,10\n3,30\n",
    }
    orders = {
        "path": "orders.csv",
        "joins": [{"path": "payments.csv", "key": "order_id", "sum": ["payment_value"]}],
        "columns": {"payment_value": "paid_amount"},
    }
    config = write_shop(tmp_path, files, {"orders": orders})
    with pytest.raises(
        DataError,
        match=r"orders.csv, line 3, column paid_amount.*: the value is empty "
        r"\(1 without paid_amount\)",
    ):
        read_dataset(read_config(config)).check()
    config = write_shop(tmp_path, {}, {"orders": {**orders, "on_missing": "skip"}})
    ds = read_dataset(read_config(config))
    warnings = [p.message for p in ds.check() if not p.info]
    assert any("1 row(s) left out for an empty required value" in w for w in warnings)
    r = kpis(config, today=TODAY)
    assert r.metrics["paid_orders"].value == 2  # orders 1 and 3
    assert r.metrics["gmv"].value == pytest.approx(40.0)


def test_problems_come_in_file_order(tmp_path):
    text = (
        "order_id,customer_id,order_time,paid_amount\n"
        "1,a,2026-10-01 10:00:00,10\n"
        "2,b,2026-10-02 10:00:00,-5\n"  # line 3: negative
        "3,c,yesterday,20\n"  # line 4: not a time
    )
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    errors = [p.message for p in read_dataset(read_config(config)).problems() if p.error]
    assert "line 3" in errors[0] and "line 4" in errors[1]


def test_naive_times_beside_offsets_are_a_warning(tmp_path):
    text = (
        "order_id,customer_id,order_time,paid_amount\n"
        "1,a,2026-10-01 10:00:00 +0800,10\n2,b,2026-10-02 10:00:00,20\n"
        "3,c,2026-10-03 10:00:00 +0800,30\n"
    )
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    report = next(r for r in api.validate(config) if r.name == "orders")
    assert any("1 time(s) have no UTC offset beside 2 with one" in w for w in report.warnings)


def test_exclude_products_from_the_config(tmp_path):
    files = {
        "orders.csv": "order_id,customer_id,order_time,paid_amount\n1,a,2026-10-01 10:00:00,15\n",
        "items.csv": (
            "order_id,sku,quantity,unit_price\n1,SKU-1,1,10\n1,补运费专拍,1,5\n1,WRAP,1,0\n"
        ),
    }
    data = {
        "orders": {"path": "orders.csv"},
        "order_items": {"path": "items.csv"},
    }
    config = write_shop(tmp_path, files, data, exclude_products=["wrap"])
    products = {p["sku"]: p["gmv"] for p in kpis(config, today=TODAY).rows(S.PRODUCTS)}
    # 补运费专拍 is not in the default list (only 补邮费/邮费补拍 …); WRAP is excluded by the
    # config; the order's 15 splits 10 : 5 : 0 by line amounts
    assert products == pytest.approx({"SKU-1": 10.0, "补运费专拍": 5.0})


def preset_shop(tmp_path: Path, presets, *samples: str) -> Path:
    """A shop folder holding sample exports, with the minimal config: presets and data_dir."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in samples:
        shutil.copy(SAMPLES / name, tmp_path / name)
    return write_shop(tmp_path, {}, {}, preset=presets, data_dir=".")


def report_of(config: Path, month: str = "2024-05"):
    return kpis(config, month, today=date(2024, 6, 20))


def test_jd_export(tmp_path):
    # GB18030, the 30-column layout; order 81234567890 has two SKU rows repeating 应付金额 198.00
    config = preset_shop(tmp_path, "jd", "jd_orders_2016_gb18030.csv")
    m = report_of(config).metrics
    # the split parent "(删除)等待出库" and the 已取消 order are left out: one order of 198.00
    assert m["gmv"].value == pytest.approx(198.0)
    assert m["paid_orders"].value == 1
    assert m["units"].value == 2  # 保温杯 ×1 + 杯套 ×1
    config = preset_shop(tmp_path / "b", "jd", "jd_orders_2018_gb18030.csv")
    assert read_dataset(read_config(config)).frame("orders").collect().height > 0
    # a layout naming the payment time 付款时间: the same order, the same figure
    text = (SAMPLES / "jd_orders_2016_gb18030.csv").read_bytes().decode("gb18030")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "jd_orders.csv").write_bytes(
        text.replace("付款确认时间", "付款时间", 1).encode("gb18030")
    )
    config = write_shop(folder, {}, {}, preset="jd", data_dir=".")
    assert report_of(config).metrics["gmv"].value == pytest.approx(198.0)
    # neither name: an error naming both (and the look-alike), not a crash
    (folder / "jd_orders.csv").write_bytes(
        text.replace("付款确认时间", "支付时间", 1).encode("gb18030")
    )
    with pytest.raises(DataError, match="has none of the columns 付款确认时间, 付款时间"):
        kpis(config, "2024-05", today=date(2024, 6, 20), cache=False)


def test_douyin_export(tmp_path):
    # UTF-8 with BOM, ids behind a tab, "-" for empty; one row per 子订单
    config = preset_shop(tmp_path, "douyin", "douyin_orders_utf8bom.csv")
    ds = read_dataset(read_config(config))
    orders = ds.frame("orders").collect().sort("order_id")
    assert orders["order_id"].to_list() == [
        "6921834567890123451",
        "6921834567890123460",
        "6921834567890123470",
    ]
    # …460 has two 子订单: 69.80 and a gift at 0.00
    assert orders["paid_amount"].to_list() == [29.9, 69.8, 79.0]
    m = report_of(config).metrics
    assert m["gmv"].value == pytest.approx(29.9 + 69.8 + 79.0)
    # the 子订单 with 售后状态 退款成功 (79.00) is a refund
    assert m["refund_amount"].value == pytest.approx(79.0)


def test_pdd_export_in_gb18030(tmp_path):
    config = preset_shop(tmp_path, "pdd", "pdd_orders_gb18030.csv")
    m = report_of(config).metrics
    # 用户实付金额(元): 30.80 + 17.90 + 27.90
    assert m["gmv"].value == pytest.approx(76.6)
    assert m["paid_orders"].value == 3
    # 售后状态 退款成功: the 17.90 order
    assert m["refund_amount"].value == pytest.approx(17.9)
    # the third order's 订单成交时间 is empty: its time is the payment's
    orders = read_dataset(read_config(config)).frame("orders").collect().sort("order_id")
    assert orders["order_time"][2] == datetime(2024, 5, 5, 8, 1, 59)


def test_woocommerce_ga4_and_meta_together(tmp_path):
    config = preset_shop(
        tmp_path,
        ["woocommerce", "ga4-traffic", "meta-ads"],
        "woocommerce_aoe_orders.csv",
        "ga4_traffic_acquisition.csv",
        "meta_ads_daily.csv",
    )
    m = report_of(config).metrics
    # Completed 64.90 and Refunded 29.95 took money; Cancelled 19.95 did not
    assert m["gmv"].value == pytest.approx(94.85)
    assert m["paid_orders"].value == 2
    assert m["refund_amount"].value == pytest.approx(29.95)  # Order Refund Amount of #1043
    # GA4: 412 + 198 + 350 + 389 sessions (the export has no user column)
    assert m["visitors"].value == pytest.approx(1349)
    # Meta: per day and campaign, 62.10 + 18.45 + 25.00 spent; 189.70 + 131.80 purchase value
    assert m["spend"].value == pytest.approx(105.55)
    assert m["attributed_gmv"].value == pytest.approx(321.5)
    ds = read_dataset(read_config(config))
    marketing = ds.frame("marketing").collect().sort("date")
    assert marketing["channel"].to_list() == ["Spring Sale - Prospecting", "Retargeting - 30d"]
    assert marketing["clicks"].to_list() == [180.0, 88.0]  # 141 + 39 link clicks, 88


# an order every day from 1 September to 28 October, when the export was taken: ten a day in
# September (new buyers s1…s30), twenty a day in October (s1 again on the 1st, then o2…o28)
PARTIAL = "order_id,customer_id,order_time,paid_amount\n" + "".join(
    [f"9{d},s{d},2026-09-{d:02d} 10:00:00,10\n" for d in range(1, 31)]
    + [f"10{d},{'s1' if d == 1 else f'o{d}'},2026-10-{d:02d} 10:00:00,20\n" for d in range(1, 29)]
)


def test_a_month_the_data_ends_inside_is_compared_like_for_like(tmp_path):
    config = write_shop(tmp_path, {"orders.csv": PARTIAL}, {"orders": {"path": "orders.csv"}})
    r = kpis(config, today=TODAY)
    assert r.covered_until == date(2026, 10, 28)
    gmv = r.metrics["gmv"]
    assert gmv.value == pytest.approx(560.0)  # 28 days × 20
    # against 1–28 September (28 × 10), not the whole of September (300): +100%
    assert gmv.previous == pytest.approx(280.0)
    assert gmv.mom == pytest.approx(1.0)
    assert r.previous.end == date(2026, 9, 29)
    assert any("the data ends on 2026-10-28" in n.text for n in r.notes)
    assert r.to_dict()["period"]["covered_until"] == "2026-10-28"
    # the days after the data's end are blank in the daily trend, not zero
    daily = {d["date"]: d["gmv"] for d in r.rows(S.DAILY)}
    assert daily["2026-10-28"] == pytest.approx(20.0)
    assert daily["2026-10-29"] is None and daily["2026-10-31"] is None
    # a month the data covers whole is not marked
    assert kpis(config, "2026-09", today=TODAY).covered_until is None


def test_cohort_months_after_the_data_are_unknown_not_zero(tmp_path):
    from shopreport.metrics.period import year_period

    config = write_shop(tmp_path, {"orders.csv": PARTIAL}, {"orders": {"path": "orders.csv"}})
    # the year 2026 reported in January 2027: the data stopped on 28 October
    r = api.compute_kpis(read_config(config), year_period(2026), today=date(2027, 1, 20))
    cells = {
        (row["cohort"], row["k"]): row["customers"]
        for row in r.frame(S.COHORTS).iter_rows(named=True)
    }
    # September's cohort (s1…s30): s1 bought again in October; November and December are after
    # the data's last day (28 Oct), so they have no value
    assert cells[("2026-09", 1)] == 1
    assert cells[("2026-09", 2)] is None and cells[("2026-09", 3)] is None
    assert cells[("2026-10", 0)] == 27 and cells[("2026-10", 1)] is None  # o2…o28


def test_a_shop_selling_now_and_then_is_not_cut_short(tmp_path):
    # an order on the 3rd and the 20th: the 11 quiet days after the 20th are fewer than the 16
    # between the two orders, so the month is not taken as cut short
    text = (
        "order_id,customer_id,order_time,paid_amount\n"
        "1,a,2026-10-03 10:00:00,10\n2,b,2026-10-20 10:00:00,20\n"
    )
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    r = kpis(config, today=TODAY)
    assert r.covered_until is None
    assert {d["date"]: d["gmv"] for d in r.rows(S.DAILY)}["2026-10-31"] == 0.0


@pytest.mark.slow
def test_a_shopify_store_over_two_exports_builds_its_decks(shopify_store, tmp_path):
    """The minimal config (preset and data_dir) builds the monthly deck and its English form."""
    from pptx import Presentation

    out = tmp_path / "decks"
    for language in ("zh", "en"):
        (out / language).mkdir(parents=True)
        result = CliRunner().invoke(
            cli,
            [
                "build",
                "--config",
                str(shopify_store),
                "--month",
                "2026-10",
                "--out",
                str(out / language),
                "--lang",
                language,
            ],
        )
        assert result.exit_code == 0, result.output
        deck = next((out / language).glob("*.pptx"))
        shapes = [shape for slide in Presentation(str(deck)).slides for shape in slide.shapes]
        text = " ".join(
            [s.text_frame.text for s in shapes if s.has_text_frame]
            + [c.text for s in shapes if s.has_table for row in s.table.rows for c in row.cells]
        )
        assert "297" in text  # October's GMV (see the kpis test above)
        assert "退款日期为近似值" in text or "Refund dates are approximate" in text
        # orders count when placed: the appendix defines GMV so, and names Shopify, not 生意参谋
        assert "下单且未取消" in text or "orders placed in the period and not cancelled" in text
        assert "生意参谋" not in text
        # orders that are not paid (cash on delivery) are no "支付订单数" / "Paid orders", on the
        # slides or in the speaker notes' definitions
        assert "支付订单" not in text and "paid orders" not in text.lower()
        assert "订单数 " in text or "Orders " in text
        notes = " ".join(
            s.notes_slide.notes_text_frame.text for s in Presentation(str(deck)).slides
        )
        assert "订单数: " in notes or "Orders: " in notes  # the card's name, defined
        # the speaker notes define GMV as the appendix does
        assert "下单且未取消" in notes or "orders placed in the period and not cancelled" in notes
        assert "付款订单的实付金额" not in notes and "orders paid in the period" not in notes


def test_tables_stop_where_the_orders_stop(tmp_path):
    """One ¥100 order a day by a new buyer, 1 September to 20 October (the orders export
    stops there); traffic (100 visitors a day) and refunds (¥10 a day) run to 31 October.
    October is read to the 20th in every table: 2,000 visitors (not 3,100), conversion 20 ÷
    2,000 = 1.0 % like 1–20 September's (not 0.65 %), refunds ¥200 of ¥2,000 = 10 % (not
    15.5 %)."""

    def days(first: date, last: date) -> list[date]:
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    sold = days(date(2026, 9, 1), date(2026, 10, 20))
    exported = days(date(2026, 9, 1), date(2026, 10, 31))
    files = {
        "orders.csv": "order_id,customer_id,order_time,paid_amount\n"
        + "".join(f"o{d:%m%d},c{d:%m%d},{d} 10:00:00,100\n" for d in sold),
        "traffic.csv": "date,source,visitors\n" + "".join(f"{d},搜索,100\n" for d in exported),
        "refunds.csv": "order_id,refund_time,amount\n"
        + "".join(f"o{d:%m%d},{d} 12:00:00,10\n" for d in exported if d in sold)
        + "".join(f"o1020,{d} 12:00:00,10\n" for d in exported if d not in sold),
    }
    data = {name: {"path": f"{name}.csv"} for name in ("orders", "traffic", "refunds")}
    config = write_shop(tmp_path, files, data)
    report = kpis(config, today=TODAY)
    assert report.covered_until == date(2026, 10, 20)
    metrics = report.metrics
    assert (metrics["visitors"].value, metrics["visitors"].previous) == (2000, 2000)
    assert metrics["conversion"].value == pytest.approx(0.01)
    assert metrics["conversion"].previous == pytest.approx(0.01)
    assert metrics["refund_amount"].value == pytest.approx(200)
    assert metrics["refund_rate"].value == pytest.approx(0.10)
    # the shop diagnosis's monthly trend reads October as the report does: 20 ÷ 2,000
    from shopreport.metrics.period import parse_months
    from shopreport.metrics.review import compute_review

    ds = api.load(read_config(config))
    review = compute_review(ds, parse_months("2026-Q4"), date(2027, 1, 5))
    october = review.months.index("2026-10")
    assert review.trends["conversion"][october] == pytest.approx(0.01)  # not 20 ÷ 3,100


def test_an_order_dated_in_the_future_is_a_warning_not_the_data_end(tmp_path):
    """Orders every day 1 September – 20 October, then one dated 2062-10-09 on line 52 (a
    misread date). It made the data end in 2062: October's first 20 days were compared with
    all of September. It is a warning naming its line and column, and the data still ends
    on 20 October."""
    sold = [date(2026, 9, 1) + timedelta(days=i) for i in range(50)]  # to 20 October
    orders = (
        "order_id,customer_id,order_time,paid_amount\n"
        + "".join(f"o{i},c{i},{d} 10:00:00,100\n" for i, d in enumerate(sold))
        + "late,z,2062-10-09 20:23:00,100\n"
    )
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    report = kpis(config, today=TODAY)
    assert report.covered_until == date(2026, 10, 20)
    assert report.metrics["paid_orders"].previous == 20  # 1–20 September
    assert any("2062-10-09 20:23" in n.text for n in report.notes)
    (table,) = [t for t in api.validate(config) if t.name == "orders"]
    assert table.warnings == [
        f"{tmp_path / 'orders.csv'}, line 52, column order_time: 2062-10-09 20:23 is after "
        "today (1 such order(s)): a wrong clock or date format in the export. They are left "
        "out of where the data ends."
    ]
    later = run_cli("kpis", "--config", config, "--month", "2026-12")  # nor where sales end
    assert "the data has paid orders from 2026-09-01 to 2026-10-20. Choose" in later.err
    built = run_cli("build", "--config", config, "--month", "2026-10", "--out", tmp_path / "d.pptx")
    assert built.code == 0, built.err
    assert built.err.strip().splitlines()[-1] == (
        "Warning: orders: 1 order(s) are dated after today (e.g. 2062-10-09 20:23): a wrong "
        "clock or date format in the export"
    )


def test_a_month_missing_from_the_orders_is_no_month_without_sales(tmp_path):
    """Orders of April and June 2026 (one ¥100 order a day), none of May; traffic every day.
    June read "no sales last month" and "buyers ▲30": May is unknown, not zero, and said so;
    a May report names the missing export instead of "choose a month inside that range"."""
    days = [date(2026, 4, 1) + timedelta(days=i) for i in range(91)]  # April – June
    sold = [d for d in days if d.month != 5]
    files = {
        "orders.csv": "order_id,customer_id,order_time,paid_amount\n"
        + "".join(f"o{d:%m%d},c{d:%m%d},{d} 10:00:00,100\n" for d in sold),
        "traffic.csv": "date,source,visitors\n" + "".join(f"{d},搜索,100\n" for d in days),
    }
    config = write_shop(
        tmp_path, files, {name: {"path": f"{name}.csv"} for name in ("orders", "traffic")}
    )
    june = kpis(config, month="2026-06", today=TODAY)
    assert june.metrics["gmv"].value == 3000 and june.metrics["gmv"].previous is None
    assert june.metrics["buyers"].mom is None
    assert any(n.code == "orders_gap" and n.params["period"] == "2026-05" for n in june.notes)
    may = run_cli("build", "--config", config, "--month", "2026-05", "--out", tmp_path / "m.pptx")
    assert may.code == 1 and not (tmp_path / "m.pptx").exists()
    assert "the data has paid orders before and after it (2026-04-01 to 2026-06-30), so that " in (
        may.err
    )
    assert "month's orders export looks missing" in may.err


def test_a_month_missing_between_months_that_sold_is_unknown_without_other_tables(tmp_path):
    """Orders only (no traffic): ¥100 a day in April and June 2026, none in May. June's
    previous month is unknown, not ¥0 ("上月无成交", buyers "环比 ▲30"); a week without orders
    is a week without sales (W23, 1–7 June, against W22, 25–31 May: no note, previous 0)."""
    days = [date(2026, 4, 1) + timedelta(days=i) for i in range(91)]
    files = {
        "orders.csv": "order_id,customer_id,order_time,paid_amount\n"
        + "".join(f"o{d:%m%d},c{d:%m%d},{d} 10:00:00,100\n" for d in days if d.month != 5),
    }
    config = write_shop(tmp_path, files, {"orders": {"path": "orders.csv"}})
    june = kpis(config, month="2026-06", today=TODAY)
    assert june.metrics["gmv"].value == 3000 and june.metrics["gmv"].previous is None
    assert june.metrics["buyers"].mom is None
    assert [n.params["period"] for n in june.notes if n.code == "orders_hole"] == ["2026-05"]
    (table,) = [t for t in api.validate(config) if t.name == "orders"]
    assert table.warnings == [
        "no paid order in 2026-05, between months that have them: an export left out? Reports "
        "compare nothing with such a month."
    ]
    week = api.compute_kpis(read_config(config), week_period(2026, 23), today=TODAY)
    assert week.metrics["gmv"].value == 700 and week.metrics["gmv"].previous == 0
    assert not [n for n in week.notes if n.code in ("orders_hole", "orders_gap")]


def test_a_weekly_traffic_export_is_spread_over_its_days(tmp_path):
    files = {
        # orders to 11 October, where the traffic export ends (beyond the orders' last day the
        # other tables are left out: `test_tables_stop_where_the_orders_stop`)
        "orders.csv": "order_id,customer_id,order_time,paid_amount\n"
        "1,a,2026-10-01 10:00:00,10\n2,b,2026-10-11 10:00:00,10\n",
        # one row per week and source, dated by the week's Monday
        "traffic.csv": "week,source,visitors\n2026-09-28,搜索,700\n2026-10-05,搜索,1400\n",
    }
    data = {
        "orders": {"path": "orders.csv"},
        "traffic": {
            "path": "traffic.csv",
            "days_per_row": 7,
            "columns": {"week": "date", "source": "source", "visitors": "visitors"},
        },
    }
    config = write_shop(tmp_path, files, data)
    r = kpis(config, today=TODAY)
    # October holds 4 days of the first week (1–4 Oct: 4 × 100) and all 7 of the second (1400)
    assert r.metrics["visitors"].value == pytest.approx(1800.0)
    assert any("spread evenly" in n.text for n in r.notes)


def test_day_first_in_one_file_decides_the_table(tmp_path):
    header = "order_id,customer_id,order_time,paid_amount\n"
    files = {
        "o/week1.csv": header + "1,a,02/10/2026 10:00,10\n2,b,05/10/2026 10:00,20\n",
        "o/week3.csv": header + "3,c,20/10/2026 10:00,30\n",  # 20 can only be a day
    }
    (tmp_path / "o").mkdir()
    config = write_shop(tmp_path, files, {"orders": {"path": "o/*.csv"}})
    times = read_dataset(read_config(config)).frame("orders").collect().sort("order_id")
    assert times["order_time"].dt.day().to_list() == [2, 5, 20]  # all read day first
    assert times["order_time"].dt.month().to_list() == [10, 10, 10]


def test_dash_dates_are_not_taken_for_offsets(tmp_path):
    text = "order_id,customer_id,order_time,paid_amount\n1,a,13-10-2026,10\n2,b,02-10-2026,20\n"
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    report = next(r for r in api.validate(config) if r.name == "orders")
    assert not report.errors
    assert not any("UTC offsets" in r for r in report.rules)
    assert "dates read as day/month/year" in " ".join(report.rules)


def test_refunds_in_two_monthly_exports_are_both_kept(tmp_path):
    header = "order_id,refund_time,amount\n"
    files = {
        "orders.csv": "order_id,customer_id,order_time,paid_amount\nA1,a,2026-09-20 10:00:00,100\n",
        "r/2026-09.csv": header + "A1,2026-09-25 10:00:00,30\n",
        "r/2026-10.csv": header + "A1,2026-10-05 10:00:00,40\n",
    }
    (tmp_path / "r").mkdir()
    data = {"orders": {"path": "orders.csv"}, "refunds": {"path": "r/*.csv"}}
    config = write_shop(tmp_path, files, data)
    refunds = read_dataset(read_config(config)).frame("refunds").collect()
    assert sorted(refunds["amount"].to_list()) == [30.0, 40.0]  # two refunds of one order


def test_blank_headers_of_empty_columns_are_not_duplicates(tmp_path):
    text = "order_id,customer_id,order_time,paid_amount,,\n1,a,2026-10-01 10:00:00,10,,\n"
    config = write_shop(tmp_path, {"orders.csv": text}, {"orders": {"path": "orders.csv"}})
    assert read_dataset(read_config(config)).frame("orders").collect().height == 1


def test_refunds_read_from_the_orders_export_cover_what_it_covers(tmp_path):
    """Shopify's refunds are rows of its orders export: the first refund (20 September) is no
    start of a refunds export seven weeks after the orders' first day (1 August). October's
    previous refunds are September's ¥10, not unknown."""
    orders = (
        "order_id,customer_id,order_time,paid_amount,refunded\n"
        "1,a,2026-08-01 10:00:00,100,0\n"
        "2,b,2026-09-20 10:00:00,100,10\n"
        "3,c,2026-10-31 10:00:00,100,0\n"
    )
    config = write_shop(
        tmp_path,
        {"orders.csv": orders},
        {
            "orders": {"path": "orders.csv", "columns": {"refunded": None}},
            "refunds": {
                "path": "orders.csv",
                "filter": [{"column": "refunded", "op": "gt", "value": 0}],
                "columns": {
                    "order_time": "refund_time",
                    "refunded": "amount",
                    "customer_id": None,
                    "paid_amount": None,
                },
            },
        },
    )
    report = kpis(config)
    refunds = report.metrics["refund_amount"]
    assert (refunds.value, refunds.previous) == (0, 10)
    assert not [n for n in report.notes if n.code == "table_starts"]


def test_months_without_sales_are_missing_exports_in_short_runs_only(tmp_path):
    """Runs of up to three months without a paid order between months that sold are exports
    left out; a longer run is a shop at rest. April and July 2026 sold, May and June did not:
    July's previous month is unknown. March 2025 sold, then nothing until March 2026: April
    2026's same month last year (a dormant April 2025) sold nothing, it is no missing export."""
    from shopreport.metrics.period import month_holes

    assert month_holes({"2026-01", "2026-04", "2026-05"}) == {"2026-02", "2026-03"}
    assert month_holes({"2026-01", "2026-06"}) == set()  # four months: at rest
    days = [date(2026, 4, 1) + timedelta(days=i) for i in range(122)]  # April – July
    orders = "order_id,customer_id,order_time,paid_amount\n" + "".join(
        f"o{d:%m%d},c{d:%m%d},{d} 10:00:00,100\n" for d in days if d.month in (4, 7)
    )
    config = write_shop(tmp_path, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    july = kpis(config, month="2026-07", today=TODAY)
    assert july.metrics["gmv"].previous is None
    assert [n.params["period"] for n in july.notes if n.code == "orders_hole"] == ["2026-06"]
    (table,) = [t for t in api.validate(config) if t.name == "orders"]
    assert "no paid order in 2026-05, 2026-06, between months" in table.warnings[0]
    dormant = tmp_path / "dormant"
    dormant.mkdir()
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(31)]
    days += [date(2026, 3, 1) + timedelta(days=i) for i in range(61)]  # March – April 2026
    orders = "order_id,customer_id,order_time,paid_amount\n" + "".join(
        f"o{d:%y%m%d},c{d:%y%m%d},{d} 10:00:00,100\n" for d in days
    )
    config = write_shop(dormant, {"orders.csv": orders}, {"orders": {"path": "orders.csv"}})
    april = kpis(config, month="2026-04", today=TODAY)
    assert april.metrics["gmv"].last_year == 0
    assert not [n for n in april.notes if n.code == "orders_hole"]
