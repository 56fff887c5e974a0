"""Writing the demo shop to a folder: its tables under data/ and shopreport.yaml."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import jinja2
import numpy as np
import polars as pl

from shopreport.demo import catalog as C
from shopreport.demo.generator import generate, table_path, write_tables
from shopreport.errors import ConfigError
from shopreport.resources import templates_dir

SHOPS = [
    (
        "yuexiang",
        "悦享生活旗舰店",
        ("李明（运营负责人）", "Li Ming (Head of Operations)"),
        1.0,
        None,
    ),
    (
        "senyu",
        "森屿家居旗舰店",
        ("王芳（店长）", "Wang Fang (Shop Manager)"),
        0.6,
        {"家居日用", "家用电器", "数码配件"},
    ),
    (
        "xiaolu",
        "小鹿母婴专营店",
        ("陈静（运营）", "Chen Jing (Operations)"),
        0.4,
        {"母婴用品", "家居日用", "食品饮料"},
    ),
    (
        "shanye",
        "山野户外旗舰店",
        ("刘洋（运营）", "Liu Yang (Operations)"),
        0.3,
        {"运动户外", "男装", "数码配件"},
    ),
    (
        "chayu",
        "茶语食品旗舰店",
        ("赵敏（店长）", "Zhao Min (Shop Manager)"),
        0.2,
        {"食品饮料", "家居日用"},
    ),
]
"""The demo portfolio's shops: folder, name, presenter, size against --orders-per-month, and
the categories it sells (all nine: None). A food shop selling 女装 read as made up."""


def write_portfolio(
    folder: Path,
    shops: int,
    seed: int = 7,
    end: str = "2026-10",
    orders_per_month: int = 8000,
    months: int | None = None,
) -> list[Path]:
    """An agency's demo: `shops` shops under folder/shops/<name>/ and folder/portfolio.yaml."""
    if not 1 <= shops <= len(SHOPS):
        raise ConfigError(f"--shops: from 1 to {len(SHOPS)}.")
    configs = [
        write_demo(
            folder / "shops" / slug,
            seed=seed + i,
            end=end,
            months=months,
            orders_per_month=max(10, round(orders_per_month * size)),
            shop=name,
            presenter=presenter,
            categories=frozenset(categories) if categories else None,
        )
        for i, (slug, name, presenter, size, categories) in enumerate(SHOPS[:shops])
    ]
    (folder / "portfolio.yaml").write_text(
        "# The portfolio deck across the shops: shopreport build --portfolio portfolio.yaml …\n"
        "name: 星辰电商代运营 · 客户组合\n"
        "presenter: {zh-CN: 周洁（客户总监）, en: Zhou Jie (Client Director)}\ncurrency: CNY\n"
        "fx: {}  # rates into CNY of shops in other currencies, e.g. USD: 7.1\n",
        encoding="utf-8",
    )
    return configs


def write_demo(
    folder: Path,
    seed: int = 7,
    end: str = "2026-10",
    months: int | None = None,
    orders_per_month: int = 8000,
    shop: str = "悦享生活旗舰店",
    presenter: tuple[str, str] = ("李明（运营负责人）", "Li Ming (Head of Operations)"),
    categories: frozenset[str] | None = None,
) -> Path:
    """Generate the demo shop into `folder` and return the path of its config."""
    try:
        np.datetime64(end, "M")
    except ValueError:
        raise ConfigError(f"--end '{end}' is not a month: write YYYY-MM.") from None
    if len(end) != 7:
        raise ConfigError(f"--end '{end}' is not a month: write YYYY-MM.")
    config = folder / "shopreport.yaml"
    if config.is_file() and not config.read_text(encoding="utf-8", errors="replace").startswith(
        DEMO_HEADER
    ):
        raise ConfigError(
            f"{config} exists and is not a demo's config: `demo` would overwrite it and the "
            "data folder beside it. Write the demo into another folder."
        )
    tables = generate(seed, end, months or default_months(end), orders_per_month, categories)
    write_tables(folder / "data", tables)
    config.write_text(render_config(tables, end, shop, presenter), encoding="utf-8")
    return config


DEMO_HEADER = "# shopreport config of the demo shop, written by `shopreport demo`."
"""The first line of a demo's config (templates/demo/shopreport.yaml.j2): a folder holding
another config is not written over."""


def default_months(end: str) -> int:
    """From January two years before the end month: the annual review of the last full year
    then has a full year before it to compare with (2026-10 → 2024-01 … 2026-10, 34 months)."""
    return 24 + int(end[5:7])


def _round(value: float, digits: int = 2) -> float:
    """Round to `digits` significant digits, as people write targets."""
    if value <= 0:
        return value
    scale = 10 ** (digits - 1 - math.floor(math.log10(value)))
    return round(value * scale) / scale


