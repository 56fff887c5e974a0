"""The reading choices behind a shop's numbers, in words, for `validate` to print: which orders
count and when, what is cancelled, where refunds come from and how they are dated, the time
zone and the date order. A user checks them before trusting the deck."""

from __future__ import annotations

from pathlib import Path

from shopreport.config import Config, TableConfig
from shopreport.sources.dataset import CANCELLED_STATUSES, DEFAULT_PAID_STATUSES
from shopreport.sources.readers import describe_files


def reading_rules(
    config: Config, files: dict[str, list[Path]], columns: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Per table read (with its files and the canonical columns its files give, mapped or
    native), the rules it is read by."""
    out: dict[str, list[str]] = {}
    for name, spec in config.data.tables().items():
        if name not in files:
            continue
        rules = _common(name, spec, config)
        if name == "orders":
            given = set((columns or {}).get("orders", []))
            refunds = set((columns or {}).get("refunds", []))
            rules = (
                _orders(spec, config, given)
                + _refunds(config, files.get("refunds"), refunds)
                + rules
            )
        out[name] = rules
    return out


def _orders(spec: TableConfig, config: Config, given: set[str]) -> list[str]:
    """Basis, cancellations and the order's amount, naming the headers they come from."""
    mapped = set(spec.mapping.values()) | given
    cancelled = ", ".join(CANCELLED_STATUSES[:5])
    if config.metrics.orders_basis == "placed":
        rules = [
            f"an order counts when placed ({source_of(spec, 'order_time')}), as the platform's "
            f"sales reports count it; orders whose status is cancelled ({cancelled} …) do not "
            "count"
        ]
    elif "pay_time" in mapped or "pay_time" in spec.constants:
        rules = [
            f"an order counts when paid ({source_of(spec, 'pay_time')}); an order without a "
            "pay time does not count, whatever its status"
        ]
    elif "status" in mapped:
        statuses = ", ".join((spec.paid_statuses or DEFAULT_PAID_STATUSES)[:6])
        rules = [
            f"an order counts at its order time ({source_of(spec, 'order_time')}) when its "
            f"status ({source_of(spec, 'status')}) means paid ({statuses} …); there is no pay "
            "time"
        ]
    else:
        rules = [
            f"every order counts, at its order time ({source_of(spec, 'order_time')}): the "
            "export has neither a pay time nor a status"
        ]
    if "paid_amount" in mapped or spec.constants.get("paid_amount") is not None:
        rules.append(
            f"GMV is the amount paid ({source_of(spec, 'paid_amount')}), refunds not deducted "
            "(the platforms' 成交金额 rule)"
        )
    else:  # a behaviour log's buys: counted, but no money to sum
        rules.append("GMV and AOV are unavailable: the orders have no amount")
    return rules


def _refunds(config: Config, paths: list[Path] | None, given: set[str] = frozenset()) -> list[str]:
    """Where refunds come from, how they are dated, and when a refund in two files is one."""
    spec = config.data.refunds
    if spec is None or not paths:
        return ["refunds: no refunds table, so refund rates and the service section are left out"]
    files = (
        f"the database ({f'table {spec.table}' if spec.table else 'a query'})"
        if spec.uri
        else ", ".join(describe_files(paths))
    )
    dated = f"dated by {source_of(spec, 'refund_time')}"
    if spec.approximate_time:
        dated += " (approximate: the export has no refund date; the decks say so)"
    if spec.dedupe_by:
        once = f"once per {', '.join(spec.dedupe_by)}, the newest file's row"
    elif "refund_id" in set(spec.mapping.values()) | given:
        once = f"once by its id ({source_of(spec, 'refund_id')}), as the newest file has it"
    else:
        once = "once only when its whole row repeats (the files have no refund id)"
    return [f"refunds: from {files}, {dated}; a refund found in several files counts {once}"]


def _joined(parts: list) -> str:
    """A `concat`'s parts as `validate` says them: 'user_id + "-" + timestamp' (a separator
    without letters or digits quoted)."""
    return " + ".join(
        str(p) if any(ch.isalnum() for ch in str(p)) else f'"{p}"'
        for p in parts
        if not isinstance(p, dict)
    )


def source_of(spec: TableConfig, canonical: str) -> str:
    """The header(s) a canonical column comes from: 'Cancelled at, else Created at'."""
    header = next((h for h, c in spec.mapping.items() if c == canonical), canonical)
    derived = spec.derive.get(header)
    if isinstance(derived, dict) and "coalesce" in derived:
        # a fallback made of parts: 'CustomerID, else guest- + InvoiceNo' (a guest per invoice)
        parts = [
            _joined(p["concat"]) if isinstance(p, dict) and "concat" in p else p
            for p in derived["coalesce"]
        ]
        return ", else ".join(str(p) for p in parts if not isinstance(p, dict))
    if isinstance(derived, dict) and "concat" in derived:  # 'user_id + "-" + timestamp'
        words = _joined(derived["concat"])
        return words + (", one row per value" if header in spec.group_by else "")
    if isinstance(derived, dict) and "add" in derived:
        return " + ".join(str(p) for p in derived["add"] if not isinstance(p, dict))
    if isinstance(derived, dict) and "column" in derived:
        return str(derived["column"])
    if isinstance(derived, dict) and "split" in derived:
        index = int(derived.get("index", 0))
        part = f"part {index + 1}" if index >= 0 else f"part {-index} from the end"
        return f"{derived['split']} ({part})"
    if isinstance(derived, dict) and "multiply" in derived:
        words = " × ".join(str(p) for p in derived["multiply"] if not isinstance(p, dict))
        if spec.group_by and spec.aggregate.get(header) == "sum":
            words += f", summed per {', '.join(spec.group_by)}"
        return words
    return header


def _common(name: str, spec: TableConfig, config: Config) -> list[str]:
    """Time zone, date order, several files and missing values."""
    rules = []
    if name == "orders" or spec.date_format:
        zone = (
            "times without an offset are the shop's local time; times written with an offset "
            "keep the wall time written (the store's own time; set `timezone:` to convert)"
            if config.wall_time
            else f"times are {config.timezone} local time; times with an offset are converted"
        )
        if name == "orders":
            rules.append(zone)
    orders = {
        "ymd": "year first",
        "mdy": "month/day/year",
        "dmy": "day/month/year",
    }
    if spec.date_format:
        rules.append(f"dates written {orders.get(spec.date_format, spec.date_format)}")
    if spec.on_missing == "skip":
        rules.append("rows with an empty required value are left out and counted")
    return rules
