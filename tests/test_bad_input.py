"""Bad input, as a user meets it on the command line: one clear paragraph naming what is wrong
and how to fix it, exit status 2 for usage and config errors and 1 for data errors, no
traceback, and no file left behind."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from tests.conftest import run_cli, write_shop

GOOD_ORDERS = (
    "order_id,customer_id,order_time,paid_amount\n"
    "1,a,2026-10-01 10:00:00,10\n2,b,2026-10-02 10:00:00,20\n"
)


def setup(folder: Path, files: dict[str, bytes | str], config: dict) -> Path:
    """Write the files and the config; return the config path."""
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    body = {"shop": "测试店", "data": {"orders": {"path": "orders.csv"}}, **config}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def truncated_parquet(folder: Path) -> bytes:
    """A Parquet file cut in half."""
    pl.DataFrame(
        {
            "order_id": ["1"],
            "customer_id": ["a"],
            "order_time": ["2026-10-01 10:00:00"],
            "paid_amount": [1.0],
        }
    ).write_parquet(folder / "whole.parquet")
    data = (folder / "whole.parquet").read_bytes()
    (folder / "whole.parquet").unlink()
    return data[: len(data) // 2]


CASES = {
    "unknown config key": (
        {"orders.csv": GOOD_ORDERS},
        {"shoop": "x"},
        2,
        r"unknown key 'shoop' \(did you mean 'shop'\?\)\.",
    ),
    "missing file": ({}, {}, 1, r"data.orders: .*orders.csv not found"),
    "glob matching nothing": (
        {},
        {"data": {"orders": {"path": "exports/*.csv"}}},
        1,
        r"exports/\*.csv matches no file",
    ),
    "target for an unknown metric": (
        {"orders.csv": GOOD_ORDERS},
        {"targets": {"2026-10": {"conversion_rate": 0.03}}},
        2,
        r"target 'conversion_rate' for 2026-10 is not a metric. Did you mean 'conversion'",
    ),
    "empty file": ({"orders.csv": b""}, {}, 1, r"orders.csv: the file is empty"),
    "truncated parquet": (
        {"orders.parquet": "TRUNCATED"},
        {"data": {"orders": {"path": "orders.parquet"}}},
        1,
        r"orders.parquet: cannot be read as parquet",
    ),
    "binary file posing as CSV": (
        {"orders.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))},
        {},
        1,
        r"orders.csv: this is a binary file, not a text export",
    ),
    "value that is not a number": (
        {"orders.csv": GOOD_ORDERS + "3,c,2026-10-03 10:00:00,12元5\n"},
        {},
        1,
        r"orders.csv, line 4, column paid_amount: '12元5' is not a number",
    ),
    "value with an unquoted separator": (
        # the quoted value spanning lines 4-5 is fine; line 6's "1,250" shifts the columns
        {
            "orders.csv": GOOD_ORDERS
            + '3,"c\nd",2026-10-03 10:00:00,12\n4,e,2026-10-04 10:00:00,1,250\n'
        },
        {},
        1,
        r"orders.csv, line 6: 5 values where the header has 4\. A value holding the separator",
    ),
    "a row short of values": (
        # line 5 lost its amount: read as empty, the message names the row's values too
        {"orders.csv": GOOD_ORDERS + "3,c,2026-10-03 10:00:00,12\n4,e,2026-10-04 10:00:00\n"},
        {},
        1,
        r"orders.csv, line 5, column paid_amount: the value is empty \(1 without paid_amount; "
        r"the line has 3 values where the header has 4: a value left out",
    ),
    "a header twice once trimmed": (
        {
            "orders.csv": "order_id,customer_id,order_time,paid_amount,paid_amount \n"
            "1,a,2026-10-01,1,2\n"
        },
        {},
        1,
        r"orders.csv: the header 'paid_amount' appears 2 times \(columns 4 and 5, one with spaces",
    ),
    "a rating outside the five stars": (
        {
            "orders.csv": GOOD_ORDERS,
            "reviews.csv": "review_time,rating\n2026-10-02 10:00:00,5\n2026-10-03 10:00:00,7\n",
        },
        {"data": {"orders": {"path": "orders.csv"}, "reviews": {"path": "reviews.csv"}}},
        1,
        r"reviews.csv, line 3, column rating: '7' is outside the 1–5 scale \(1 such value\(s\)\)",
    ),
    "semicolons for commas": (
        {"orders.csv": GOOD_ORDERS.replace(",", ";")},
        {},
        1,
        r"The file seems to separate values with ';': set `separator: \";\"`\.",
    ),
    "a GBK file read as UTF-8": (
        {"orders.csv": "订单编号,金额\n1,2\n".encode("gb18030")},
        {"data": {"orders": {"path": "orders.csv", "encoding": "utf-8"}}},
        1,
        r"The headers did not decode: the file is probably GBK/GB18030 \(set `encoding: gb18030`",
    ),
    "a list of two files": (
        {"orders.csv": GOOD_ORDERS, "more.csv": GOOD_ORDERS.replace("1,a", "3,a")},
        {"data": {"orders": {"path": ["orders.csv", "more.csv"]}}},
        1,
        r"`path` lists orders.csv and more.csv, but a list names alternatives and only the "
        r"first file found is read\. To read several files as one table, give a folder or a "
        r"pattern",
    ),
    "file cut inside a row": (
        {"orders.csv": GOOD_ORDERS + "3,c,2026-10-03 1"},
        {},
        1,
        r"orders.csv, line 4: the file ends inside this row \(3 of the header's 4 values, and no "
        r"line break\): the download or copy was cut short",
    ),
    "a comma that groups no thousands": (
        {"orders.csv": GOOD_ORDERS + '3,c,2026-10-03 10:00:00,"1,2345"\n'},
        {},
        1,
        r"orders.csv, line 4, column paid_amount: '1,2345' is not a number",
    ),
    "duplicate order id": (
        {"orders.csv": GOOD_ORDERS + "1,a,2026-10-01 10:00:00,10\n"},
        {},
        1,
        r"line 2 and line 4, column order_id: '1' appears more than once in this file",
    ),
    "missing required column": (
        {"orders.csv": "order_id,customer_id,paid_amount\n1,a,10\n"},
        {},
        1,
        r"needs the column\(s\) order_time, which the file lacks",
    ),
    "month outside the data": (
        {"orders.csv": GOOD_ORDERS},
        {},
        1,
        r"No paid orders in 2025-01: the data has paid orders from 2026-10-01 to 2026-10-02",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_explained(case, tmp_path):
    files, config, status, message = CASES[case]
    if files.get("orders.parquet") == "TRUNCATED":
        files = {"orders.parquet": truncated_parquet(tmp_path)}
    path = setup(tmp_path, files, config)
    out = tmp_path / "out"
    out.mkdir()
    month = "2025-01" if case == "month outside the data" else "2026-10"
    result = run_cli("build", "--config", path, "--month", month, "--out", out, "-q")
    assert result.code == status, result.err
    assert "Traceback" not in result.err
    assert result.err.startswith("Error: ")
    assert re.search(message, result.err), result.err
    assert list(out.iterdir()) == []  # nothing half-written


def test_a_month_of_free_orders_only_is_no_deck(tmp_path):
    """Shopify's explorer shop in February 2022: one order, paid $0. Its deck said "GMV $0,
    down 100.0% YoY", "The peak was on Feb 1: $0" and planned March at $0: a month without
    sales stops like a month without orders (kpis reports it with --allow-empty)."""
    orders = GOOD_ORDERS + "3,c,2026-09-05 10:00:00,0\n"
    path = setup(tmp_path, {"orders.csv": orders}, {})
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("build", "--config", path, "--month", "2026-09", "--out", out, "-q")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.strip() == (
        "Error: No sales in 2026-09: its one paid order paid 0 (a free or fully discounted "
        "order), so there is nothing to report; the data's sales run from 2026-10-01 to "
        "2026-10-02."
    )
    assert list(out.iterdir()) == []
    empty = run_cli("kpis", "--config", path, "--month", "2026-09", "--format", "json")
    assert empty.code == 1 and "--allow-empty" in empty.err
    allowed = run_cli(
        "kpis", "--config", path, "--month", "2026-09", "--format", "json", "--allow-empty"
    )
    assert allowed.code == 0, allowed.err
    assert json.loads(allowed.out)["metrics"]["paid_orders"]["value"] == 1


def test_a_month_after_the_data_is_unknown_even_when_empty_is_allowed(tmp_path):
    """The orders end on 2 October: November with --allow-empty printed GMV 0, visitors 0 and
    a stock value of 0 (the README: months after the data's last day are never zeros)."""
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS}, {})
    result = run_cli(
        "kpis", "--config", path, "--month", "2026-11", "--format", "json", "--allow-empty"
    )
    assert result.code == 1 and not result.out
    assert result.err.strip() == (
        "Error: 2026-11 begins after the data ends (2026-10-02): its figures are unknown, not "
        "0, even with --allow-empty. Export the orders of that period first."
    )
    before = run_cli(
        "kpis", "--config", path, "--month", "2026-03", "--format", "json", "--allow-empty"
    )
    assert before.code == 1 and "2026-03 ends before the data begins (2026-10-01)" in before.err


