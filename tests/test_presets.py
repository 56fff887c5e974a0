"""Each preset reads its export: real samples from ../shared/data where there are some,
realistic samples under tests/samples for the others. Expected values worked out by hand."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from shopreport import api
from shopreport.config import preset_names, read_config
from shopreport.errors import ConfigError
from tests.conftest import run_cli, write_shop

SAMPLES = Path(__file__).resolve().parent / "samples"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def report(config, month):
    return api.compute_kpis(read_config(config), month)


def test_presets_shipped():
    assert preset_names() == [
        "douyin",
        "ga4-traffic",
        "jd",
        "meta-ads",
        "olist",
        "online-retail",
        "pdd",
        "shopify",
        "sycm-traffic",
        "taobao-behavior",
        "taobao-orders",
        "woocommerce",
    ]


def test_unknown_preset_suggests_one(tmp_path):
    config = write_shop(tmp_path, {}, {}, preset="shopfy")
    with pytest.raises(
        ConfigError, match="'shopfy' is neither a preset nor a file. Did you mean 'shopify'"
    ):
        read_config(config)


def test_taobao_orders_gbk_export_with_refund_report(tmp_path):
    # 4 orders: 2 paid in October (¥1,199.00 with a ￥ and a thousands separator; ¥97.90, whose
    # 买家实际支付金额 reads 8.00 after its ¥89.90 refund, 退款金额 89.90), one closed unpaid,
    # one paid at 00:00:12 on 1 November; the refund of ¥89.90 on 10-06 in the 退款报表.
    config = write_shop(tmp_path, {}, {}, preset="taobao-orders", data_dir=str(SAMPLES))
    r = report(config, "2026-10")
    assert r.metrics["gmv"].value == pytest.approx(1296.90)
    assert r.metrics["paid_orders"].value == 2 and r.metrics["buyers"].value == 2
    assert r.metrics["refund_amount"].value == pytest.approx(89.90)
    provinces = {p["province"]: p["gmv"] for p in r.breakdowns["by_province"].to_dicts()}
    assert provinces == {"浙江": 1199.0, "广东": 97.9}  # "浙江省 杭州市 西湖区 …" split, 省 dropped
    ds = api.load(read_config(config))
    ids = ds.frame("orders").select("order_id").collect()["order_id"].to_list()
    assert "0012345678901234569" in ids  # ="…" kept the leading zeros


REFUND_REPORT_HEADERS = (
    "退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,宝贝标题,"
    "买家退款金额,手工退款/系统退款,是否需要退货,退款的申请时间,退款状态,货物状态,发货物流信息,"
    "客服介入状态,卖家真实姓名,买家退款原因,买家退款说明,部分退款/全部退款"
)


def test_taobao_refund_report_in_its_current_layout(tmp_path):
    """ExportRefundList with the 退款报表's own headers (买家退款金额, 买家退款原因, 退款状态): of
    the order ending 568, ¥89.90 went back on 10-06 (退款成功); a ¥8.00 request was refused
    (退款关闭) and one of ¥5.00 is still waiting (no 退款完结时间): neither is a refund, so
    refunds are ¥89.90 and the waiting one's empty time is no error."""
    (tmp_path / "淘宝订单报表_2026-10.csv").write_bytes(
        (SAMPLES / "淘宝订单报表_2026-10.csv").read_bytes()
    )
    rows = [
        'R1,="3312345678901234568",T1,2026/10/02 21:16,,2026/10/06 10:30,97.90,开衫,89.90,'
        ",,2026/10/05 9:00,退款成功,已收到货,,,,尺码不合适,,部分退款",
        'R2,="3312345678901234568",T1,2026/10/02 21:16,,2026/10/08 10:30,97.90,开衫,8.00,'
        ",,2026/10/07 9:00,退款关闭,已收到货,,,,运费,,部分退款",
        'R3,="3312345678901234567",T2,2026/10/01 10:00,,,1199.00,外套,5.00,'
        ",,2026/10/30 9:00,买家已经申请退款，等待卖家同意,未收到货,,,,少件,,部分退款",
    ]
    text = "\n".join([REFUND_REPORT_HEADERS, *rows]) + "\n"
    (tmp_path / "ExportRefundList202611.csv").write_bytes(text.encode("gb18030"))
    config = write_shop(tmp_path, {}, {}, preset="taobao-orders", data_dir=str(tmp_path))
    r = report(config, "2026-10")
    assert r.metrics["refund_amount"].value == pytest.approx(89.90)
    assert r.metrics["refunded_orders"].value == 1
    reasons = r.breakdowns["refunds_by_reason"].to_dicts()
    assert [(x["reason"], x["amount"]) for x in reasons] == [("尺码不合适", pytest.approx(89.90))]


