"""The public entry points: what the CLI calls, and what a script may call."""

from __future__ import annotations

import contextlib
import difflib
import importlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from shopreport.config import Config, in_language, read_config
from shopreport.errors import ConfigError, DataError
from shopreport.metrics import KpiReport, Period
from shopreport.metrics import compute_kpis as _compute
from shopreport.metrics.base import in_range
from shopreport.metrics.engine import read_span
from shopreport.metrics.period import month_holes, parse_month, shop_today
from shopreport.metrics.report import renamed
from shopreport.notes import Note
from shopreport.sources.dataset import Dataset, read_dataset, tomorrow
from shopreport.sources.readers import describe_files
from shopreport.sources.rules import reading_rules, source_of
from shopreport.sources.store import (
    MISSING,
    Store,
    keep,
    load_dataset,
    never_prepare,
    open_store,
    reads_plainly,
    recall,
    save_dataset,
)
from shopreport.vocab.contract import TABLES


def load(
    config: str | Path | Config, store: Store | None = None, periods: list[Period] | None = None
) -> Dataset:
    """Read the config (a path or a Config) and scan its tables, checking the contract; with a
    store, the prepared tables when the inputs did not change (else they are prepared now,
    unless this is the first report over them: `reads_plainly`). With `periods` and no store,
    tables in a database send only the range reports on them read, and of tables kept as
    monthly partitions only those months are read."""
    cfg = config if isinstance(config, Config) else read_config(config)
    if store is not None:
        prepared = load_dataset(store, cfg)
        if prepared is not None:
            return prepared
        if reads_plainly(store):
            store = None
    # the store keeps every row; without it a report reads its range only
    span = read_span(periods, cfg.metrics) if periods and store is None else None
    ds = read_dataset(cfg, span=span)
    try:
        ds.check()
    except DataError:
        if store is None or not periods:
            raise
        # a bad row, perhaps in a month the report does not read: the report reads as without
        # the store (its checks cover the months it reads), and so do the next ones
        never_prepare(store)
        return load(cfg, None, periods)
    if store is not None:
        save_dataset(store, ds)
        return load_dataset(store, cfg) or ds  # the stored tables: sorted, typed Parquet
    return ds


def month(config: Config, text: str, today: date | None = None) -> Period:
    """The month named on the command line ('2026-10' or 'previous')."""
    return parse_month(text, config.timezone, today)


def compute_kpis(
    config: str | Path | Config,
    period: str | Period,
    allow_empty: bool = False,
    today: date | None = None,
    cache: bool = True,
) -> KpiReport:
    """Every metric of a month with MoM, YoY and attainment, and the breakdowns (remembered in
    the shop's prepared store unless `cache` is off)."""
    cfg = config if isinstance(config, Config) else read_config(config)
    if isinstance(period, str):
        period = month(cfg, period, today)  # a usage error is reported before any data is read
    store = open_store(cfg, cache)
    today = today or shop_today(cfg.timezone)
    what = ["kpis", period.label, str(period.start), str(period.end), str(today), allow_empty]
    report = recall(store, what)  # looked up before any table is read
    if report is not MISSING:
        return report
    ds = load(cfg, store, [period])
    if not allow_empty:
        _require_orders(ds, period, allow_empty_hint=True)
    elif (end := ds.data_end()) is not None and period.start > end:
        # a month without orders is reported; one after the data is unknown, not zeros
        raise DataError(
            f"{period.label} begins after the data ends ({end}): its figures are unknown, not "
            "0, even with --allow-empty. Export the orders of that period first."
        )
    elif (first := ds.data_start()) is not None and period.last_day < first:
        raise DataError(
            f"{period.label} ends before the data begins ({first}): its figures are unknown, "
            "not 0, even with --allow-empty."
        )
    if "text" in ds.columns("reviews"):  # the word cutter (0.1 s), beside the queries
        threading.Thread(target=_import_quietly, args=("rjieba",), daemon=True).start()
    report = _compute(ds, period, today)
    keep(store, what, report)
    return report