def test_validate_calls_an_orders_file_without_rows_an_error(tmp_path):
    """A header and no rows passed `validate` ("orders [ok]", exit 0) while `build` stopped."""
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS.splitlines()[0] + "\n"}, {})
    result = run_cli("validate", "--config", path)
    assert result.code == 1
    assert f"error: {tmp_path / 'orders.csv'}: no rows: nothing to report" in result.out
    built = run_cli("build", "--config", path, "--month", "2026-10", "--out", tmp_path / "d.pptx")
    assert built.code == 1 and not (tmp_path / "d.pptx").exists()
    assert (  # not "no paid order at all; validate shows which column is the pay time"
        f"No paid orders in 2026-10: the orders ({tmp_path / 'orders.csv'}) have no rows, a "
        "header only: export them again." in built.err
    )
    # rows a config's filter leaves none of are no header-only file
    (tmp_path / "orders.csv").write_text(GOOD_ORDERS)
    steps = {
        "data": {"orders": {"path": "orders.csv", "filter": [gt := {"column": "paid_amount"}]}}
    }
    gt.update(op="gt", value=100)
    path = setup(tmp_path, {}, steps)
    built = run_cli("build", "--config", path, "--month", "2026-10", "--out", tmp_path / "d.pptx")
    assert "have no rows left after the config's `filter` under data.orders" in built.err


