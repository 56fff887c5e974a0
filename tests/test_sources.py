"""Reading real file formats through the mapping, and the errors of the data contract."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
import yaml

from shopreport.config import read_config
from shopreport.errors import ConfigError, DataError
from shopreport.sources.dataset import read_dataset
from tests.conftest import run_cli, write_shop

TAOBAO_HEADER = "订单编号,买家会员名,买家实际支付金额 ,订单创建时间,订单付款时间 ,收货地址\n"
TAOBAO_ROWS = [
    '3012345678901234567,小王,"￥1,234.50",2026/10/01 8:03,2026/10/01 8:05:09,广东省\n',
    "0012345678901234568,小李,-,2026/10/02 9:00,,上海\n",
    "3012345678901234569,小王,９９.５,2026-10-03 10:00:00,2026-10-03 10:00:30,浙江省\n",
]
TAOBAO_MAPPING = {
    "订单编号": "order_id",
    "买家会员名": "customer_id",
    "买家实际支付金额": "paid_amount",
    "订单创建时间": "order_time",
    "订单付款时间": "pay_time",
    "收货地址": "province",
}


def orders_of(config_path) -> pl.DataFrame:
    """The typed orders table of a config."""
    return read_dataset(read_config(config_path)).frame("orders").collect()


def test_gbk_export_with_chinese_headers(tmp_path):
    (tmp_path / "orders.csv").write_bytes((TAOBAO_HEADER + "".join(TAOBAO_ROWS)).encode("gbk"))
    config = write_shop(
        tmp_path,
        {},
        {"orders": {"path": "orders.csv", "encoding": "gbk", "columns": TAOBAO_MAPPING}},
    )
    orders = orders_of(config)
    # 19-digit ids stay exact strings, leading zeros included
    assert orders["order_id"].to_list() == [
        "3012345678901234567",
        "0012345678901234568",
        "3012345678901234569",
    ]
    assert orders["paid_amount"].to_list() == [1234.5, None, 99.5]  # ￥, thousands, "-", full-width
    assert orders["order_time"][0] == datetime(2026, 10, 1, 8, 3)
    assert orders["pay_time"].to_list()[1] is None
    assert orders["pay_time"][2] == datetime(2026, 10, 3, 10, 0, 30)
    assert orders["customer_id"][0] == "小王"


def test_excel_with_title_rows(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    book = xlsxwriter.Workbook(tmp_path / "orders.xlsx")
    sheet = book.add_worksheet("订单报表")
    sheet.write_row(0, 0, ["淘宝订单报表 2026年10月"])
    sheet.write_row(2, 0, ["订单编号", "买家会员名", "买家实际支付金额", "订单创建时间"])
    sheet.write_row(3, 0, ["3012345678901234567", "小王", 12.5, "2026-10-01 08:00:00"])
    sheet.write_row(4, 0, ["0000123", "小李", "¥1,000", "2026/10/02 9:30"])
    book.close()
    config = write_shop(
        tmp_path,
        {},
        {
            "orders": {
                "path": "orders.xlsx",
                "sheet": "订单报表",
                "header_row": 2,
                "columns": {
                    "订单编号": "order_id",
                    "买家会员名": "customer_id",
                    "买家实际支付金额": "paid_amount",
                    "订单创建时间": "order_time",
                },
            }
        },
    )
    orders = orders_of(config)
    assert orders["order_id"].to_list() == ["3012345678901234567", "0000123"]
    assert orders["paid_amount"].to_list() == [12.5, 1000.0]
    assert orders["order_time"][1] == datetime(2026, 10, 2, 9, 30)


def test_parquet_and_glob_of_csv_files(tmp_path):
    pl.DataFrame(
        {
            "order_id": ["p1"],
            "customer_id": ["a"],
            "order_time": [datetime(2026, 10, 1)],
            "paid_amount": [5.0],
        }
    ).write_parquet(tmp_path / "orders.parquet")
    config = write_shop(
        tmp_path,
        {
            "orders_1.csv": "order_id,customer_id,order_time,paid_amount\n"
            "c1,a,2026-10-01 10:00:00,1\n",
            "orders_2.csv": "order_id,customer_id,order_time,paid_amount\n"
            "c2,b,2026-10-02 10:00:00,2\n",
        },
        {"orders": {"path": "orders_*.csv"}},
    )
    assert sorted(orders_of(config)["order_id"].to_list()) == ["c1", "c2"]
    config = write_shop(tmp_path, {}, {"orders": {"path": "orders.parquet"}})
    assert orders_of(config)["paid_amount"].to_list() == [5.0]


def test_tsv_and_times_with_offsets(tmp_path):
    # Shopify writes the store's local time with its offset: 09:00 at UTC-4
    files = {
        "orders.tsv": (
            "order_id\tcustomer_id\torder_time\tpaid_amount\ns1\ta\t2026-10-01 09:00:00 -0400\t10\n"
        )
    }
    data = {"orders": {"path": "orders.tsv"}}
    # no time zone in the config: the wall time written is the shop's time
    assert orders_of(write_shop(tmp_path, files, data))["order_time"][0] == datetime(
        2026, 10, 1, 9, 0
    )
    # a time zone set: converted, 13:00 UTC is 21:00 in Shanghai (UTC+8)
    config = write_shop(tmp_path, files, data, timezone="Asia/Shanghai")
    assert orders_of(config)["order_time"][0] == datetime(2026, 10, 1, 21, 0)


def test_joins_sum_many_rows_per_key(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": "id,buyer,created\nA,x,2026-10-01 10:00:00\nB,y,2026-10-02 10:00:00\n",
            "payments.csv": "id,value\nA,10\nA,5.5\nB,7\n",
        },
        {
            "orders": {
                "path": "orders.csv",
                "joins": [{"path": "payments.csv", "key": "id", "sum": ["value"]}],
                "columns": {
                    "id": "order_id",
                    "buyer": "customer_id",
                    "created": "order_time",
                    "value": "paid_amount",
                },
            }
        },
    )
    orders = orders_of(config).sort("order_id")
    assert orders["paid_amount"].to_list() == [15.5, 7.0]


def test_derived_sum_counts_a_blank_as_zero_and_leaves_out_a_header_the_file_lacks(tmp_path):
    # A: 8 paid after a 89.9 refund; B: no refund (blank); C: both blank (an unpaid order)
    config = write_shop(
        tmp_path,
        {
            "orders.csv": "id,buyer,time,paid,net,refund\n"
            "A,x,2026-10-01 10:00:00,2026-10-01 10:01:00,8.00,89.90\n"
            "B,y,2026-10-02 10:00:00,2026-10-02 10:01:00,20,\n"
            "C,z,2026-10-03 10:00:00,,,\n"
        },
        {
            "orders": {
                "path": "orders.csv",
                "derive": {"amount": {"add": ["net", "refund", "coupon"]}},  # no coupon column
                "columns": {
                    "id": "order_id",
                    "buyer": "customer_id",
                    "time": "order_time",
                    "paid": "pay_time",
                    "amount": "paid_amount",
                },
            }
        },
    )
    orders = orders_of(config).sort("order_id")
    assert orders["paid_amount"].to_list() == [pytest.approx(97.9), 20.0, None]
    # a value that is no number is an error naming it, not a 0 added in
    text = (tmp_path / "orders.csv").read_text().replace(",20,", ",九十九,")
    (tmp_path / "orders.csv").write_text(text)
    bad = r"orders.csv, line 3, column paid_amount \(amount\): '九十九' is not a number"
    with pytest.raises(DataError, match=bad):
        check(config)
    # the first part is the amount itself: an export without it is an error, not a GMV of 0
    raw = yaml.safe_load(config.read_text())
    raw["data"]["orders"]["derive"]["amount"]["add"][0] = "nett"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(DataError, match="has no column 'nett'. Did you mean 'net'?"):
        check(config)


def check(config_path):
    """Read and check a config's data the way every command does."""
    read_dataset(read_config(config_path)).check()


