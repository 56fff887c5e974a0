"""The demo shop: a deterministic, realistic Chinese online shop, generated with NumPy.

Everything is vectorised over orders, lines and SKUs; the only loops run over days (the
inventory simulation) or over the handful of categories, sources and channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from shopreport.demo import catalog as C


@dataclass
class Calendar:
    """The days of the demo window and their calendar effects."""

    days: np.ndarray  # datetime64[D]
    start: date
    end: date  # exclusive

    @property
    def n(self) -> int:
        """Number of days."""
        return len(self.days)

    @property
    def months(self) -> np.ndarray:
        """Month 1–12 of each day."""
        return (self.days.astype("datetime64[M]").astype(int) % 12) + 1

    @property
    def years(self) -> np.ndarray:
        """Calendar year of each day."""
        return self.days.astype("datetime64[Y]").astype(int) + 1970

    @property
    def dom(self) -> np.ndarray:
        """Day of month of each day."""
        return (self.days - self.days.astype("datetime64[M]")).astype(int) + 1


def make_calendar(end: str, months: int) -> Calendar:
    """Days from the first of the first month to the end of month `end`."""
    last = np.datetime64(end, "M")
    first = last - (months - 1)
    days = np.arange(first.astype("datetime64[D]"), (last + 1).astype("datetime64[D]"))
    return Calendar(days, first.astype(date), (last + 1).astype("datetime64[D]").astype(date))


def campaign_of_days(cal: Calendar) -> tuple[np.ndarray, np.ndarray]:
    """Per day: a sales multiplier of the campaigns and the campaign name (or '')."""
    mult = np.ones(cal.n)
    name = np.full(cal.n, "", dtype=object)
    m, d, years = cal.months, cal.dom, cal.years

    def mark(mask, factor, label):
        mult[mask] *= factor
        name[mask & (name == "")] = label

    mark((m == 10) & (d >= 20), 1.25, "双11")
    mark((m == 11) & (d <= 3), 3.0, "双11")
    mark((m == 11) & (d >= 4) & (d <= 10), 1.35, "双11")
    mark((m == 11) & (d == 11), 8.0, "双11")
    mark((m == 11) & (d >= 12) & (d <= 13), 1.5, "双11")
    mark((m == 6) & (d <= 3), 2.0, "618")
    mark((m == 6) & (d >= 4) & (d <= 17), 1.2, "618")
    mark((m == 6) & (d == 18), 5.0, "618")
    mark((m == 6) & (d >= 19) & (d <= 20), 1.3, "618")
    mark((m == 12) & (d == 12), 2.2, "双12")
    for year in np.unique(years):
        cny = C.SPRING_FESTIVAL.get(int(year))
        if cny is None:
            continue
        offset = (cal.days - np.datetime64(cny, "D")).astype(int)
        mark((offset >= -25) & (offset <= -8), 1.25, "年货节")
        mult[(offset >= -7) & (offset <= 7)] *= 0.45
        mult[(offset >= 8) & (offset <= 14)] *= 0.8
    return mult, name


TREND = 1.22
"""The demo shop's yearly growth of orders (before its months and campaigns)."""


def daily_orders(
    cal: Calendar, per_month: int, rng: np.random.Generator, campaign: np.ndarray
) -> np.ndarray:
    """Orders per day: trend × weekday × month × campaigns, scaled to `per_month` on average."""
    t = np.arange(cal.n) / 365.0
    weekday = np.array(C.WEEKDAY)[(cal.days.astype(int) + 3) % 7]
    month = np.array(C.MONTH)[cal.months - 1]
    expected = TREND**t * weekday * month * campaign
    expected *= per_month * (cal.n / 30.44) / expected.sum()
    noise = rng.lognormal(0, 0.06, cal.n)
    return rng.poisson(expected * noise)


def pick_by_day(rng: np.random.Generator, weights: np.ndarray, day: np.ndarray) -> np.ndarray:
    """For each row, an index drawn from the row's day of a (days × k) weight matrix."""
    probs = weights / weights.sum(axis=1, keepdims=True)
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    flat = (cum + np.arange(len(weights))[:, None]).ravel()
    pos = np.searchsorted(flat, day + rng.random(len(day)) * (1 - 1e-12), side="right")
    return np.minimum(pos - day * weights.shape[1], weights.shape[1] - 1)


def labels(index: np.ndarray, names: list[str]) -> pl.Series:
    """A string Series from integer codes."""
    return pl.Series(index, dtype=pl.Int64).replace_strict(
        dict(enumerate(names)), return_dtype=pl.String
    )


