"""Many shops at once: every config a glob names, built (or measured) in parallel processes.

One shop's failure does not stop the others: each shop's run ends in a `ShopRun` (ok or
failed, with the first line of its error), and the caller prints the summary.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from shopreport import api
from shopreport.config import read_config, written
from shopreport.errors import ConfigError, DataError, ShopreportError
from shopreport.metrics.period import parse_month, shop_today

GLOB_CHARS = frozenset("*?[")


@dataclass
class ShopRun:
    """What happened to one shop."""

    config: str
    shop: str
    status: str = "ok"
    seconds: float = 0.0
    deck: str | None = None
    error: str | None = None
    report: dict[str, Any] | None = None
    """`kpis`: the report as `kpis --format json` prints it."""
    extra: Any = None
    """The portfolio: the shop's summary for the portfolio deck."""

    @property
    def ok(self) -> bool:
        """Whether the shop's run succeeded."""
        return self.status == "ok"


@dataclass(frozen=True)
class Task:
    """What to do for each shop (picklable: it travels to the worker processes)."""

    action: str
    """"build", "kpis" or "portfolio" (the shop's part of the portfolio deck)."""
    kind: str = "monthly"
    subject: str = ""
    out: str | None = None
    """build: the folder under which each shop's deck goes in a folder of its name."""
    options: dict[str, Any] = field(default_factory=dict)
    today: date | None = None


def is_pattern(config: str | Path) -> bool:
    """Whether `--config` names many shops (a glob: shops/*/shopreport.yaml)."""
    return bool(GLOB_CHARS & set(str(config)))