@dataclass
class TableReport:
    """What `validate` says of one table."""

    name: str
    files: list[str]
    rows: int | None = None
    first: str | None = None
    last: str | None = None
    mapped: dict[str, str] | None = None
    unused: list[str] | None = None
    errors: list[str] | None = None
    warnings: list[str] | None = None
    rules: list[str] | None = None
    """How the table was read (basis, cancellations, refunds, time zone, dates, files)."""
    paid_last: str | None = None
    """Orders: the last pay time's day when it is after the last order time's (an order of 29
    February paid on 1 March counts in March)."""


TYPO = 0.85
"""How alike an unread header and a column the table lacks are to be called a typo ('pay_tme',
'discount_amout'; not Shopify's 'Name' for a product's name, nor 'Country' for 'amount')."""


def validate(
    config: str | Path | Config, month_text: str | None = None, today: date | None = None
) -> list[TableReport]:
    """Check the config and every table against the contract, without stopping at the first
    problem."""
    cfg = config if isinstance(config, Config) else read_config(config)
    failures: dict[str, str] = {}
    ds = read_dataset(cfg, failures)
    problems = ds.problems(one_at_a_time=True, thorough=True) if ds else []
    rules = reading_rules(
        cfg,
        {
            n: t.files or [Path(t.database.where)]
            for n, t in ds.tables.items()
            if t.files or t.database
        }
        if ds
        else {},
        {n: list(t.headers) for n, t in ds.tables.items()} if ds else {},
    )
    reports = [TableReport(name, [], errors=[message]) for name, message in failures.items()]
    for name, source in ds.tables.items() if ds else []:
        column = TABLES[name].time
        cols = ds.columns(name)
        exprs = [pl.len().alias("rows")]
        if column in cols:
            exprs += [
                pl.col(column).min().cast(pl.String).alias("first"),
                pl.col(column).max().cast(pl.String).alias("last"),
            ]
        if name == "orders" and "pay_time" in cols:
            exprs.append(pl.col("pay_time").max().cast(pl.String).alias("paid_last"))
        stats = ds.frame(name).select(exprs).collect().row(0, named=True)
        last, paid_last = (stats.get("last") or "")[:10], (stats.get("paid_last") or "")[:10]
        spec = cfg.data.tables()[name]
        # a column the config derives names where it comes from ("收货地址 (part 1) → province"),
        # not its own made-up header, which is no column of the file
        mapped = {
            canonical: source_of(spec, canonical) if header in spec.derive else header
            for canonical, header in source.headers.items()
        }
        referenced = json.dumps(cfg.data.tables()[name].model_dump(), ensure_ascii=False)
        unused = [
            c
            for c in source.file_columns
            if c not in mapped.values() and f'"{c}"' not in referenced
        ]
        # a header one typo from a column the table can have ("pay_tme"): the rule it changes
        # (orders counted at their order time) is worth a warning, not a line under "not used"
        lacking = [c.name for c in TABLES[name].columns if c.name not in mapped]
        typos = [
            f"column '{c}' is not read. Did you mean '{near[0]}'? Rename the header, or map it "
            "under `columns:`."
            for c in unused
            if (near := difflib.get_close_matches(c, lacking, n=1, cutoff=TYPO))
        ]
        holes = _month_holes(ds) if name == "orders" and "pay_time" in cols else []
        database = source.database
        reports.append(
            TableReport(
                name,
                [database.where] if database else describe_files(source.files, full=True),
                stats["rows"],
                (stats.get("first") or "")[:10] or None,
                (stats.get("last") or "")[:10] or None,
                mapped,
                unused,
                [p.message for p in problems if p.table == name and p.error]
                + (  # the one table a report cannot do without
                    [f"{source.files[0] if source.files else name}: no rows: nothing to report"]
                    if name == "orders" and not stats["rows"]
                    else []
                ),
                [p.message for p in problems if p.table == name and not p.error and not p.info]
                + typos
                + holes,
                ([database.rule] if database else [])
                + rules.get(name, [])
                + [p.message for p in problems if p.table == name and p.info],
                paid_last if last and paid_last > last else None,
            )
        )
    for name, files in (ds.empty_files if ds else {}).items():
        reports.append(
            TableReport(
                name,
                describe_files(files, full=True),
                0,
                rules=[
                    "a header and no rows: the table is left out, as if not configured, and "
                    "the slides that need it say so"
                ],
            )
        )
    if ds and month_text and not any(r.errors for r in reports):
        try:
            _require_orders(ds, month(cfg, month_text, today))
        except DataError as exc:
            next(r for r in reports if r.name == "orders").errors.append(exc.message)
    order = list(TABLES)
    return sorted(reports, key=lambda r: order.index(r.name))