def test_a_refund_in_two_overlapping_refund_reports_counts_once(tmp_path):
    """Two downloads of the 退款报表 whose dates overlap: R1 (¥89.90) is in both, its reason
    edited by the buyer in between (尺码不合适 → 尺码偏小), so the rows differ; by its 退款编号
    it is one refund, as the newest file has it. With R4 (¥20.00, newer file only): ¥109.90
    from 2 refunds, not ¥199.80 from 3."""
    import os

    (tmp_path / "淘宝订单报表_2026-10.csv").write_bytes(
        (SAMPLES / "淘宝订单报表_2026-10.csv").read_bytes()
    )
    r1 = (
        'R1,="3312345678901234568",T1,2026/10/02 21:16,,2026/10/06 10:30,97.90,开衫,89.90,'
        ",,2026/10/05 9:00,退款成功,已收到货,,,,{reason},,部分退款"
    )
    r4 = (
        'R4,="3312345678901234567",T2,2026/10/01 10:00,,2026/10/20 10:30,1199.00,外套,20.00,'
        ",,2026/10/19 9:00,退款成功,未收到货,,,,少件,,部分退款"
    )
    files = {
        "ExportRefundList20261010.csv": [r1.format(reason="尺码不合适")],
        "ExportRefundList20261101.csv": [r1.format(reason="尺码偏小"), r4],
    }
    for i, (name, rows) in enumerate(files.items()):
        path = tmp_path / name
        path.write_bytes(("\n".join([REFUND_REPORT_HEADERS, *rows]) + "\n").encode("gb18030"))
        os.utime(path, (1_790_000_000 + i * 100, 1_790_000_000 + i * 100))  # the second newer
    config = write_shop(tmp_path, {}, {}, preset="taobao-orders", data_dir=str(tmp_path))
    r = report(config, "2026-10")
    assert r.metrics["refund_amount"].value == pytest.approx(109.90)
    assert r.metrics["refunded_orders"].value == 2
    reasons = {x["reason"]: x["amount"] for x in r.breakdowns["refunds_by_reason"].to_dicts()}
    assert reasons == {"尺码偏小": pytest.approx(89.90), "少件": pytest.approx(20.00)}
    from tests.conftest import run_cli

    out = " ".join(run_cli("validate", "--config", config).out.split())
    assert "a refund found in several files counts once by its id (退款编号)" in out
    # a refund without its 退款编号 (¥5.00 in the older file, ¥7.00 in the newer) is no repeat
    # of another blank one: ¥109.90 + ¥12.00 = ¥121.90 from 4 refunds
    for i, (name, amount) in enumerate((("20261010", "5.00"), ("20261101", "7.00"))):
        path = tmp_path / f"ExportRefundList{name}.csv"
        blank = r4.replace("R4,", ",").replace(",20.00,", f",{amount},")
        path.write_bytes(path.read_bytes() + (blank + "\n").encode("gb18030"))
        os.utime(path, (1_790_000_000 + i * 100, 1_790_000_000 + i * 100))
    r = api.compute_kpis(read_config(config), "2026-10", cache=False)
    assert r.metrics["refund_amount"].value == pytest.approx(121.90)