REFUND_TWICE = "order_id,refund_time,amount\n" + "1,2026-10-03 10:00:00,5\n" * 2
LINE_TWICE = "order_id,sku,quantity,unit_price\n1,A,1,5\n" + "1,B,2,3\n" * 2


@pytest.mark.parametrize(
    ("table", "rows", "lines", "end", "unlike"),
    [
        # refunds without ids: line 3 repeats line 2, both counted (¥5 + ¥5); with refund ids
        # two equal rows are two refunds
        (
            "refunds",
            REFUND_TWICE,
            (2, 3),
            " (or export the refund ids).",
            REFUND_TWICE.replace("amount\n", "amount,refund_id\n")
            .replace(",5\n", ",5,r{}\n")
            .format(1, 2),
        ),
        # UCI's export repeats 10,074 lines in every column (invoice, item, quantity, price)
        (
            "order_items",
            LINE_TWICE,
            (3, 4),
            "; an order that lists an item twice is counted as it is.",
            LINE_TWICE[:-6] + "C,2,3\n",
        ),
    ],
)
def test_a_row_given_twice_is_a_warning_naming_both_lines(
    tmp_path, table, rows, lines, end, unlike
):
    """A refund without an id, or an order line, repeated in every column is counted twice:
    `validate` says so, naming both lines."""
    data = {"data": {"orders": {"path": "orders.csv"}, table: {"path": f"{table}.csv"}}}
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS, f"{table}.csv": rows}, data)
    result = run_cli("validate", "--config", path)
    assert result.code == 0, result.out
    where = tmp_path / f"{table}.csv"
    assert (
        f"warning: {where}, line {lines[0]} and {where}, line {lines[1]}: the same row twice (2 "
        "rows repeat another in every column); both are counted. A copy pasted twice, or "
        f"exports of overlapping dates: keep one{end}"
    ) in result.out
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS, f"{table}.csv": unlike}, data)
    assert "same row twice" not in run_cli("validate", "--config", path).out