def expand(pattern: str | Path) -> list[Path]:
    """The configs a glob names, in sorted order; none is an error."""
    found = sorted(Path(p) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
    if not found:
        raise ConfigError(f"--config '{pattern}': no config file matches.")
    return found


def run(
    configs: list[Path],
    task: Task,
    jobs: int = 1,
    done: Callable[[ShopRun], None] = lambda r: None,
) -> list[ShopRun]:
    """Run `task` for every config, `jobs` at a time in separate processes; results in the
    configs' order. `done` is called as each shop finishes (for progress lines)."""
    runs: dict[str, ShopRun] = {}
    folders = _folders(configs, task)
    if jobs <= 1 or len(configs) == 1:
        for config in configs:
            runs[str(config)] = result = run_one(str(config), task, folders[str(config)])
            done(result)
    else:  # imported here: 30 ms one shop's run does not need
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        context = multiprocessing.get_context("spawn")  # Polars' threads do not survive fork
        with ProcessPoolExecutor(min(jobs, len(configs)), context, _quiet) as pool:
            futures = {pool.submit(run_one, str(c), task, folders[str(c)]): str(c) for c in configs}
            for future in as_completed(futures):
                config = futures[future]
                try:
                    result = future.result()
                except BrokenProcessPool:
                    result = ShopRun(config, config, "failed", error="its process died")
                runs[config] = result
                done(result)
    return [runs[str(c)] for c in configs]


def _folders(configs: list[Path], task: Task) -> dict[str, str | None]:
    """build --out DIR: each shop's folder under DIR, by its name (two shops of one name: the
    second also by its config's folder)."""
    if not task.out:
        return {str(c): None for c in configs}
    folders: dict[str, str | None] = {}
    taken: set[str] = set()
    for config in configs:
        try:
            name = api.safe_name(read_config(config).shop)
        except ShopreportError:
            name = api.safe_name(config.parent.name)  # its run reports the error
        if name in taken:
            name = f"{name}_{api.safe_name(config.parent.name)}"
        taken.add(name)
        folders[str(config)] = str(Path(task.out) / name)
    return folders


def run_one(config: str, task: Task, folder: str | None = None) -> ShopRun:
    """One shop's task (a build writes into `folder`, else beside its config); every error
    becomes a failed ShopRun."""
    start = time.perf_counter()
    result = ShopRun(config, config)
    try:
        cfg = read_config(config)
        result.shop = cfg.shop
        if task.action == "build":
            out = Path(folder) if folder else Path(config).parent
            out.mkdir(parents=True, exist_ok=True)
            deck = api.build_deck(
                cfg, task.kind, task.subject, out=out, today=task.today, **task.options
            )
            result.deck = str(deck.path)
        elif task.action == "kpis":
            report = api.compute_kpis(cfg, task.subject, today=task.today, **task.options)
            result.report = report.to_dict()
        else:
            result.extra = api.portfolio_shop(cfg, task.subject, today=task.today, **task.options)
    except ShopreportError as exc:
        result.status, result.error = "failed", exc.message.strip().splitlines()[0]
    except Exception as exc:  # one shop's bug must not stop the others: reported, not raised
        result.status, result.error = "failed", f"unexpected {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    return result


def _quiet() -> None:
    """A worker process: library warnings are not the user's business (as in the CLI)."""
    import warnings

    warnings.simplefilter("ignore")


@dataclass(frozen=True)
class BuiltPortfolio:
    """The portfolio deck and each shop's run."""

    path: Path
    slides: int
    runs: list


def build_portfolio(
    configs: list[Path],
    month_text: str,
    portfolio: str | Path | None = None,
    out: str | Path | None = None,
    language: str | None = None,
    charts: str | None = None,
    jobs: int = 1,
    today: date | None = None,
    cache: bool = True,
    done: Callable | None = None,
) -> BuiltPortfolio:
    """One monthly deck across shops: each shop computed in its own process (`jobs` at a
    time), then ranked and converted into the portfolio's currency. A shop that fails, or a
    currency without a rate, stops the deck (an overview without a client misleads)."""
    from shopreport.config import PortfolioConfig, read_portfolio
    from shopreport.deck.portfolio import plan_portfolio
    from shopreport.render.pptx import write_deck
    from shopreport.render.theme import load_theme

    default = Path("portfolio.yaml")
    if portfolio:
        pf = read_portfolio(portfolio)
    else:
        pf = read_portfolio(default) if default.is_file() else PortfolioConfig()
    first = read_config(configs[0])
    lang = {"zh": "zh-CN", "en": "en", None: pf.language or first.language}[language]
    period = parse_month(month_text, first.timezone, today)
    today = today or shop_today(first.timezone)
    name = pf.name or ("客户组合" if lang == "zh-CN" else "Portfolio")
    words = "组合月报" if lang == "zh-CN" else "portfolio"
    target = api._output_path(f"{api.safe_name(name)}_{period.label}_{words}.pptx", out)
    options = {"language": lang, "cache": cache}
    task = Task("portfolio", subject=period.label, options=options, today=today)
    runs = run(configs, task, jobs, done or (lambda r: None))
    failed = [r for r in runs if not r.ok]
    if failed:
        listed = "; ".join(f"{r.shop}: {r.error}" for r in failed)
        raise DataError(f"The portfolio deck needs every shop; {len(failed)} failed: {listed}")
    shops = [r.extra for r in runs]
    currency = pf.currency or shops[0].currency
    missing = sorted({s.currency for s in shops if s.currency != currency} - set(pf.fx))
    if missing:
        raise ConfigError(
            f"The shops report in {', '.join(sorted({s.currency for s in shops}))}: the "
            f"portfolio is in {currency}, and {', '.join(missing)} has no rate. Add "
            f"`fx: {{{missing[0]}: <{currency} per {missing[0]}>}}` to "
            f"{portfolio or default} (or give `currency:` there)."
        )
    symbol = PortfolioConfig(currency=currency).symbol
    slides = plan_portfolio(shops, pf, currency, symbol, lang, period, today)
    theme = load_theme(first.theme_path, first.font)
    write_deck(
        slides,
        theme,
        lang,
        symbol,
        _words(lang),
        target,
        charts=charts or first.charts,
        properties={
            "title": slides[0].title,
            "subject": f"{slides[0].title} · {name}",
            "author": written(pf.presenter, lang) or name,
            "keywords": f"{name}; {period.label}; portfolio",
            "category": "portfolio",
            "created": datetime.combine(today, clock(0)),
        },
    )
    return BuiltPortfolio(target, len(slides), runs)


def _words(language: str) -> dict:
    """The chart words of a language."""
    from shopreport.deck.narrative import Narrator

    return Narrator(language, "", "month").words