def test_missing_required_column(tmp_path):
    config = write_shop(
        tmp_path,
        {"orders.csv": "订单编号,买家,时间\n1,a,2026-10-01\n"},
        {"orders": {"path": "orders.csv"}},
    )
    with pytest.raises(DataError) as err:
        check(config)
    message = err.value.message
    assert "orders.csv" in message and "order_id, customer_id, order_time, paid_amount" in message
    assert "data.orders.columns" in message and "订单编号" in message
    # no header looks like order_id: a placeholder, not the first header (`订单编号: order_id`
    # would be right here, but `order_id: customer_id` is what the first header gave elsewhere)
    assert "(`<the file's header>: order_id`)" in message
    config = write_shop(
        tmp_path,
        {"orders.csv": "order_id,customer_id,order_time,Paid Amount\n1,a,2026-10-01,9\n"},
        {"orders": {"path": "orders.csv"}},
    )
    with pytest.raises(DataError, match="`Paid Amount: paid_amount`"):  # the one that looks alike
        check(config)
    config = write_shop(  # order_time is taken: not offered for order_id, though it looks alike
        tmp_path,
        {"orders.csv": "customer_id,order_time,paid_amount\na,2026-10-01,9\n"},
        {"orders": {"path": "orders.csv"}},
    )
    with pytest.raises(DataError, match="`<the file's header>: order_id`"):
        check(config)