def _month_holes(ds: Dataset) -> list[str]:
    """Months without a paid order in short runs between months with some: an export left out
    (a report compares nothing with such a month: `metrics.engine`, `orders_hole`)."""
    months = (
        ds.frame("orders")
        .filter(pl.col("pay_time").is_not_null(), pl.col("pay_time") < tomorrow(ds.config))
        .select(pl.col("pay_time").dt.truncate("1mo").unique().sort().dt.strftime("%Y-%m"))
        .collect()
        .to_series()
        .to_list()
    )
    holes = sorted(month_holes(set(months)))
    return (
        [
            f"no paid order in {', '.join(holes)}, between months that have them: an export "
            "left out? Reports compare nothing with such a month."
        ]
        if holes
        else []
    )


def _require_orders(ds: Dataset, period: Period, allow_empty_hint: bool = False) -> None:
    """Stop with a clear message when the period has no paid orders, or only free ones (a
    dormant shop's "GMV $0, −100 %" deck), naming `--allow-empty` where the command has it:
    `kpis`."""
    orders = ds.history("orders").filter(
        pl.col("pay_time").is_not_null(), pl.col("order_time") < tomorrow(ds.config)
    )  # an order misdated into the future is no end of the data (`Dataset.data_end`)
    columns = orders.collect_schema().names()
    # an order of unknown amount (Taobao's behaviour log has none) may have sold
    sold = (
        pl.col("paid_amount").is_null() | (pl.col("paid_amount") > 0)
        if "paid_amount" in columns
        else pl.lit(True)
    )
    row = (
        pl.concat(
            [
                orders.filter(in_range("pay_time", period.start, period.end)).select(
                    n=pl.len(), sold=sold.sum()
                ),
                orders.filter(sold).select(
                    first=pl.col("pay_time").min(), last=pl.col("pay_time").max()
                ),
            ],
            how="horizontal",
        )
        .collect()
        .row(0, named=True)
    )
    if row["n"] and not row["sold"]:
        hint = " (or pass --allow-empty to report it)" if allow_empty_hint else ""
        span = (
            f"; the data's sales run from {row['first']:%Y-%m-%d} to {row['last']:%Y-%m-%d}"
            if row["first"]
            else ""
        )
        orders = (
            "its one paid order paid 0 (a free or fully discounted order)"
            if row["n"] == 1
            else f"its {row['n']} paid orders all paid 0 (free or fully discounted orders)"
        )
        raise DataError(
            f"No sales in {period.label}: {orders}, so there is nothing to report{span}{hint}."
        )
    if row["n"] == 0:
        files = ", ".join(str(f) for f in ds.tables["orders"].files[:3]) or "the database"
        kind = "month" if period.kind == "month" else "period"
        if row["first"] and row["first"].date() < period.start and row["last"].date() >= period.end:
            span = (  # a hole in a folder of monthly exports
                f"the data has paid orders before and after it ({row['first']:%Y-%m-%d} to "
                f"{row['last']:%Y-%m-%d}), so that {kind}'s orders export looks missing. Add it, "
                f"or choose another {kind}"
            )
        elif row["first"]:
            span = (
                f"the data has paid orders from {row['first']:%Y-%m-%d} to "
                f"{row['last']:%Y-%m-%d}. Choose a {kind} inside that range"
            )
        elif not ds.frame("orders").select(pl.len()).collect().item():
            span = (  # none read, or none left after the config's steps
                f"the orders ({files}) have no rows left after the config's `filter` under "
                "data.orders (or the preset's)"
                if ds.config.data.tables()["orders"].filter
                else f"the orders ({files}) have no rows, a header only: export them again"
            )
        else:
            span = (
                f"the orders ({files}) have no paid order at all; `shopreport validate` shows "
                "how they were read (which column is the pay time, which statuses mean paid)"
            )
        hint = (
            " (or pass --allow-empty to report a month without orders)" if allow_empty_hint else ""
        )
        raise DataError(f"No paid orders in {period.label}: {span}{hint}.")