def test_a_misspelled_optional_header_is_a_warning(tmp_path):
    """'pay_tme' was listed under "not used" and orders were quietly counted at their order
    time: `validate` warns, naming the column it looks like. Headers merely like a column
    (Shopify's 'Name', Online Retail's 'Country') are not called typos."""
    orders = GOOD_ORDERS.replace("paid_amount\n", "paid_amount,pay_tme,Country\n", 1)
    orders = orders.replace(",10\n", ",10,2026-10-01 10:05:00,UK\n").replace(",20\n", ",20,,UK\n")
    result = run_cli("validate", "--config", setup(tmp_path, {"orders.csv": orders}, {}))
    assert result.code == 0
    assert (
        "warning: column 'pay_tme' is not read. Did you mean 'pay_time'? Rename the header, or "
        "map it under `columns:`."
    ) in result.out
    assert "'Country' is not read" not in result.out


def test_each_bad_value_is_named_with_its_line(tmp_path):
    """Three amounts that are no numbers on lines 2, 4 and 5: only the first one's line was
    named ("first: 'abc', '12..5', '#VALUE!'")."""
    orders = (
        "order_id,customer_id,order_time,paid_amount\n1,a,2026-10-01 10:00:00,abc\n"
        "2,b,2026-10-02 10:00:00,20\n3,c,2026-10-03 10:00:00,12..5\n"
        "4,d,2026-10-03 10:00:00,#VALUE!\n"
    )
    result = run_cli("validate", "--config", setup(tmp_path, {"orders.csv": orders}, {}))
    assert result.code == 1
    assert (
        f"error: {tmp_path / 'orders.csv'}, line 2, column paid_amount: 'abc' is not a number (3 "
        "bad value(s); first: 'abc' (line 2), '12..5' (line 4), '#VALUE!' (line 5))."
    ) in result.out