def test_mapping_names_a_header_the_file_lacks(tmp_path):
    config = write_shop(
        tmp_path,
        {"orders.csv": "订单编号,买家,时间,金额\n1,a,2026-10-01,1\n"},
        {
            "orders": {
                "path": "orders.csv",
                "columns": {
                    "订单编码": "order_id",
                    "买家": "customer_id",
                    "时间": "order_time",
                    "金额": "paid_amount",
                },
            }
        },
    )
    with pytest.raises(DataError, match="names the column '订单编码'.*Did you mean '订单编号'"):
        check(config)


def test_bad_value_names_file_line_and_column(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": (
                "order_id,customer_id,order_time,金额\n"
                "1,a,2026-10-01 10:00:00,10\n"
                "2,b,2026-10-01 11:00:00,12\n"
                "3,c,2026-10-01 12:00:00,abc\n"
            )
        },
        {"orders": {"path": "orders.csv", "columns": {"金额": "paid_amount"}}},
    )
    with pytest.raises(DataError) as err:
        check(config)
    message = err.value.message
    assert "orders.csv, line 4, column paid_amount (金额): 'abc' is not a number" in message


def test_bad_time(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": (
                "order_id,customer_id,order_time,paid_amount\n"
                "1,a,2026-10-01 10:00:00,10\n"
                "2,b,yesterday,12\n"
            )
        },
        {"orders": {"path": "orders.csv"}},
    )
    with pytest.raises(
        DataError, match="line 3, column order_time: 'yesterday' is not a date and time"
    ):
        check(config)


def test_duplicate_order_id(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": (
                "order_id,customer_id,order_time,paid_amount\n"
                "1,a,2026-10-01 10:00:00,10\n"
                "2,b,2026-10-01 10:00:00,10\n"
                "1,a,2026-10-01 10:00:00,10\n"
            )
        },
        {"orders": {"path": "orders.csv"}},
    )
    with pytest.raises(
        DataError,
        match=r"line 2 and line 4, column order_id: '1' appears more than once in this file "
        r"\(2 rows",
    ):
        check(config)


def test_negative_amount(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": (
                "order_id,customer_id,order_time,paid_amount\n1,a,2026-10-01 10:00:00,-10\n"
            )
        },
        {"orders": {"path": "orders.csv"}},
    )
    with pytest.raises(DataError, match="negative value '-10'.*refunds table"):
        check(config)


def test_glob_matching_nothing(tmp_path):
    config = write_shop(tmp_path, {}, {"orders": {"path": "exports/*.csv"}})
    with pytest.raises(DataError, match=r"data.orders: .*exports/\*.csv matches no file"):
        check(config)