@dataclass(frozen=True)
class BuiltDeck:
    """A written deck: where, how many slides, and the sections left out (title → reason)."""

    path: Path
    slides: int
    left_out: dict[str, str]
    notes: list[Note]
    extras: list[Path] = field(default_factory=list)
    """The PDF and slide images written beside the deck."""


def build_deck(
    config: str | Path | Config,
    kind: str,
    subject: str,
    out: str | Path | None = None,
    language: str | None = None,
    today: date | None = None,
    progress: Callable[[str], None] = lambda step: None,
    charts: str | None = None,
    pdf: bool = False,
    png_dir: str | Path | None = None,
    cache: bool = True,
) -> BuiltDeck:
    """Build a deck of `kind` (monthly, annual, campaign … see deck/kinds.py) on `subject` (the
    month, year or campaign key as the command line names it) and write it atomically; the
    numbers are remembered in the shop's prepared store unless `cache` is off."""
    from shopreport.deck.kinds import load_kind
    from shopreport.deck.narrative import Narrator
    from shopreport.deck.sections import plan_deck
    from shopreport.render import export

    cfg = config if isinstance(config, Config) else read_config(config)
    language = {"zh": "zh-CN", "zh-CN": "zh-CN", "en": "en", None: cfg.language}[language]
    cfg = in_language(cfg, language)  # the team's sentences and campaign names in the deck's
    today = today or shop_today(cfg.timezone)
    deck = load_kind(kind)
    chosen = deck.parse(cfg, subject, today)  # a usage error is reported before any data is read
    renderer = _import_renderer("reviews" in cfg.data.tables())
    name = f"{safe_name(cfg.shown_shop)}_{deck.label(chosen)}_{deck.file_words[language]}.pptx"
    target = _output_path(name, out)
    if pdf or png_dir:
        export.require_converters(png=png_dir is not None)  # before the work, not after
    if png_dir:
        _require_writable_folder(Path(png_dir), "--png")
    progress("read")
    store = open_store(cfg, cache)
    what = ["deck", kind, deck.label(chosen), str(today)]
    data = recall(store, what)  # looked up before any table is read
    if data is MISSING:
        window = deck.window(cfg, chosen)
        ds = load(cfg, store, deck.reports(window))
        _require_orders(ds, window)
        progress("metrics")
        data = deck.compute(ds, chosen, today)
        keep(store, what, data)
    data = renamed(data, cfg.names)  # the data's names as the deck shows them
    progress("diagnosis")
    findings = deck.diagnose(data, cfg)
    plan = plan_deck(deck, chosen, data, findings, cfg, language, today)
    progress("render")
    renderer.join()
    from shopreport.render.pptx import write_deck
    from shopreport.render.template import template_colors
    from shopreport.render.theme import load_theme, with_template_colors

    say = Narrator(language, cfg.symbol, deck.report(data).period.kind)
    cover = plan.slides[0]
    label = deck.label(chosen)
    theme = load_theme(cfg.theme_path, cfg.font)
    if cfg.template_path and not cfg.theme_path:  # the template's colours
        theme = with_template_colors(theme, template_colors(cfg.template_path))
    # with a PDF or images, the deck is written under a hidden name and renamed with them
    # once they are made: a failed or stopped conversion leaves nothing (nor replaces an
    # earlier deck)
    staged = target.with_name(f".{target.stem}.{os.getpid()}.pptx") if pdf or png_dir else target
    if staged != target:
        from shopreport.render.pptx import remove_stale

        remove_stale(target, ("pptx", "pdf"))  # of a run killed while converting
    write_deck(
        plan.slides,
        theme,
        language,
        cfg.symbol,
        say.words,
        staged,
        charts=charts or cfg.charts,
        properties={
            "title": cover.title,
            "subject": f"{cover.title} · {cfg.shown_shop}",
            "author": cfg.presenter or cfg.shown_shop,
            "keywords": f"{cfg.shown_shop}; {label}; {deck.name}",
            "category": deck.name,
            "created": datetime.combine(today, time(0)),
        },
        template=cfg.template_path,
        layouts=dict(cfg.layouts),
    )
    extras: list[Path] = []
    if pdf or png_dir:
        made: Path | None = None
        images = Path(png_dir) / f".{target.stem}.{os.getpid()}.png" if png_dir else None
        try:
            progress("pdf")
            made = export.to_pdf(staged, keep=pdf)
            if images is not None:
                progress("png")
                drawn = export.to_png(made, images, target.stem)
            if pdf:
                os.replace(made, target.with_suffix(".pdf"))
                extras.append(target.with_suffix(".pdf"))
            else:
                made.unlink()  # drawn from, not asked for
            os.replace(staged, target)
        except BaseException:
            for path in (staged, made, *extras):
                if path is not None:
                    path.unlink(missing_ok=True)
            if images is not None:
                shutil.rmtree(images, ignore_errors=True)
            raise
        if images is not None:  # the deck is in place: its images replace the earlier ones
            for image in drawn:
                os.replace(image, images.parent / image.name)
                extras.append(images.parent / image.name)
            shutil.rmtree(images, ignore_errors=True)
    left_out = {say.word(f"section_{k}"): v for k, v in plan.left_out.items()}
    return BuiltDeck(target, len(plan.slides), left_out, deck.report(data).notes, extras)