def test_a_last_row_without_a_line_break_is_read(tmp_path):
    """Only a short last row without a line break is a cut file; a whole one is data."""
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS + "3,c,2026-10-03 10:00:00,5"}, {})
    result = run_cli("kpis", "--config", path, "--month", "2026-10", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["metrics"]["gmv"]["value"] == 35  # 10 + 20 + 5


def test_an_unread_header_given_twice_once_trimmed_is_no_error(tmp_path):
    """Taobao's 备注 and '备注 ' (a trailing space): nobody reads them, so the file is read."""
    orders = GOOD_ORDERS.replace("paid_amount\n", "paid_amount,备注,备注 \n", 1)
    orders = orders.replace(",10\n", ",10,x,y\n").replace(",20\n", ",20,,\n")
    path = setup(tmp_path, {"orders.csv": orders}, {})
    result = run_cli("kpis", "--config", path, "--month", "2026-10", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["metrics"]["gmv"]["value"] == 30


def test_validate_reports_every_table_and_exits_1_on_errors(tmp_path):
    path = setup(
        tmp_path,
        {
            "orders.csv": GOOD_ORDERS + "3,c,2026-10-03 10:00:00,abc\n",
            "items.csv": "order_id,sku,quantity\n1,A,1\n9,B,1\n",
        },
        {
            "data": {
                "orders": {"path": "orders.csv"},
                "order_items": {"path": "items.csv"},
                "refunds": {"path": "refunds.csv"},
            }
        },
    )
    result = run_cli("validate", "--config", path)
    assert result.code == 1
    out = result.out
    assert "orders [ERROR]" in out and "line 4, column paid_amount: 'abc' is not a number" in out
    assert (
        "order_items [warning]" in out
        and "1 row(s) point at 1 order(s) not in the orders table" in out
    )
    assert "refunds [ERROR]" in out and "refunds.csv not found" in out
    assert "rows: 3, 2026-10-01 … 2026-10-03" in out
    assert "3 table(s), 2 error(s), 1 warning(s)" in out


def test_validate_checks_the_other_tables_when_the_orders_cannot_be_read(tmp_path):
    """Line 3 of the orders has a value too many, so no order can be read; the lines' bad
    quantity and the missing refunds file are still listed (validate stopped at the orders)."""
    path = setup(
        tmp_path,
        {
            "orders.csv": GOOD_ORDERS.replace("b,2026-10-02 10:00:00,20", "b,x,2026-10-02,20"),
            "items.csv": "order_id,sku,quantity\n1,A,1\n2,B,two\n",
        },
        {
            "data": {
                "orders": {"path": "orders.csv"},
                "order_items": {"path": "items.csv"},
                "refunds": {"path": "refunds.csv"},
            }
        },
    )
    result = run_cli("validate", "--config", path)
    assert result.code == 1 and "Traceback" not in result.err, result.err
    out = result.out
    assert "orders [ERROR]" in out and "orders.csv, line 3: 5 values where the header has 4" in out
    assert "order_items [ERROR]" in out and "line 3, column quantity: 'two'" in out, out
    assert "refunds [ERROR]" in out and "refunds.csv not found" in out
    assert "3 table(s), 3 error(s)" in out, out


def test_validate_passes_with_warnings(tmp_path):
    path = setup(
        tmp_path,
        {"orders.csv": GOOD_ORDERS, "items.csv": "order_id,sku,quantity\n1,A,1\n9,B,1\n"},
        {"data": {"orders": {"path": "orders.csv"}, "order_items": {"path": "items.csv"}}},
    )
    result = run_cli("validate", "--config", path, "--month", "2026-10")
    assert result.code == 0, result.out
    assert "2 table(s), 0 error(s), 1 warning(s)" in result.out


def test_validate_collects_the_checks_one_by_one_and_finds_the_same(tmp_path):
    """`validate` runs each check's query alone (less memory over a whole history): the same
    findings as the checks run together. Order 2 repeats order 1's id, order 3 pays a negative
    amount, line 3 belongs to no order."""
    from shopreport.config import read_config
    from shopreport.sources.dataset import read_dataset

    orders = """
        order_id,customer_id,order_time,paid_amount
        1,a,2026-10-01 10:00:00,10
        1,b,2026-10-02 10:00:00,20
        3,c,2026-10-03 10:00:00,-5
    """
    items = """
        order_id,sku,quantity
        1,S1,1
        3,S1,1
        9,S2,1
    """
    config = write_shop(
        tmp_path,
        {"orders.csv": orders, "items.csv": items},
        {"orders": {"path": "orders.csv"}, "order_items": {"path": "items.csv"}},
    )
    ds = read_dataset(read_config(config))
    together = [p.message for p in ds.problems()]
    alone = [p.message for p in read_dataset(read_config(config)).problems(one_at_a_time=True)]
    assert alone == together
    assert [m.split(": ", 1)[1][:40] for m in together] == [
        "'1' appears more than once in this file ",
        "negative value '-5' (1 negative value(s)",
        "1 row(s) point at 1 order(s) not in the ",
    ]
    assert "line 2 and line 3, column order_id" in together[0]
    assert "line 4, column paid_amount" in together[1]


def test_no_paid_orders_names_what_the_command_can_do(tmp_path):
    """Only `kpis` has --allow-empty, so only its message offers it; a week is not told to pick
    a month; an orders file with only its header is named."""
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS}, {})
    build = run_cli("build", "--config", path, "--month", "2025-01", "-q")
    assert build.code == 1 and "--allow-empty" not in build.err
    assert "Choose a month inside that range." in build.err
    week = run_cli("build", "--config", path, "--week", "2025-W03", "-q")
    assert "No paid orders in 2025-W03" in week.err and "Choose a period inside" in week.err
    kpis = run_cli("kpis", "--config", path, "--month", "2025-01")
    assert kpis.code == 1 and "(or pass --allow-empty to report a month without orders)" in kpis.err
    (tmp_path / "orders.csv").write_text(GOOD_ORDERS.splitlines()[0] + "\n")
    empty = run_cli("kpis", "--config", path, "--month", "2026-10")
    assert "orders.csv) have no rows, a header only: export them again" in empty.err, empty.err