def test_missing_file(tmp_path):
    config = write_shop(tmp_path, {}, {"orders": {"path": "orders.csv"}})
    with pytest.raises(DataError, match="orders.csv not found"):
        check(config)


def test_unknown_config_key_suggests_the_right_one(tmp_path):
    config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv", "colums": {}}})
    with pytest.raises(
        ConfigError, match=r"unknown key 'data.orders.colums' \(did you mean 'columns'\?\)"
    ):
        read_config(config)
    config = write_shop(tmp_path, {}, {"order": {"path": "o.csv"}})
    with pytest.raises(ConfigError, match="unknown key 'data.order'.*'orders'"):
        read_config(config)


def test_mapping_to_an_unknown_canonical_column(tmp_path):
    config = write_shop(
        tmp_path, {}, {"orders": {"path": "o.csv", "columns": {"金额": "paid_amont"}}}
    )
    with pytest.raises(
        ConfigError,
        match="'paid_amont' is not a column of the orders table. Did you mean 'paid_amount'",
    ):
        read_config(config)


def test_target_for_an_unknown_metric(tmp_path):
    config = write_shop(
        tmp_path, {}, {"orders": {"path": "o.csv"}}, targets={"2026-10": {"gvm": 1}}
    )
    with pytest.raises(
        ConfigError, match="target 'gvm' for 2026-10 is not a metric. Did you mean 'gmv'"
    ):
        read_config(config)


def test_bad_timezone_and_period_key(tmp_path):
    config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}}, timezone="China/Beijing")
    with pytest.raises(ConfigError, match="unknown time zone 'China/Beijing'"):
        read_config(config)
    config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}}, targets={"Oct": {"gmv": 1}})
    with pytest.raises(ConfigError, match="'Oct' is not a period"):
        read_config(config)
    # a month 13 or a week 54 was taken for a period no report has: the target was never used
    for key in ("2026-13", "2026-00", "2026-W54", "2025-W53"):  # 2025 has 52 ISO weeks
        config = write_shop(tmp_path, {}, {"orders": {"path": "o.csv"}}, highlights={key: ["x"]})
        with pytest.raises(ConfigError, match=f"'{key}' is not a period"):
            read_config(config)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "shopreport.yaml"
    path.write_text("shop: x\ndata:\n  orders: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"shopreport.yaml: line \d+, column \d+: not valid YAML"):
        read_config(path)


def test_lines_of_unknown_orders_are_a_warning(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": "order_id,customer_id,order_time,paid_amount\n"
            "1,a,2026-10-01 10:00:00,10\n",
            "items.csv": "order_id,sku,quantity\n1,A,1\n9,A,1\n9,B,2\n",
        },
        {"orders": {"path": "orders.csv"}, "order_items": {"path": "items.csv"}},
    )
    ds = read_dataset(read_config(config))
    ds.check()
    assert [note.text for note in ds.warnings] == [
        "order_items: 2 row(s) point at 1 order(s) not in the orders table (e.g. '9'); they are "
        "left out. Exports cut at a period edge do this."
    ]


def test_refunds_that_name_no_order_at_all_are_numbered_on_their_own(tmp_path):
    """Refunds R2 and R1 name no order (as Online Retail's C-invoices): the warning says the two
    ways that happens, with the smallest id as the example (the same on every run). One refund
    of a known order beside them: the usual warning of refunds cut at the export's edge."""
    orders = "order_id,customer_id,order_time,paid_amount\n1,a,2026-10-01 10:00:00,10\n"
    refunds = "order_id,refund_time,amount\nR2,2026-10-02 10:00:00,5\nR1,2026-10-03 10:00:00,4\n"
    data = {"orders": {"path": "orders.csv"}, "refunds": {"path": "refunds.csv"}}
    config = write_shop(tmp_path, {"orders.csv": orders, "refunds.csv": refunds}, data)
    out = run_cli("validate", "--config", config).out
    assert "warning: no refund names an order of the orders table (e.g. 'R1'): either" in out
    (tmp_path / "refunds.csv").write_text(refunds + "1,2026-10-04 10:00:00,3\n")
    out = run_cli("validate", "--config", config).out
    assert "refunds: 2 row(s) point at 2 order(s) not in the orders table (e.g. 'R1')" in out