def _import_quietly(module: str) -> None:
    """Import a module ahead of its use; a failed import is reported by the use's own import."""
    with contextlib.suppress(Exception):
        importlib.import_module(module)


def _import_renderer(words: bool) -> threading.Thread:
    """Import the slide renderer (python-pptx, lxml, Pillow) and, when the shop has reviews,
    the word cutter, in a thread while the data is read and the metrics computed: Polars lets
    go of the interpreter while it works, so these 0.3 s of imports run beside it. A failed
    import is reported by the main thread's own import of the module, not here."""

    def work() -> None:
        _import_quietly("shopreport.render.pptx")
        if words:
            _import_quietly("rjieba")

    thread = threading.Thread(target=work, name="import-renderer", daemon=True)
    thread.start()
    return thread


def _output_path(name: str, out: str | Path | None) -> Path:
    """Where the deck goes: `out` (a file, or a folder for the default `name`: one that exists,
    or a path ending in "/", created when missing, as a cron job's first run needs); the folder
    must be writable."""
    path = Path(out) if out else Path.cwd() / name
    folder_meant = bool(out) and str(out).endswith(("/", os.sep))
    if folder_meant and not path.exists():
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise ConfigError(f"--out: cannot create the folder {path} ({exc.strerror}).") from None
    if path.is_dir():
        path = path / name
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out: {folder} is a file, not a folder; choose another path.")
    if not folder.is_dir():
        raise ConfigError(
            f"--out: the folder {folder} does not exist; create it, end --out with / to have it "
            "created, or choose another path."
        )
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"--out: the folder {folder} is not writable; choose another path.")
    if path.suffix.lower() != ".pptx":
        raise ConfigError(
            f"--out: {path} should end in .pptx (or in / for a folder to write the deck into)."
        )
    return path