def test_a_pattern_of_configs_given_to_a_one_shop_command(tmp_path):
    result = run_cli("validate", "--config", tmp_path / "shops" / "*" / "shopreport.yaml")
    assert result.code == 2
    assert "A pattern of configs is for `build` and `kpis`; this command takes one file." in (
        result.err
    )


def test_orders_paid_by_status_know_the_platforms_wording_and_name_the_rest(tmp_path):
    """No payment time: an order is paid by its status. Taobao's 买家已付款，等待卖家发货 and JD's
    完成 are paid (¥100 + ¥200); 等待买家付款 and 交易关闭 are not; 神秘状态 is unknown, counted
    as unpaid and named by validate."""
    orders = (
        "order_id,customer_id,order_time,paid_amount,status\n"
        '1,a,2026-10-01 10:00:00,100,"买家已付款，等待卖家发货"\n'
        "2,b,2026-10-02 10:00:00,200,完成\n"
        "3,c,2026-10-03 10:00:00,400,等待买家付款\n"
        "4,d,2026-10-04 10:00:00,800,交易关闭\n"
        "5,e,2026-10-05 10:00:00,1600,神秘状态\n"
    )
    path = setup(tmp_path, {"orders.csv": orders}, {})
    result = run_cli("kpis", "--config", path, "--month", "2026-10", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["metrics"]["gmv"]["value"] == 300
    checked = run_cli("validate", "--config", path)
    assert "status: '神秘状态' (1 orders) are not known as paid or unpaid" in checked.out


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty values past the header", GOOD_ORDERS.replace(",10\n", ",10,\n")),
        ("quoted line break in the last row", GOOD_ORDERS + '3,"c\nd",2026-10-03 10:00:00,5'),
        ("a trailing space", GOOD_ORDERS + "3,c,2026-10-03 10:00:00,5 "),
    ],
)
def test_valid_text_files_are_read(tmp_path, name, content):
    """Files the checks for shifted and cut-short rows must not refuse: GMV 10 + 20 (+ 5)."""
    path = setup(tmp_path, {"orders.csv": content}, {})
    result = run_cli("kpis", "--config", path, "--month", "2026-10", "--format", "json")
    assert result.code == 0, (name, result.err)
    assert json.loads(result.out)["metrics"]["gmv"]["value"] in (30, 35), name


def test_odd_line_ends_are_not_called_a_cut_download(tmp_path):
    """Old-Mac line ends (CR only) and a DOS end-of-file mark are other faults, not a download
    cut inside a row (the check read them as one)."""
    for name, content in (
        ("mac", GOOD_ORDERS.replace("\n", "\r") + "3,c,2026-10-03 10:00:00,5"),
        ("dos", GOOD_ORDERS + "3,c,2026-10-03 10:00:00,5\x1a"),
    ):
        folder = tmp_path / name
        folder.mkdir()
        result = run_cli("validate", "--config", setup(folder, {"orders.csv": content}, {}))
        assert "Traceback" not in result.err and "cut short" not in result.err, result.err