def test_an_excel_file_that_cannot_be_read_says_why(tmp_path):
    """A sheet not in the workbook named the library's words ("no matching sheet found when
    `sheet_name` is '订单列表'"); a CSV renamed .xlsx "calamine error: Xlsx error: Zip error:
    invalid Zip archive". Now: the sheets it has, and what the file looks like."""
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "orders.xlsx")
    book.add_worksheet("订单").write_row(0, 0, ["order_id", "customer_id", "order_time"])
    book.add_worksheet("说明")
    book.close()
    (tmp_path / "fake.xlsx").write_text("order_id,customer_id\n1,a\n", encoding="utf-8")
    for path, sheet, said in (
        (
            "orders.xlsx",
            "订单列表",
            "has no sheet '订单列表'; its sheets: 订单, 说明 (set `sheet:`).",
        ),
        ("fake.xlsx", None, "cannot be read as an Excel workbook (is it another format renamed"),
        ("orders.xlsx", 3, "`sheet: 3` is past its last sheet (numbered from 0); its sheets: 订单"),
    ):
        spec = {"path": path, **({"sheet": sheet} if sheet else {})}
        config = write_shop(tmp_path, {}, {"orders": spec})
        result = run_cli("validate", "--config", config)
        assert result.code == 1 and "Traceback" not in result.err
        assert f"{tmp_path / path}: {said}" in result.err + result.out


def test_header_found_below_title_rows_without_being_told(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    book = xlsxwriter.Workbook(tmp_path / "订单.xlsx")
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["订单报表"])
    sheet.write_row(1, 0, ["导出时间：2026-11-01"])
    sheet.write_row(3, 0, ["订单编号", "买家会员名", "买家实际支付金额", "订单创建时间"])
    sheet.write_row(4, 0, ["A1", "小王", "45.5", "2026-10-01 08:00:00"])
    book.close()
    config = write_shop(
        tmp_path,
        {},
        {
            "orders": {
                "path": "订单.xlsx",
                "columns": {
                    "订单编号": "order_id",
                    "买家会员名": "customer_id",
                    "买家实际支付金额": "paid_amount",
                    "订单创建时间": "order_time",
                },
            }
        },
    )
    orders = orders_of(config)
    assert orders.select("order_id", "customer_id", "paid_amount", "order_time").rows() == [
        ("A1", "小王", 45.5, datetime(2026, 10, 1, 8, 0))
    ]


def test_legacy_xls_and_excel_serial_dates(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    for j, header in enumerate(["订单编号", "买家", "金额", "时间"]):
        sheet.write(0, j, header)
    # 46296.5 is 2026-10-01 12:00 as Excel counts days (from 1899-12-30)
    for j, value in enumerate(["B7", "小李", 12.5, 46296.5]):
        sheet.write(1, j, value)
    book.save(str(tmp_path / "orders.xls"))
    config = write_shop(
        tmp_path,
        {},
        {
            "orders": {
                "path": "orders.xls",
                "columns": {
                    "订单编号": "order_id",
                    "买家": "customer_id",
                    "金额": "paid_amount",
                    "时间": "order_time",
                },
            }
        },
    )
    orders = orders_of(config)
    assert orders["order_time"][0] == datetime(2026, 10, 1, 12, 0)
    assert orders["paid_amount"][0] == 12.5


def test_utf8_with_bom(tmp_path):
    (tmp_path / "orders.csv").write_bytes(
        "\ufefforder_id,customer_id,order_time,paid_amount\n1,a,2026-10-01,5\n".encode()
    )
    config = write_shop(tmp_path, {}, {"orders": {"path": "orders.csv"}})
    assert orders_of(config)["order_id"].to_list() == ["1"]