def test_taobao_orders_on_the_tmall_order_report(shared_data):
    # tmall_order_report.csv, worked out with the csv module: 24,081 orders paid in February
    # 2020 (6 more on 1 March are March's). 买家实际支付金额 is net of 退款金额 (5,132 paid
    # orders read 0.00 after a full refund); the amount paid is their sum, 2,474,347.07 — the
    # 总金额 of those orders to the cent — not the 1,902,189.15 left after refunds.
    r = report(EXAMPLES / "tmall-order-report.yaml", "2020-02")
    assert r.metrics["gmv"].value == pytest.approx(2_474_347.07)
    assert r.metrics["paid_orders"].value == 24_081
    provinces = {p["province"]: p["gmv"] for p in r.breakdowns["by_province"].to_dicts()}
    assert provinces["上海"] == pytest.approx(326_457.79)  # 3,060 orders
    # 收货地址 holds the province only: no city (it gave one empty city at 100%, and its tier
    # 其他 at 100%)
    assert "by_city" not in r.breakdowns and "by_city_tier" not in r.breakdowns


def test_validate_prints_the_preset_rules_and_the_headers_behind_them(shared_data):
    from tests.conftest import run_cli

    out = run_cli("validate", "--config", EXAMPLES / "tmall-order-report.yaml").out
    assert out.startswith("preset taobao-orders:\n  淘宝/天猫 卖家中心 订单报表")
    assert "The amount paid is 买家实际支付金额 + 退款金额" in " ".join(out.split())
    assert "read as: an order counts when paid (订单付款时间)" in out
    assert "read as: GMV is the amount paid (买家实际支付金额 + 退款金额)" in out
    # online-retail: no pay time and no status, the invoice's lines summed
    out = run_cli("validate", "--config", EXAMPLES / "online-retail.yaml").out
    assert "every order counts, at its order time (InvoiceDate)" in out
    assert "GMV is the amount paid (Quantity × UnitPrice, summed per InvoiceNo)" in out
    # a line without a customer is a guest of its invoice (it read "CustomerID → customer_id")
    assert "CustomerID, else guest- + InvoiceNo → customer_id" in out


def test_sycm_traffic_title_rows_and_percentages(tmp_path):
    (tmp_path / "o.csv").write_text(
        # orders to 10-02, where the traffic export ends
        "order_id,customer_id,order_time,paid_amount\n1,a,2026-10-01 10:00:00,10\n"
        "2,b,2026-10-02 10:00:00,10\n"
    )
    config = write_shop(
        tmp_path, {}, {"orders": {"path": "o.csv"}}, preset="sycm-traffic", data_dir=str(SAMPLES)
    )
    r = report(config, "2026-10")
    # 1,200 + 800 + 500 on 10-01, 1,000 and a "-" on 10-02; cart 130 + 70 + 55 + 110
    assert r.metrics["visitors"].value == 3500
    assert r.metrics["cart_visitors"].value == 365
    sources = {s["source"]: s["visitors"] for s in r.breakdowns["by_source"].to_dicts()}
    assert sources == {"淘内免费": 3000, "付费流量": 500}


def test_olist(shared_data, tmp_path):
    config = write_shop(
        tmp_path, {}, {}, preset="olist", data_dir=str(shared_data / "olist" / "subset_2017_10k")
    )
    r = report(config, "2017-11")
    assert r.metrics["gmv"].value == pytest.approx(268_433.08)  # payments summed per order
    assert r.metrics["buyers"].value == 1696  # customer_unique_id