def _require_writable_folder(folder: Path, option: str) -> None:
    """A folder a command will write into (created if missing): refused before any work when it
    is a file or cannot be written."""
    existing = next(p for p in (folder.resolve(), *folder.resolve().parents) if p.exists())
    if not existing.is_dir():
        raise ConfigError(f"{option}: {existing} is a file, not a folder; choose another path.")
    if not os.access(existing, os.W_OK):
        raise ConfigError(f"{option}: the folder {existing} is not writable; choose another path.")


def safe_name(name: str) -> str:
    """A shop name usable in a file name."""
    return re.sub(r'[\\/:*?"<>|\s·・]+', "_", name).strip("_") or "shop"


def make_demo(
    folder: str | Path,
    seed: int = 7,
    end: str = "2026-10",
    months: int | None = None,
    orders_per_month: int = 8000,
) -> Path:
    """Write the demo shop (config + Parquet tables) into `folder`; return the config path."""
    from shopreport.demo import write_demo

    return write_demo(
        Path(folder), seed=seed, end=end, months=months, orders_per_month=orders_per_month
    )


def make_portfolio_demo(
    folder: str | Path,
    shops: int,
    seed: int = 7,
    end: str = "2026-10",
    orders_per_month: int = 8000,
    months: int | None = None,
) -> list[Path]:
    """Write `shops` demo shops (folder/shops/<name>/) and folder/portfolio.yaml; return the
    configs."""
    from shopreport.demo import write_portfolio

    return write_portfolio(
        Path(folder), shops, seed=seed, end=end, orders_per_month=orders_per_month, months=months
    )


def demo_decks(config: str | Path, end: str, months: int | None = None) -> list[str]:
    """The `build` options of the demo shop's other decks: the last whole ISO week of the month
    `end`, the last whole quarter, the year before it, and each declared campaign, those the
    data's `months` (the demo's default when None) cover."""
    from shopreport.demo.writer import default_months

    month = parse_month(end, "UTC")
    first = month.shift_months(1 - (months or default_months(end))).start
    sunday = month.last_day - timedelta(days=(month.last_day.isoweekday() % 7))
    year, week = sunday.isocalendar()[:2]
    quarter = (month.start.month - 1) // 3 + (1 if month.start.month % 3 == 0 else 0)
    qyear = month.start.year if quarter else month.start.year - 1
    quarter = quarter or 4
    options = [f"--week {year}-W{week:02d}"]
    if date(qyear, quarter * 3 - 2, 1) >= first:  # the last whole quarter
        options.append(f"--review {qyear}-Q{quarter}")
    if first.year <= month.start.year - 1:  # a year the data reaches into
        options.append(f"--year {month.start.year - 1}")
    over = [  # a campaign still under way at the data's end has no retrospective yet
        key
        for key, c in read_config(config).campaigns.items()
        if max(p.end for p in c.phases) <= month.last_day
        and min(p.start for p in c.phases) >= first
    ]
    return options + [f"--campaign {key}" for key in over]


def portfolio_shop(
    config: Config,
    month_text: str,
    today: date | None = None,
    language: str = "zh-CN",
    cache: bool = True,
):
    """A shop's part of the portfolio deck: its month's KPI cards, headline and top problems
    (as its own monthly deck states them)."""
    from shopreport.deck.monthly import KIND
    from shopreport.deck.portfolio import summarize

    today = today or shop_today(config.timezone)
    report = compute_kpis(config, month_text, today=today, cache=cache)
    shown = in_language(config, language)  # the shop's and its data's names as decks say them
    report = renamed(report, shown.names)
    return summarize(report, KIND.diagnose(report, shown), shown, language)