def monthly_targets(tables: dict[str, pl.DataFrame], end: str) -> dict[str, dict[str, float]]:
    """Targets for the last three months and the next one: last year's month grown ~20%."""
    paid = (
        tables["orders"]
        .filter(pl.col("pay_time").is_not_null())
        .with_columns(month=pl.col("pay_time").dt.strftime("%Y-%m"))
    )
    monthly = paid.group_by("month").agg(
        gmv=pl.col("paid_amount").sum(), buyers=pl.col("customer_id").n_unique()
    )
    by_month = {r["month"]: r for r in monthly.to_dicts()}
    last = np.datetime64(end, "M")
    targets = {}
    for k in (-2, -1, 0, 1):
        month = str(last + k)
        base = by_month.get(str(last + k - 12)) or by_month.get(str(last + min(k, 0)))
        if not base:
            continue
        targets[month] = {
            "gmv": _round(base["gmv"] * 1.2, 3),
            "buyers": _round(base["buyers"] * 1.15, 3),
            "conversion": 0.03,
            "refund_rate": 0.08,
        }
    return targets


# the demo's campaign calendar (generator.campaign_of_days): phases by month and day
CAMPAIGN_PHASES = {
    "double11": (
        ("双11", "Double 11"),
        [("预热", (10, 20), (10, 31)), ("爆发", (11, 1), (11, 11)), ("返场", (11, 12), (11, 13))],
    ),
    "618": (
        ("618", "618"),
        [("预热", (5, 25), (5, 31)), ("爆发", (6, 1), (6, 18)), ("返场", (6, 19), (6, 20))],
    ),
}
PHASE_EN = {"预热": "Warm-up", "爆发": "Peak", "返场": "Encore"}
"""The demo's campaign and phase names are written in both deck languages."""


def demo_campaigns(tables: dict[str, pl.DataFrame], end: str) -> list[dict]:
    """The last two Double 11s and 618s inside the data and one under way at its end, each
    compared with the one before, with a GMV target of the earlier one's GMV grown 20%."""
    paid = tables["orders"].filter(pl.col("pay_time").is_not_null())
    first, last = paid["pay_time"].min().date(), paid["pay_time"].max().date()
    out = []
    for key, (label, phases) in CAMPAIGN_PHASES.items():
        years = [
            y
            for y in range(first.year - 1, last.year + 1)
            if first <= date(y, *phases[0][1]) - timedelta(weeks=4)
            and date(y, *phases[-1][2]) <= last
        ]
        # a campaign under way at the data's end (Double 11 2026's warm-up from 20 October): a
        # team declares it before it starts, and the month's deck names it as a cause
        running = [
            y for y in (last.year,) if date(y, *phases[0][1]) <= last < date(y, *phases[-1][2])
        ]
        chain = years[-2:] + running
        for i, year in enumerate(chain):
            start, stop = date(year, *phases[0][1]), date(year, *phases[-1][2])
            gmv = paid.filter(pl.col("pay_time").dt.date().is_between(start, stop))[
                "paid_amount"
            ].sum()
            out.append(
                {
                    "key": f"{key}-{year}",
                    "name": f"{year}年{label[0]}",
                    "name_en": f"{label[1]} {year}",
                    "year": year,
                    "gmv": gmv,
                    "phases": [
                        (n, PHASE_EN[n], date(year, *a), date(year, *b)) for n, a, b in phases
                    ],
                    "compare_with": f"{key}-{chain[i - 1]}" if i >= 1 else None,
                    "running": year in running,
                }
            )
    for c in out:
        base = next((o for o in out if o["key"] == c["compare_with"]), None)
        c["target"] = _round(base["gmv"] * 1.2, 3) if base else None
    return out


def render_config(
    tables: dict[str, pl.DataFrame],
    end: str,
    shop: str = "悦享生活旗舰店",
    presenter: tuple[str, str] = ("李明（运营负责人）", "Li Ming (Head of Operations)"),
) -> str:
    """The demo config from templates/demo/shopreport.yaml.j2."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    year = int(end[:4]) - (0 if end[5:] == "12" else 1)  # the last complete year
    return env.get_template("demo/shopreport.yaml.j2").render(
        tables={name: table_path(name) for name in tables},
        targets=monthly_targets(tables, end),
        last_month=end,
        campaigns=demo_campaigns(tables, end),
        year=year,
        shop=shop,
        presenter=presenter,
        names=demo_names(tables),
    )


def demo_names(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    """The English of the names this demo's data has (its products among the catalogue's)."""
    english = C.english_names()
    products = set(tables["products"]["name"])
    return {k: v for k, v in english.items() if k in C.ENGLISH or k in products}