def test_online_retail(shared_data, tmp_path):
    # November 2011, worked out from the CSV with the csv module: invoices without C, lines with
    # quantity and price above zero; guests count once per invoice. The preset reads a slice of
    # the export (August's and November's lines, as a user would export them); the whole file is
    # read by the slow example-deck test.
    with gzip.open(
        shared_data / "uci-online-retail" / "online_retail.csv.gz", "rt", encoding="utf-8"
    ) as src:
        months = (",2011-08-", ",2011-11-")
        lines = [line for i, line in enumerate(src) if i == 0 or any(m in line for m in months)]
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "online_retail_2011.csv").write_text("".join(lines), encoding="utf-8")
    config = write_shop(tmp_path, {}, {}, preset="online-retail", data_dir=str(tmp_path / "export"))
    r = report(config, "2011-11")
    assert r.metrics["gmv"].value == pytest.approx(1_509_496.33)
    assert r.metrics["paid_orders"].value == 2769
    assert r.metrics["buyers"].value == 1776
    # C-invoices of November, 47,740.08, less the fees the shop paid: AMAZONFEE 14,163.40,
    # CRUK 3,393.33, BANK CHARGES 517.27
    assert r.metrics["refund_amount"].value == pytest.approx(29_666.08)
    # 754,507 units less the 4,425 of lines whose stock code is not goods (POST, DOT, M …)
    assert r.metrics["units"].value == 750_082
    skus = {p["sku"] for p in r.breakdowns["products"].to_dicts()}
    assert not skus & {"POST", "DOT", "C2", "M"}
    # August: A563185, a bad-debt adjustment of +11,062.06, is no order (759,138.38 with it)
    assert report(config, "2011-08").metrics["gmv"].value == pytest.approx(748_076.32)


def test_shopify_line_items_become_orders(shared_data, tmp_path):
    export = shared_data / "shopify-orders" / "explorer_us_orders_export_1.redacted.csv"
    config = write_shop(
        tmp_path,
        {},
        {t: {"path": str(export)} for t in ("orders", "order_items", "products")},
        preset="shopify",
        timezone="America/New_York",
    )
    ds = api.load(read_config(config))
    assert ds.frame("orders").collect().height == 81  # 98 rows, 17 continuation rows
    # 98 line rows; one is a Tip ($2.50), not merchandise: it takes its share of its order's
    # Total and stays out of the products
    assert ds.frame("order_items").collect().height == 98
    products = ds.frame("products").collect()["sku"].to_list()
    # the variants "Black R Helper Hoodie - L", "- M", "- S", "- XL", "- XXL" are one product
    assert "Black R Helper Hoodie" in products
    assert not any(p.startswith("Black R Helper Hoodie -") for p in products)
    assert "Tip" not in products


def test_taobao_behavior_has_no_amounts(shared_data, tmp_path):
    config = write_shop(
        tmp_path,
        {},
        {},
        preset="taobao-behavior",
        data_dir=str(shared_data / "taobao-userbehavior"),
    )
    r = report(config, "2017-11")
    assert r.metrics["visitors"].value == 58_732  # SOURCE.md: distinct users
    # 2,144 buy events, of which a user's buys in one second are one order (a cart paid at
    # once): 2,111 orders, and 40 buyers with two or more (72 counting buy events); counted
    # in DuckDB on the raw file
    assert r.metrics["paid_orders"].value == 2_111
    assert r.metrics["buyers"].value == 2_071
    assert r.metrics["repurchase_rate"].value == pytest.approx(40 / 2_071)
    assert r.metrics["gmv"].unavailable == "orders have no amounts"
    assert r.metrics["aov"].value is None
    # the breakdowns do not show the unknown GMV as ¥0 either
    assert r.breakdowns["monthly"].select("gmv", "orders").rows() == [(None, 2_111)]
    daily = r.breakdowns["daily"]
    assert daily["gmv"].to_list() == [None] * 30  # no day's GMV is ¥0 (1–25 read 0.0)
    # the sample's one day, 2017-11-26: the days before and after it are outside the data
    assert daily["orders"].to_list() == [None] * 25 + [2_111] + [None] * 4
    assert r.breakdowns["new_vs_returning"]["gmv"].to_list() == [None]
    assert "rfm" not in r.breakdowns  # M is the buyer's spend (it gave 8 segments of 0)
    # `validate` says so, not "GMV is the amount paid (paid_amount)" of a column it lacks
    result = run_cli("validate", "--config", config)
    assert "GMV and AOV are unavailable: the orders have no amount" in result.out
    assert "GMV is the amount paid" not in result.out
    assert 'columns: user_id + "-" + timestamp, one row per value → order_id,' in result.out