def to_us(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """datetime64[us] from day indexes into the calendar plus seconds."""
    return days.astype("datetime64[us]") + (seconds * 1e6).astype("timedelta64[us]")


def make_products(
    cal: Calendar, rng: np.random.Generator, categories: frozenset[str] | None = None
) -> pl.DataFrame:
    """About 210 SKUs over nine categories (those named in `categories`), with prices, costs,
    launches and lead times."""
    rows = []
    for c, (cat, code, (lo, hi), margin, _, _, _, _, items) in enumerate(C.CATEGORIES):
        if categories is not None and cat not in categories:
            continue
        n = 3 * len(items) + 2
        for i in range(n):
            item = items[i % len(items)]
            adj = C.ADJECTIVES[(i // len(items) + c) % len(C.ADJECTIVES)]
            price = float(np.round(np.exp(rng.uniform(np.log(lo), np.log(hi))), 0)) - 0.1
            cost = round(price * (1 - margin) * rng.uniform(0.85, 1.15), 2)
            rows.append((f"{code}{i + 1:03d}", cat, f"{adj}{item}", price, cost, c))
    n = len(rows)
    window = (cal.end - cal.start).days
    launched_in_window = rng.random(n) < 0.3
    offset = np.where(
        launched_in_window, rng.integers(0, window - 20, n), -rng.integers(60, 1100, n)
    )
    launch = np.array([np.datetime64(cal.start, "D") + int(o) for o in offset])
    return pl.DataFrame(
        {
            "sku": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "brand": "悦享",
            "price": [r[3] for r in rows],
            "unit_cost": [r[4] for r in rows],
            "launch_date": launch.astype("datetime64[D]"),
            "lead_time_days": rng.choice([5, 7, 10, 15, 21, 30], n).astype(float),
            "_cat": [r[5] for r in rows],
        }
    )


def demand_weights(
    cal: Calendar, products: pl.DataFrame, rng: np.random.Generator, campaign_name: np.ndarray
) -> np.ndarray:
    """Days × SKUs popularity: base × lifecycle × category season, growth and campaigns."""
    n = products.height
    cat = products["_cat"].to_numpy()
    day = np.arange(cal.n)[:, None]
    pop = rng.lognormal(0, 0.9, n)
    launch = (products["launch_date"].to_numpy().astype("datetime64[D]") - cal.days[0]).astype(int)
    ramp = np.clip((day - launch[None, :]) / 45.0, 0, 1)
    declining = rng.random(n) < 0.18
    decline_from = rng.integers(cal.n // 4, cal.n - 60, n)
    decay = np.where(
        declining[None, :] & (day > decline_from[None, :]),
        np.exp(-(day - decline_from[None, :]) / 90.0),
        1.0,
    )
    w = pop[None, :] * ramp * np.maximum(decay, 0.01)
    for c, spec in enumerate(C.CATEGORIES):
        growth, weight, peaks = spec[4], spec[6], spec[7]
        season = np.where(np.isin(cal.months, peaks), 1.35, 1.0)
        boost = np.ones(cal.n)
        if C.CATEGORIES[c][0] in ("美妆护肤", "家用电器"):
            boost[campaign_name == "双11"] = 1.6
            boost[campaign_name == "618"] = 1.4
        if C.CATEGORIES[c][0] == "食品饮料":
            boost[campaign_name == "年货节"] = 2.5
        cols = cat == c
        if not cols.any():  # a category this shop does not sell
            continue
        trend = (1 + growth) ** (np.arange(cal.n) / 365.0)
        w[:, cols] *= (weight * season * boost * trend)[:, None] / cols.sum()
    return w


def sell_and_stock(
    cal: Calendar,
    rng: np.random.Generator,
    products: pl.DataFrame,
    weights: np.ndarray,
    line_day: np.ndarray,
    expected: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day by day: sell the day's order lines from the SKUs in stock, then restock.

    Lines draw a SKU from the day's popularity among SKUs with stock; a weekly order-up-to
    policy (forecast from `expected`, the planner's view of seasonality) restocks them after
    the supplier's lead time; some suppliers are late or short, some SKUs over-bought, and
    40 days before the end one best seller's stock is cut to 25 days of sales (a batch fails
    inspection) and its supplier stops delivering, so it sells out in the last month. Returns
    each line's SKU and quantity, and end-of-day stock (days × SKUs).
    """
    n = products.height
    lead = products["lead_time_days"].to_numpy().astype(int)
    food = products["category"].to_numpy() == "食品饮料"
    pipeline = np.zeros((cal.n + 64, n))
    pipeline[0] = np.ceil(expected[:30].mean(axis=0) * 45)
    late = rng.random(n) < 0.12  # unreliable suppliers: late and short deliveries
    over = rng.random(n) < 0.08  # over-bought SKUs: stock that will not sell
    recent = expected[-30:].sum(axis=0) * ~food * (lead <= 10)
    stalled, stall_from = int(np.argmax(recent)), cal.n - 40
    over[stalled] = late[stalled] = False
    bounds = np.searchsorted(line_day, np.arange(cal.n + 1))
    sku = np.zeros(len(line_day), dtype=np.int64)
    qty = np.zeros(len(line_day), dtype=np.int64)
    sold = np.zeros((cal.n, n))
    stock = np.zeros((cal.n, n))
    on_hand = np.zeros(n)
    for d in range(cal.n):
        if d == stall_from:  # a batch fails inspection and goes back; the supplier cannot refill
            pipeline[stall_from:, stalled] = 0
            on_hand[stalled] = min(on_hand[stalled], np.ceil(sold[d - 28 : d, stalled].mean() * 25))
        on_hand += pipeline[d]
        lo, hi = bounds[d], bounds[d + 1]
        if hi > lo:
            w = weights[d] * np.where(on_hand > 0, 1.0, 0.0)
            w = w if w.sum() > 0 else weights[d]
            sku[lo:hi] = rng.choice(n, hi - lo, p=w / w.sum())
            qty[lo:hi] = (
                1
                + (rng.random(hi - lo) < np.where(food[sku[lo:hi]], 0.45, 0.15))
                + (rng.random(hi - lo) < 0.05)
            )
            sold[d] = np.bincount(sku[lo:hi], weights=qty[lo:hi], minlength=n)
        on_hand = np.maximum(on_hand - sold[d], 0)
        stock[d] = on_hand
        if d % 7 == 0:
            velocity = sold[max(0, d - 27) : d + 1].mean(axis=0)
            ahead = (
                expected[d : d + 35].mean(axis=0) if d + 35 <= cal.n else expected[d:].mean(axis=0)
            )
            target = np.maximum(velocity, ahead) * (lead + 7 + 10) * np.where(over, 3.0, 1.0)
            on_order = pipeline[d + 1 :].sum(axis=0)
            order = np.ceil(np.maximum(target - on_hand - on_order, 0))
            delay = lead + np.where(late & (rng.random(n) < 0.5), rng.integers(10, 30, n), 0)
            order = np.where(late & (rng.random(n) < 0.3), np.floor(order * 0.4), order)
            if d >= stall_from:
                order[stalled] = 0
            np.add.at(pipeline, (d + 1 + delay, np.arange(n)), order)
    return sku, qty, stock


PARTITIONED = {
    "orders": "order_time",
    "refunds": "refund_time",
    "service": "start_time",
    "reviews": "review_time",
    "inventory": "date",
}
"""Tables written month by month (hive partitions `data/orders/month=2026-10/part-0.parquet`),
as a shop's history grows; order lines follow their order's month."""


def table_path(name: str) -> str:
    """Where the demo writes a table, relative to its config."""
    return (
        f"data/{name}" if name in PARTITIONED or name == "order_items" else f"data/{name}.parquet"
    )


def write_tables(folder, tables: dict[str, pl.DataFrame]) -> None:
    """Write the large tables as monthly hive partitions, the others as data/<name>.parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    months = {name: pl.col(column).dt.strftime("%Y-%m") for name, column in PARTITIONED.items()}
    for name, frame in tables.items():
        if name == "order_items":
            month = tables["orders"].select("order_id", months["orders"].alias("_month"))
            frame = frame.join(month, on="order_id", how="left", maintain_order="left")
        elif name in months:
            frame = frame.with_columns(months[name].alias("_month"))
        else:
            frame.write_parquet(
                folder / f"{name}.parquet", statistics=True, row_group_size=1_000_000
            )
            continue
        for (month_key,), part in frame.partition_by("_month", as_dict=True).items():
            target = folder / name / f"month={month_key}"
            target.mkdir(parents=True, exist_ok=True)
            part.drop("_month").write_parquet(target / "part-0.parquet", statistics=True)


def generate(
    seed: int,
    end: str,
    months: int,
    orders_per_month: int,
    categories: frozenset[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """Every table of the demo shop (selling `categories` only, when given)."""
    rng = np.random.default_rng(seed)
    cal = make_calendar(end, months)
    campaign_mult, campaign_name = campaign_of_days(cal)
    products = make_products(cal, rng, categories)
    weights = demand_weights(cal, products, rng, campaign_name)

    per_day = daily_orders(cal, orders_per_month, rng, campaign_mult)
    unpaid = rng.binomial(per_day, 0.07)
    created = per_day + unpaid
    n = int(created.sum())
    day = np.repeat(np.arange(cal.n), created)
    is_paid = np.ones(n, dtype=bool)
    order_in_day = np.arange(n) - np.repeat(np.cumsum(created) - created, created)
    is_paid[order_in_day >= np.repeat(per_day, created)] = False
    rng.shuffle(is_paid)  # no pattern in which orders stay unpaid

    lines_per_order = 1 + np.minimum(rng.poisson(0.45, n), 4)
    expected_units = (
        weights
        / weights.sum(axis=1, keepdims=True)
        * (created * lines_per_order.mean() * 1.25)[:, None]
    )
    orders, order_day, _ = _orders(cal, rng, day, is_paid, campaign_name)
    order_index = np.repeat(np.arange(n), lines_per_order)
    line_day = order_day[order_index]
    sku, qty, stock = sell_and_stock(cal, rng, products, weights, line_day, expected_units)
    lines = pl.DataFrame({"_order": order_index, "_sku": sku, "quantity": qty, "_day": line_day})
    orders, lines = _amounts(rng, orders, lines, products)
    orders = _fulfilment(cal, rng, orders, campaign_name)
    inventory = pl.DataFrame(
        {
            "date": np.repeat(cal.days, products.height),
            "sku": np.tile(products["sku"].to_numpy(), cal.n),
            "on_hand": stock.ravel(),
            "warehouse": "华东仓",
        }
    )
    refunds = _refunds(cal, rng, orders, lines, products)
    traffic = _traffic(cal, rng, orders, campaign_mult)
    marketing = _marketing(cal, rng, orders)
    customers = _customers(rng, orders)
    service = _service(cal, rng, orders, refunds)
    reviews = _reviews(cal, rng, orders, lines, products, refunds)
    return {
        "orders": orders.drop("_day", "_customer", "_late"),
        "order_items": lines.select(
            "order_id", "sku", _variant().alias("variant"), "quantity", "unit_price", "amount"
        ),
        "products": products.drop("_cat"),
        "inventory": inventory,
        "traffic": traffic,
        "refunds": refunds,
        "marketing": marketing,
        "service": service,
        "reviews": reviews,
        "customers": customers,
        "dsr": _dsr(cal, rng, reviews),
    }


def _dsr(cal: Calendar, rng, reviews: pl.DataFrame) -> pl.DataFrame:
    """The shop's daily DSR scores (描述相符, 服务态度, 物流服务, out of 5): following the
    day's average review rating, with a little noise."""
    daily = (
        pl.DataFrame({"date": cal.days})
        .join(
            reviews.group_by(pl.col("review_time").dt.date().alias("date")).agg(
                rating=pl.col("rating").mean()
            ),
            on="date",
            how="left",
        )
        .sort("date")
        .with_columns(pl.col("rating").fill_null(strategy="forward").fill_null(4.5))
    )
    base = 3.9 + 0.2 * daily["rating"].to_numpy()
    noise = rng.normal(0, 0.01, size=(3, daily.height))
    return daily.select("date").with_columns(
        description=np.clip(base + noise[0], 0, 5).round(2),
        service=np.clip(base + 0.03 + noise[1], 0, 5).round(2),
        logistics=np.clip(base - 0.04 + noise[2], 0, 5).round(2),
    )


VARIANTS = ["白色", "白色", "浅灰", "浅灰", "雾蓝", "白色", "浅灰"]


def _variant() -> pl.Expr:
    """A colour per line, taken from the order id (no random draw: the demo's numbers stay)."""
    return (
        pl.col("order_id")
        .hash(seed=7)
        .mod(len(VARIANTS))
        .replace_strict(list(range(len(VARIANTS))), VARIANTS, return_dtype=pl.String)
    )


def _orders(cal: Calendar, rng, day: np.ndarray, is_paid: np.ndarray, campaign_name: np.ndarray):
    """Orders: ids, customers (new and returning), times, sources, regions, campaigns."""
    n = len(day)
    hour_p = np.array(C.HOURS) / sum(C.HOURS)
    hour = rng.choice(24, n, p=hour_p)
    big = np.isin(campaign_name[day], ["双11", "618"]) & (rng.random(n) < 0.25)
    peak_day = (cal.dom[day] == 11) | (cal.dom[day] == 18)
    hour = np.where(big & peak_day, rng.integers(0, 2, n), hour)
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    order_time = to_us(cal.days[day], seconds)
    order_us = order_time.astype(np.int64)
    sort = np.argsort(order_us, kind="stable")
    day, order_time, is_paid, seconds = day[sort], order_time[sort], is_paid[sort], seconds[sort]

    # customers: a new id with probability ~62%, otherwise a returning customer drawn with a
    # bias towards recent ones; regions stick to the customer
    is_new = rng.random(n) < 0.62
    is_new[:50] = True
    existing = np.cumsum(is_new) - is_new
    pick = np.floor(existing * rng.random(n) ** 0.45).astype(np.int64)
    customer = np.where(is_new, existing, np.minimum(pick, np.maximum(existing - 1, 0)))

    n_customers = int(is_new.sum())
    prov_w = np.array([p[1] for p in C.PROVINCES])
    prov = rng.choice(len(C.PROVINCES), n_customers, p=prov_w / prov_w.sum())
    city_names = [c for p in C.PROVINCES for c, _ in p[2]]
    city_offset = np.cumsum([0] + [len(p[2]) for p in C.PROVINCES])[:-1]
    city_count = np.array([len(p[2]) for p in C.PROVINCES])
    city = city_offset[prov] + np.floor(rng.random(n_customers) ** 1.6 * city_count[prov]).astype(
        int
    )

    # traffic source mix drifts from the start shares to the end shares
    frac = np.linspace(0, 1, cal.n)[:, None]
    mix = (
        np.array([s[3] for s in C.SOURCES])[None, :] * (1 - frac)
        + np.array([s[4] for s in C.SOURCES])[None, :] * frac
    )
    live = np.isin(campaign_name, ["双11", "618"])
    mix[live, 2] *= 1.5
    source = pick_by_day(rng, mix, day)

    pay_delay = (
        np.where(campaign_name[day] == "双11", rng.exponential(1800, n), rng.exponential(240, n))
        + 5
    )
    pay_time = order_time + pay_delay.astype("timedelta64[s]").astype("timedelta64[us]")
    data_end = np.datetime64(cal.end, "us")
    is_paid &= pay_time < data_end
    order_id = (
        3_100_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 997 + rng.integers(0, 997, n)
    )
    age = (data_end - pay_time).astype("timedelta64[D]").astype(int)
    status = np.where(~is_paid, 2, np.where(age > 15, 0, 1))
    frame = pl.DataFrame(
        {
            "order_id": pl.Series(order_id).cast(pl.String),
            "customer_id": pl.Series(customer).cast(pl.String).str.zfill(8),
            "order_time": order_time,
            "pay_time": pl.Series(np.where(is_paid, pay_time, np.datetime64("NaT"))),
            "status": labels(status, ["交易成功", "卖家已发货", "交易关闭"]),
            "channel": labels(source, [s[0] for s in C.SOURCES]),
            "device": labels((rng.random(n) < 0.11).astype(int), ["无线", "PC"]),
            "province": labels(prov[customer], [p[0] for p in C.PROVINCES]),
            "city": labels(city[customer], city_names),
            "campaign": pl.Series(campaign_name[day]).cast(pl.String).replace("", None),
            "_day": day,
            "_customer": customer,
        }
    ).with_columns(customer_id="C" + pl.col("customer_id"))
    return frame, day, seconds


def _amounts(rng, orders: pl.DataFrame, lines: pl.DataFrame, products: pl.DataFrame):
    """Prices, promotion and coupon discounts, shipping; line amounts add up to the order."""
    price = products["price"].to_numpy()[lines["_sku"].to_numpy()]
    has_campaign = orders["campaign"].is_not_null().to_numpy()
    # promotions: the campaign's own on campaign days, else now and then one of the everyday
    # types (live-stream prices mostly for orders from the live room)
    live = (orders["channel"] == "直播").to_numpy()
    kind = rng.choice(len(C.PROMOTIONS), orders.height, p=[p[2] for p in C.PROMOTIONS])
    kind = np.where(live & (rng.random(orders.height) < 0.5), C.LIVE_PROMOTION, kind)
    promoted = ~has_campaign & (rng.random(orders.height) < np.where(live, 0.45, 0.16))
    factor = np.where(
        has_campaign, 0.9, np.where(promoted, np.array([p[1] for p in C.PROMOTIONS])[kind], 1.0)
    )
    promotion = pl.Series(
        np.where(
            has_campaign,
            orders["campaign"].fill_null("").to_numpy() + "大促9折",
            np.where(promoted, np.array([p[0] for p in C.PROMOTIONS])[kind], ""),
        )
    ).replace("", None)
    unit_price = np.round(price * factor[lines["_order"].to_numpy()], 2)
    value = unit_price * lines["quantity"].to_numpy()
    n = orders.height
    subtotal = np.bincount(lines["_order"].to_numpy(), weights=value, minlength=n)
    coupon = rng.random(n) < np.where(has_campaign, 0.55, 0.2)
    discount = np.where(
        subtotal >= 300, 40.0, np.where(subtotal >= 200, 20.0, np.where(subtotal >= 99, 10.0, 5.0))
    )
    discount = np.where(coupon, np.minimum(discount, subtotal * 0.3), 0.0)
    shipping = np.where(subtotal - discount >= 99, 0.0, 8.0)
    paid_amount = np.round(subtotal - discount + shipping, 2)
    # the order's discount as exports give it: the coupon and the promotion's price cut
    list_value = price * lines["quantity"].to_numpy()
    price_cut = np.bincount(lines["_order"].to_numpy(), weights=list_value - value, minlength=n)
    paid = orders["pay_time"].is_not_null().to_numpy()
    codes = np.where(
        subtotal >= 300, 3, np.where(subtotal >= 200, 2, np.where(subtotal >= 99, 1, 0))
    )
    orders = orders.with_columns(
        paid_amount=np.where(paid, paid_amount, 0.0),
        discount_amount=np.round(discount + price_cut, 2),
        shipping_fee=shipping,
        coupon_code=pl.Series(np.where(coupon, codes, -1)).replace_strict(
            {-1: None, 0: "店铺券5元", 1: "满99减10", 2: "满200减20", 3: "满300减40"},
            return_dtype=pl.String,
        ),
        promotion=promotion,
    )
    net_share = np.where(
        subtotal > 0, (subtotal - discount) / np.where(subtotal > 0, subtotal, 1), 0
    )
    amount = np.round(value * net_share[lines["_order"].to_numpy()], 2)
    lines = lines.with_columns(
        order_id=orders["order_id"].gather(lines["_order"]),
        sku=products["sku"].gather(lines["_sku"]),
        unit_price=unit_price,
        amount=amount,
    )
    return orders, lines


def _fulfilment(
    cal: Calendar, rng, orders: pl.DataFrame, campaign_name: np.ndarray
) -> pl.DataFrame:
    """Ship, delivery and promised delivery times of paid orders: shipped within a day as a
    rule (slower at the Double 11 peak), delivered in 1–2 days nearby and 3–5 far away, promised
    on the day of payment plus the region's standard days plus two. Times after the data's end
    are not there yet."""
    n = orders.height
    pay = orders["pay_time"].to_numpy()
    day = orders["_day"].to_numpy()
    rush = np.isin(campaign_name[day], ["双11", "618"])
    ship_h = rng.lognormal(np.log(16), 0.75, n) * np.where(rush, 2.4, 1.0)
    far = ~orders["province"].is_in(C.NEAR_PROVINCES).to_numpy()
    standard = np.where(far, 3.5, 1.5)
    transit_d = rng.gamma(4, standard / 4) * np.where(rush, 1.35, 1.0)
    hours = lambda h: (h * 3600).astype("timedelta64[s]").astype("timedelta64[us]")  # noqa: E731
    ship = pay + hours(ship_h)
    delivered = ship + hours(transit_d * 24)
    promised = pay.astype("datetime64[D]").astype("datetime64[us]") + hours((standard + 2 + 1) * 24)
    end = np.datetime64(cal.end, "us")
    nat = np.datetime64("NaT")
    return orders.with_columns(
        ship_time=pl.Series(np.where(ship < end, ship, nat)),
        delivered_time=pl.Series(np.where(delivered < end, delivered, nat)),
        promised_time=pl.Series(np.where(np.isnat(pay), nat, promised)),
        _late=pl.Series(delivered > promised),
    )


def _refunds(
    cal, rng, orders: pl.DataFrame, lines: pl.DataFrame, products: pl.DataFrame
) -> pl.DataFrame:
    """Refunds of paid lines by category return rates and reasons, after the payment."""
    order_idx = lines["_order"].to_numpy()
    paid = orders["pay_time"].is_not_null().to_numpy()[order_idx]
    cat = products["_cat"].to_numpy()[lines["_sku"].to_numpy()]
    rate = np.array([c[5] for c in C.CATEGORIES])[cat]
    recent = lines["_day"].to_numpy() >= cal.n - 45
    womens = cat == 0
    rate = rate * np.where(recent & womens, 1.35, 1.0)  # a sizing problem in the latest collection
    rate = rate * np.where(orders["campaign"].is_not_null().to_numpy()[order_idx], 1.2, 1.0)
    hit = paid & (rng.random(len(rate)) < rate)
    idx = np.flatnonzero(hit)
    mix = np.array([C.REASON_MIX[C.CATEGORIES[c][0]] for c in range(len(C.CATEGORIES))])
    reason = pick_by_day(rng, mix, cat[idx])
    pay = orders["pay_time"].to_numpy()[order_idx[idx]]
    delay = (
        (rng.lognormal(np.log(4 * 86400), 0.7, len(idx)))
        .astype("timedelta64[s]")
        .astype("timedelta64[us]")
    )
    refund_time = (pay + delay).astype("datetime64[s]").astype("datetime64[us]")
    keep = refund_time < np.datetime64(cal.end, "us")
    kind = np.where(np.isin(reason, [3, 8]), 1, 0)
    return pl.DataFrame(
        {
            "order_id": lines["order_id"].gather(idx).filter(keep),
            "sku": lines["sku"].gather(idx).filter(keep),
            "refund_time": refund_time[keep],
            "amount": lines["amount"].to_numpy()[idx][keep],
            "reason": labels(reason[keep], C.REFUND_REASONS),
            "kind": labels(kind[keep], ["return", "refund_only"]),
        }
    ).sort("refund_time", "order_id")


def _traffic(cal, rng, orders: pl.DataFrame, campaign_mult: np.ndarray) -> pl.DataFrame:
    """Visitors per day and source from buyers ÷ the source's conversion (which drifts)."""
    paid = orders.filter(pl.col("pay_time").is_not_null())
    names = [s[0] for s in C.SOURCES]
    code = (
        paid["channel"]
        .replace_strict({s: i for i, s in enumerate(names)}, return_dtype=pl.Int64)
        .to_numpy()
    )
    day = (paid["pay_time"].to_numpy().astype("datetime64[D]") - cal.days[0]).astype(int)
    buyers = np.zeros((cal.n, len(names)))
    np.add.at(buyers, (day, code), 1)
    conv = np.array([s[1] for s in C.SOURCES])[None, :] * np.ones((cal.n, 1))
    conv *= np.where(campaign_mult > 1.5, 1.6, np.where(campaign_mult > 1.1, 1.15, 1.0))[:, None]
    last_month = cal.days >= cal.days[-1].astype("datetime64[M]").astype("datetime64[D]")
    conv[last_month, 1] *= 0.7  # the recommendation feed converted worse in the last month
    visitors = np.round(
        buyers / conv * rng.lognormal(0, 0.05, buyers.shape) + rng.integers(3, 40, buyers.shape)
    )
    cart = np.round(
        visitors
        * np.array([s[2] for s in C.SOURCES])[None, :]
        * rng.lognormal(0, 0.05, buyers.shape)
    )
    return pl.DataFrame(
        {
            "date": np.repeat(cal.days, len(names)),
            "source": np.tile(names, cal.n),
            "visitors": visitors.ravel(),
            "page_views": np.round(visitors.ravel() * rng.uniform(2.6, 3.8, visitors.size)),
            "cart_visitors": cart.ravel(),
            "fav_visitors": np.round(visitors.ravel() * rng.uniform(0.03, 0.05, visitors.size)),
            "bounce_rate": np.round(rng.uniform(0.38, 0.6, visitors.size), 3),
        }
    )


def _marketing(cal, rng, orders: pl.DataFrame) -> pl.DataFrame:
    """Paid channels: attributed GMV as a share of their source's GMV, spend from ROAS."""
    paid = orders.filter(pl.col("pay_time").is_not_null()).with_columns(
        date=pl.col("pay_time").dt.date()
    )
    by_day = paid.group_by("date", "channel").agg(gmv=pl.col("paid_amount").sum(), n=pl.len())
    days = pl.DataFrame({"date": cal.days.astype("datetime64[D]")})
    frames = []
    for channel, source, share, roas, cpc, ctr in C.PAID_CHANNELS:
        daily = days.join(
            by_day.filter(pl.col("channel") == source), on="date", how="left"
        ).fill_null(0)
        k = daily.height
        attributed = daily["gmv"].to_numpy() * share * rng.lognormal(0, 0.08, k)
        spend = attributed / (roas * rng.lognormal(0, 0.12, k))
        clicks = np.round(spend / (cpc * rng.lognormal(0, 0.05, k)))
        frames.append(
            pl.DataFrame(
                {
                    "date": daily["date"],
                    "channel": channel,
                    "spend": np.round(spend, 2),
                    "impressions": np.round(clicks / (ctr * rng.lognormal(0, 0.05, k))),
                    "clicks": clicks,
                    "attributed_gmv": np.round(attributed, 2),
                    "attributed_orders": np.round(daily["n"].to_numpy() * share),
                }
            )
        )
    return pl.concat(frames).sort("date", "channel")


def _customers(rng, orders: pl.DataFrame) -> pl.DataFrame:
    """One row per customer: first order, membership tier by spend, gender, age band."""
    per = (
        orders.group_by("customer_id")
        .agg(first_order_time=pl.col("order_time").min(), spend=pl.col("paid_amount").sum())
        .sort("customer_id")
    )
    n = per.height
    tier = np.searchsorted([300, 1500, 5000], per["spend"].to_numpy(), side="right")
    join = per["first_order_time"].to_numpy() - (rng.integers(0, 400, n) * 86400e6).astype(
        "timedelta64[us]"
    )
    return per.select(
        "customer_id",
        "first_order_time",
        member_tier=labels(tier, C.MEMBER_TIERS),
        join_time=pl.Series(join),
        gender=labels((rng.random(n) < 0.34).astype(int), ["女", "男"]),
        age_band=labels(rng.choice(6, n, p=[0.14, 0.26, 0.24, 0.16, 0.13, 0.07]), C.AGE_BANDS),
    )


def _service(cal, rng, orders: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Sessions before purchase, from browsers who did not buy, and after-sales."""
    paid = orders.filter(pl.col("pay_time").is_not_null())
    pre = paid.sample(fraction=0.24, seed=int(rng.integers(1 << 31)))
    pre_start = pre["pay_time"].to_numpy() - (rng.exponential(3 * 3600, pre.height) + 120).astype(
        "timedelta64[s]"
    )
    browsers = orders.sample(fraction=0.08, seed=int(rng.integers(1 << 31)))
    br_start = browsers["order_time"].to_numpy() - (
        rng.uniform(2, 20, browsers.height) * 86400
    ).astype("timedelta64[s]")
    after = refunds.sample(fraction=0.6, seed=int(rng.integers(1 << 31))).join(
        orders.select("order_id", "customer_id"), on="order_id", how="left"
    )
    af_start = after["refund_time"].to_numpy() - (rng.uniform(0.1, 2, after.height) * 86400).astype(
        "timedelta64[s]"
    )
    start = (
        np.concatenate([pre_start, br_start, af_start])
        .astype("datetime64[s]")
        .astype("datetime64[us]")
    )
    customer = pl.concat([pre["customer_id"], browsers["customer_id"], after["customer_id"]])
    kind = np.concatenate(
        [np.zeros(pre.height), np.ones(browsers.height), np.full(after.height, 2)]
    ).astype(int)
    n = len(start)
    keep = (start >= np.datetime64(cal.start, "us")) & (start < np.datetime64(cal.end, "us"))
    bot = rng.random(n) < np.where(kind == 2, 0.35, 0.6)
    day = (start.astype("datetime64[D]") - cal.days[0]).astype(int).clip(0, cal.n - 1)
    busy = np.isin(cal.months[day], [6, 11]) & np.isin(cal.dom[day], [1, 2, 3, 11, 18])
    latest = day >= cal.n - (cal.dom[-1])
    human = (
        rng.lognormal(np.log(22), 0.6, n) * np.where(busy, 2.6, 1.0) * np.where(latest, 1.3, 1.0)
    )
    response = np.round(np.where(bot, rng.uniform(1, 3, n), human), 1)
    resolved = rng.random(n) < np.where(bot, 0.72, 0.9)
    base = np.clip(
        5 - (response > 60) - (response > 180) - (~resolved) * 2 + rng.integers(-1, 1, n), 1, 5
    )
    rated = rng.random(n) < 0.45
    topic = np.where(
        kind == 2, 4, rng.choice([0, 1, 2, 3, 5, 6], n, p=[0.35, 0.2, 0.2, 0.12, 0.05, 0.08])
    )
    frame = pl.DataFrame(
        {
            "start_time": start,
            "customer_id": customer,
            "first_response_seconds": response,
            "handled_by": labels(bot.astype(int), ["human", "bot"]),
            "resolved": resolved,
            "satisfaction": pl.Series(np.where(rated, base, 0)).replace(0, None).cast(pl.Float64),
            "topic": labels(topic, C.SERVICE_TOPICS),
        }
    )
    return frame.filter(pl.Series(keep)).sort("start_time", "customer_id")


def _reviews(cal, rng, orders, lines, products, refunds) -> pl.DataFrame:
    """Reviews of paid lines a few days after payment; refunded lines review worse."""
    pay = orders["pay_time"].to_numpy()[lines["_order"].to_numpy()]
    paid = ~np.isnat(pay)
    refunded = lines.select("order_id", "sku").join(
        refunds.select("order_id", "sku", "reason").unique(["order_id", "sku"]),
        on=["order_id", "sku"],
        how="left",
    )["reason"]
    was_refunded = refunded.is_not_null().to_numpy()
    write = paid & (rng.random(lines.height) < np.where(was_refunded, 0.2, 0.33))
    idx = np.flatnonzero(write)
    n = len(idx)
    cat = products["_cat"].to_numpy()[lines["_sku"].to_numpy()[idx]]
    weak_sku = products["sku"].to_numpy()[lines["_sku"].to_numpy()[idx]] == "JD003"
    late = orders["_late"].to_numpy()[lines["_order"].to_numpy()[idx]]
    good_p = np.array([0.015, 0.012, 0.043, 0.15, 0.78])
    bad_p = np.array([0.55, 0.25, 0.12, 0.05, 0.03])
    late_p = np.array([0.16, 0.12, 0.22, 0.2, 0.3])
    probs = np.where(
        (was_refunded[idx] | weak_sku)[:, None],
        bad_p[None, :],
        np.where(late[:, None], late_p[None, :], good_p[None, :]),
    )
    rating = 1 + pick_by_day(rng, probs, np.arange(n))
    reason = (
        refunded.gather(idx)
        .fill_null("质量问题")
        .replace_strict({r: i for i, r in enumerate(C.REFUND_REASONS)}, return_dtype=pl.Int64)
        .to_numpy()
    )
    bad_texts = [C.BAD_REVIEWS[r] for r in C.REFUND_REASONS]
    bad_offset = (
        len(C.GOOD_REVIEWS)
        + len(C.MIDDLE_REVIEWS)
        + np.cumsum([0] + [len(t) for t in bad_texts])[:-1]
    )
    bad_count = np.array([len(t) for t in bad_texts])
    texts = (
        C.GOOD_REVIEWS
        + C.MIDDLE_REVIEWS
        + [t for group in bad_texts for t in group]
        + C.LATE_REVIEWS
    )
    late_offset = len(texts) - len(C.LATE_REVIEWS)
    about_delivery = late & ~was_refunded[idx]
    text_index = np.where(
        rating >= 4,
        rng.integers(0, len(C.GOOD_REVIEWS), n),
        np.where(
            rating == 3,
            len(C.GOOD_REVIEWS) + rng.integers(0, len(C.MIDDLE_REVIEWS), n),
            np.where(
                about_delivery,
                late_offset + rng.integers(0, len(C.LATE_REVIEWS), n),
                bad_offset[reason] + rng.integers(0, 1 << 20, n) % bad_count[reason],
            ),
        ),
    )
    text = labels(text_index, texts)
    review_time = pay[idx] + (rng.uniform(3, 15, n) * 86400).astype("timedelta64[s]").astype(
        "timedelta64[us]"
    )
    keep = review_time < np.datetime64(cal.end, "us")
    del cat
    return (
        pl.DataFrame(
            {
                "order_id": lines["order_id"].gather(idx),
                "sku": lines["sku"].gather(idx),
                "review_time": review_time,
                "rating": rating.astype(float),
                "text": text,
            }
        )
        .filter(pl.Series(keep))
        .sort("review_time", "order_id")
    )