def test_a_shifted_row_deep_in_a_large_or_gzipped_file_is_named(tmp_path):
    """Row 40,002 of 50,000 has a value too many: named by its line in a plain file and in the
    same file gzipped (the error once came from another read, without the line)."""
    import gzip

    rows = [f"{i},c{i},2026-10-01 10:00:00,1" for i in range(1, 50_001)]
    rows[40_000] += ",9"
    text = "order_id,customer_id,order_time,paid_amount\n" + "\n".join(rows) + "\n"
    for file in ("orders.csv", "orders.csv.gz"):
        folder = tmp_path / file
        folder.mkdir()
        data = text.encode() if file == "orders.csv" else gzip.compress(text.encode())
        path = setup(folder, {file: data}, {"data": {"orders": {"path": file}}})
        result = run_cli("validate", "--config", path)
        assert result.code == 1 and "Traceback" not in result.err, result.err
        assert f"{file}, line 40002: 5 values where the header has 4" in result.out, result.out


@pytest.mark.parametrize("note", ['"请尽快发货\n谢谢\n！"', '"他说""好""\n谢谢\n！"'])
def test_a_value_over_several_lines_moves_the_lines_after_it(tmp_path, note):
    """A buyer's message with two line breaks (lines 2–4) puts order 2 on line 5, order 3 on 6
    and order 3 again on 7: the messages named lines 3, 4 and 5 (rows, not lines). Lines are
    counted only in a file where a line has an odd number of quotes (the message's first
    line, its quoted quotes in pairs: 1 + 2 + 2)."""
    orders = (
        "order_id,customer_id,order_time,paid_amount,note\n"
        f"1,a,2026-10-01 10:00:00,10,{note}\n"
        "2,b,2026-10-02 10:00:00,x,\n"
        "3,c,2026-10-03 10:00:00,5,\n"
        "3,d,2026-10-04 10:00:00,6,\n"
    )
    path = setup(tmp_path, {"orders.csv": orders}, {})
    out = run_cli("validate", "--config", path).out
    assert "orders.csv, line 5, column paid_amount: 'x' is not a number" in out, out
    assert "orders.csv, line 6 and line 7" in out, out


def test_several_errors_are_one_a_line(tmp_path):
    """Two bad values in two columns: each its own line after 'Error: ' (they ran together)."""
    orders = GOOD_ORDERS + "3,c,soon,12\n4,d,2026-10-04 10:00:00,x\n"
    path = setup(tmp_path, {"orders.csv": orders}, {})
    result = run_cli("build", "--config", path, "--month", "2026-10", "--out", tmp_path, "-q")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("Error: ") and "line 4, column order_time" in lines[0], lines
    assert "line 5, column paid_amount: 'x' is not a number" in lines[1], lines


def test_a_known_export_without_a_mapping_names_its_preset(tmp_path, shared_data):
    """The Tmall order report read with no mapping: its headers (订单编号, 订单创建时间,
    订单付款时间, 收货地址 …) are the taobao-orders preset's."""
    shutil.copy(shared_data / "tmall-order-report" / "tmall_order_report.csv", tmp_path / "o.csv")
    path = setup(tmp_path, {}, {"data": {"orders": {"path": "o.csv"}}})
    hint = "Its headers fit the taobao-orders preset: set `preset: taobao-orders`."
    result = run_cli("validate", "--config", path)
    assert result.code != 0 and hint in result.out, result.out
    result = run_cli("kpis", "--config", path, "--month", "2017-02")
    assert result.code != 0 and hint in result.err, result.err


def test_lines_that_are_units_may_repeat(tmp_path):
    """Olist's lines are units (`quantity: 1` in its preset): two of one item at one price are
    two equal rows, and `validate` warned 1,732 of them away ("keep one")."""
    items = "order_id,sku,unit_price\n1,A,5\n1,A,5\n"
    data = {
        "data": {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv", "constants": {"quantity": 1}},
        }
    }
    path = setup(tmp_path, {"orders.csv": GOOD_ORDERS, "items.csv": items}, data)
    result = run_cli("validate", "--config", path)
    assert result.code == 0, result.out
    assert "order_items [ok]" in result.out and "same row twice" not in result.out
