"""The `shopreport` command: parse, call the API, print. Errors become messages, not tracebacks."""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import shutil
import signal
import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from shopreport import __version__
from shopreport.errors import ShopreportError, ShopreportWarning, Stopped, TimedOut

CONFIG_HELP = "The shop's config file (default: ./shopreport.yaml)"
GLOB_HELP = "; or a quoted glob of many shops' configs ('shops/*/shopreport.yaml')"


def config_option(func=None, *, glob: bool = False):
    """The shared --config option (`glob`: the command also takes many shops' configs)."""

    def apply(func):
        return click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default="shopreport.yaml",
            show_default=True,
            help=CONFIG_HELP + (GLOB_HELP if glob else "") + ".",
        )(func)

    return apply(func) if func is not None else apply


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(__version__, prog_name="shopreport")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Operations decks and KPIs for online shops, computed from the shop's own data."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seed", default=7, show_default=True, help="Random seed; the same seed writes the same shop."
)
@click.option(
    "--end", default="2026-10", show_default=True, help="Last month of the data (YYYY-MM)."
)
@click.option(
    "--months",
    default=None,
    type=click.IntRange(3, 120),
    help="How many months of data, 3 or more (default: from January two years before --end).",
)
@click.option(
    "--orders-per-month",
    default=8000,
    show_default=True,
    type=click.IntRange(10, 10_000_000),
    help="Average paid orders per month (sets the size).",
)
@click.option("--no-deck", is_flag=True, help="Only write the data and config, not the deck.")
@click.option(
    "--shops",
    type=click.IntRange(1, 5),
    default=None,
    help="An agency's portfolio instead: this many shops under FOLDER/shops/ and "
    "FOLDER/portfolio.yaml (no decks; it prints the commands that build them).",
)
def demo(
    folder: Path,
    seed: int,
    end: str,
    months: int | None,
    orders_per_month: int,
    no_deck: bool,
    shops: int | None,
) -> None:
    """Write a realistic demo shop (config + data) into FOLDER, and its deck for the last month."""
    from shopreport import api

    if shops:
        configs = api.make_portfolio_demo(
            folder, shops, seed=seed, end=end, orders_per_month=orders_per_month, months=months
        )
        pattern = f"'{folder / 'shops' / '*' / 'shopreport.yaml'}'"
        click.echo(f"{len(configs)} demo shops written under {folder / 'shops'}")
        click.echo("Every shop's deck, two at a time:")
        click.echo(
            f"  shopreport build --month {end} --config {pattern} --jobs 2 --out {folder / 'decks'}"
        )
        click.echo("One deck across the shops:")
        click.echo(
            f"  shopreport build --portfolio {folder / 'portfolio.yaml'} --month {end} "
            f"--config {pattern} --jobs 2 --out {folder}"
        )
        return

    config = api.make_demo(
        folder, seed=seed, end=end, months=months, orders_per_month=orders_per_month
    )
    click.echo(f"Demo shop written: {config}")
    if not no_deck:
        with progress_reporter(False) as report_step:
            deck = api.build_deck(config, "monthly", end, out=folder, progress=report_step)
        click.echo(f"Deck written: {deck.path} ({deck.slides} slides)")
    click.echo(f"Next: shopreport kpis --config {config} --month {end}")
    click.echo("The other decks of this shop:")
    for option in api.demo_decks(config, end, months):
        click.echo(f"  shopreport build --config {config} {option}")


@cli.group()
def cache() -> None:
    """The prepared store beside the config (.shopreport/): tables already read and checked,
    reports already computed."""


@cache.command("clear")
@config_option
def cache_clear(config_path: Path) -> None:
    """Remove the shop's prepared store; the next run reads every file again."""
    from shopreport.config import read_config
    from shopreport.sources.store import clear

    removed = clear(read_config(config_path))
    click.echo(f"Removed {removed}" if removed else "No prepared store to remove.")


def jobs_option(func):
    """The shared --jobs option of the commands that run many shops."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="With a glob in --config: how many shops run at once (separate processes).",
    )(func)


def _progress_line(run) -> None:
    """'[  12.3s] shop: ok' on stderr as each shop of a batch finishes."""
    click.echo(f"[{run.seconds:6.1f}s] {run.shop}: {run.status}", err=True)


def _print_runs(runs, quiet: bool) -> None:
    """The summary of a batch: shop, deck, seconds, status, first error line."""
    failed = [r for r in runs if not r.ok]
    if quiet and not failed:
        return
    rows = [
        (r.shop, Path(r.deck).name if r.deck else "—", f"{r.seconds:.1f}", r.status, r.error or "")
        for r in runs
    ]
    head = ("shop", "deck", "seconds", "status", "error")
    widths = [max(_width(x[i]) for x in [head, *rows]) for i in range(4)]
    for row in [head, *rows]:
        cells = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[4]]).rstrip())
    click.echo(f"{len(runs) - len(failed)} of {len(runs)} shop(s) done, {len(failed)} failed.")


def _width(text: str) -> int:
    """Columns a text takes in a terminal (Chinese characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@cli.command()
@config_option(glob=True)
@click.option(
    "--month",
    "month_text",
    metavar="YYYY-MM",
    required=True,
    help="The month: YYYY-MM, or 'previous' for the last complete month.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: the metrics for a terminal; json: the metrics and every breakdown.",
)
@click.option(
    "--allow-empty", is_flag=True, help="Report a month without paid orders instead of stopping."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read and compute from the files, without the prepared store (.shopreport/).",
)
@jobs_option
def kpis(
    config_path: Path, month_text: str, fmt: str, allow_empty: bool, no_cache: bool, jobs: int
) -> None:
    """Print every metric of a month with MoM, YoY and target attainment; with a glob in
    --config, one JSON line per shop."""
    from shopreport import api, batch

    if batch.is_pattern(config_path):
        task = batch.Task(
            "kpis",
            subject=month_text,
            options={"allow_empty": allow_empty, "cache": not no_cache},
        )
        runs = batch.run(batch.expand(config_path), task, jobs)
        for r in runs:
            line: dict[str, Any] = {"shop": r.shop, "config": r.config, "status": r.status}
            line |= {"seconds": round(r.seconds, 2), "error": r.error, "report": r.report}
            click.echo(json.dumps(line, ensure_ascii=False))
        if not all(r.ok for r in runs):
            sys.exit(1)
        return

    report = api.compute_kpis(config_path, month_text, allow_empty=allow_empty, cache=not no_cache)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from shopreport.config import read_config
        from shopreport.terminal import print_kpis

        print_kpis(report, read_config(config_path))


STEPS = {
    "read": "reading data",
    "metrics": "computing metrics",
    "diagnosis": "diagnosing",
    "render": "drawing charts and slides",
    "write": "writing the deck",
    "pdf": "writing the PDF (LibreOffice)",
    "png": "writing slide images",
}


def deck_options(func):
    """One option per deck kind (--month, --year, --campaign …), from the registry."""
    from shopreport.deck.kinds import KINDS

    for kind in reversed(KINDS):
        func = click.option(
            f"--{kind.option}", kind.name, default=None, metavar=kind.metavar, help=kind.help
        )(func)
    return func


@cli.command()
@config_option(glob=True)
@deck_options
@click.option(
    "--out",
    type=click.Path(),  # a string: "reports/" keeps the slash that says it is a folder
    default=None,
    help="The .pptx to write, or a folder (one ending in / is created; default: "
    "./<shop>_<period>_<deck>.pptx).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Deck language (default: the config's).",
)
@click.option(
    "--charts",
    type=click.Choice(["native", "image"]),
    default=None,
    help="native: PowerPoint charts with their data embedded; image: pictures (default: the "
    "config's `charts:`, which defaults to native).",
)
@click.option(
    "--pdf", is_flag=True, help="Also write <deck>.pdf beside the .pptx (needs LibreOffice)."
)
@click.option(
    "--png",
    "png_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write one PNG per slide into this folder (needs LibreOffice and poppler).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Stop with exit 1 (and nothing written) when the build takes longer; for cron.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read and compute from the files, without the prepared store (.shopreport/).",
)
@jobs_option
@click.option(
    "--portfolio",
    "portfolio",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[FILE]",
    help="One deck across the shops --config names (a glob), with --month; FILE: the "
    "portfolio's name, currency and fx rates (default: ./portfolio.yaml when it exists); "
    "written as .pptx only (not with --pdf, --png, --timeout).",
)
def build(
    config_path: Path,
    out: str | None,
    lang: str | None,
    charts: str | None,
    pdf: bool,
    png_dir: Path | None,
    quiet: bool,
    timeout: float | None,
    no_cache: bool,
    jobs: int,
    portfolio: str | None,
    **subjects: str | None,
) -> None:
    """Build a deck: the monthly summary (--month), annual review (--year), campaign review
    (--campaign) …; for every shop a glob names (--config 'shops/*/shopreport.yaml'); or one
    deck across them (--portfolio)."""
    from shopreport import api, batch
    from shopreport.deck.kinds import KINDS

    chosen = {name: value for name, value in subjects.items() if value is not None}
    if len(chosen) != 1:
        options = ", ".join(f"--{k.option} {k.metavar}" for k in KINDS)
        raise click.UsageError(f"Say which deck, with exactly one of: {options}.")
    ((kind, subject),) = chosen.items()
    if portfolio is not None:
        if kind != "monthly":
            raise click.UsageError("--portfolio is a monthly deck: give --month.")
        if pdf or png_dir or timeout:
            raise click.UsageError(
                "--pdf, --png and --timeout are for one shop's deck; the portfolio deck is "
                "written as .pptx only (convert it with LibreOffice if you need a PDF)."
            )
        configs = batch.expand(config_path) if batch.is_pattern(config_path) else [config_path]
        built = batch.build_portfolio(
            configs,
            subject,
            portfolio or None,
            out=out,
            language=lang,
            charts=charts,
            jobs=jobs,
            cache=not no_cache,
            done=None if quiet else _progress_line,
        )
        _print_runs(built.runs, quiet)
        if not quiet:
            click.echo(f"Deck written: {built.path} ({built.slides} slides)")
        return
    if batch.is_pattern(config_path):
        if png_dir or timeout:
            raise click.UsageError("--png and --timeout are for one shop; leave them out.")
        task = batch.Task(
            "build",
            kind,
            subject,
            str(out) if out else None,
            {"language": lang, "charts": charts, "pdf": pdf, "cache": not no_cache},
        )
        runs = batch.run(
            batch.expand(config_path), task, jobs, (lambda r: None) if quiet else _progress_line
        )
        _print_runs(runs, quiet)
        if not all(r.ok for r in runs):
            sys.exit(1)
        return
    with progress_reporter(quiet) as report_step, watchdog(timeout) as step:
        deck = api.build_deck(
            config_path,
            kind,
            subject,
            out=out,
            language=lang,
            charts=charts,
            pdf=pdf,
            png_dir=png_dir,
            progress=lambda name: (step(name), report_step(name)),
            cache=not no_cache,
        )
    if not quiet:
        click.echo(f"Deck written: {deck.path} ({deck.slides} slides)")
        for extra in deck.extras:
            if extra.suffix == ".pdf":
                click.echo(f"PDF written: {extra}")
        pngs = [p for p in deck.extras if p.suffix == ".png"]
        if pngs:
            click.echo(f"Slide images written: {pngs[0].parent} ({len(pngs)} PNG)")
        for section, reason in deck.left_out.items():
            click.echo(f"Left out: {section}: {reason}")
        for note in deck.notes:  # a cron job's log says what the coverage slide says of them
            if note.code in DATA_WARNINGS:
                click.echo(f"Warning: {note.text}", err=True)


DATA_WARNINGS = ("implausible", "future_orders")
"""Notes of rows that look wrong, said on the terminal too (`build`)."""


@contextlib.contextmanager
def watchdog(seconds: float | None):
    """Stop the build after `seconds`: TimedOut is raised in the main thread (temporary files are
    removed as it unwinds); should a long library call not return, a backstop thread ends the
    process a minute later. Yields a function that records the step the build is in."""
    import signal
    import threading

    from shopreport.errors import TimedOut

    current = ["reading the config"]

    def note(step: str) -> None:
        current[0] = STEPS.get(step, step).lower()

    if not seconds:
        yield note
        return

    def message() -> str:
        return f"stopped after {seconds:g} s (--timeout) while {current[0]}; nothing was written."

    def expire(signum, frame):
        raise TimedOut(message())

    def backstop() -> None:
        sys.stderr.write(f"Error: {message()}\n")
        os._exit(1)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    hard = threading.Timer(seconds + 60, backstop)
    hard.daemon = True
    hard.start()
    try:
        yield note
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        hard.cancel()


@contextlib.contextmanager
def progress_reporter(quiet: bool):
    """A step reporter: a rich status line on a terminal, plain log lines otherwise, nothing when
    quiet."""
    import time

    from rich.console import Console

    console = Console(stderr=True)
    start = time.perf_counter()
    if quiet:
        yield lambda step: None
        return
    if console.is_terminal:
        with console.status("") as status:
            yield lambda step: status.update(STEPS.get(step, step) + " …")
        return
    yield lambda step: click.echo(
        f"[{time.perf_counter() - start:5.1f}s] {STEPS.get(step, step)}", err=True
    )


@cli.command()
@config_option
@click.option(
    "--month",
    "month_text",
    metavar="YYYY-MM",
    default=None,
    help="Also check that this month (YYYY-MM) has paid orders.",
)
@click.option(
    "--strict", is_flag=True, help="Warnings are errors too (exit 1): implausible amounts …"
)
def validate(config_path: Path, month_text: str | None, strict: bool) -> None:
    """Check the config and every table against the data contract; exit 1 on errors. Prints
    each preset's rules and, per table, how it was read."""
    from shopreport import api
    from shopreport.config import preset_rules, read_config

    config = read_config(config_path)
    reports = api.validate(config, month_text)
    for name, rules in preset_rules(config):
        click.echo(f"preset {name}:")
        click.echo(textwrap.fill(rules, width=100, initial_indent="  ", subsequent_indent="  "))
    for r in reports:
        state = "ERROR" if r.errors else ("warning" if r.warnings else "ok")
        click.echo(f"{r.name} [{state}]")
        for path in r.files:
            click.echo(f"  {'source' if '://' in path else 'file'}: {path}")
        if r.rows is not None:
            span = f", {r.first} … {r.last}" if r.first else ""
            if r.paid_last:  # orders placed to the 29th and paid to 1 March
                span += f" (paid to {r.paid_last})"
            click.echo(f"  rows: {r.rows:,}{span}")
        if r.mapped:
            click.echo(
                "  columns: "
                + ", ".join(f"{h} → {c}" if h != c else c for c, h in r.mapped.items())
            )
        if r.unused:
            click.echo(
                "  not used: " + ", ".join(r.unused[:30]) + (" …" if len(r.unused) > 30 else "")
            )
        for rule in r.rules or []:
            click.echo(f"  read as: {rule}")
        for message in r.errors or []:
            click.echo(f"  error: {message}")
        for message in r.warnings or []:
            click.echo(f"  warning: {message}")
    errors = sum(len(r.errors or []) for r in reports)
    warnings = sum(len(r.warnings or []) for r in reports)
    click.echo(f"{len(reports)} table(s), {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        sys.exit(1)


@cli.command()
@click.option(
    "--report", is_flag=True, help="The schema of `kpis --format json` instead of the config's."
)
def schema(report: bool) -> None:
    """Print the JSON Schema of shopreport.yaml (for editor completion), or of the KPI report."""
    if report:
        from shopreport.metrics.report import report_schema

        click.echo(json.dumps(report_schema(), ensure_ascii=False, indent=2))
        return
    from shopreport.config import config_schema

    click.echo(config_schema())


def _stop(signum, frame) -> None:
    """SIGTERM (timeout, systemd, kill): unwind like Ctrl-C, removing temporary files."""
    raise Stopped(signum, signal.Signals(signum).name)


def quiet_libraries(debug: bool) -> None:
    """Library warnings are not the user's business (cron mails every line): silence them, and
    give matplotlib a private cache when its own folder cannot be written (read-only HOME)."""
    import logging
    import tempfile
    import warnings

    if not debug:
        warnings.simplefilter("ignore")
    warnings.simplefilter("always", ShopreportWarning)
    default_show = warnings.showwarning

    def show(message, category, *args, **kwargs):
        if issubclass(category, ShopreportWarning):
            sys.stderr.write(f"warning: {message}\n")
        else:
            default_show(message, category, *args, **kwargs)

    warnings.showwarning = show
    if not debug:
        for name in ("matplotlib", "fontTools", "PIL"):
            logging.getLogger(name).setLevel(logging.ERROR)
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(home, "matplotlib")
    try:
        os.makedirs(folder, exist_ok=True)
        writable = os.access(folder, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        private = tempfile.mkdtemp(prefix="shopreport-mpl-")
        atexit.register(shutil.rmtree, private, ignore_errors=True)
        os.environ["MPLCONFIGDIR"] = private
        os.environ.setdefault("XDG_CACHE_HOME", private)


def entry() -> None:
    """The installed command (and `python -m shopreport`): `main`, then an exit that skips the
    collector's walk over every object a deck made (0.2 s of the demo deck's 2.8 s; exit
    handlers still run). Not in `main`, which a test or script may call many times in one
    process: frozen objects are never collected."""
    try:
        main()
    finally:
        gc.freeze()


def main() -> None:
    """Run the CLI; a ShopreportError prints its message and exits 1 (data) or 2 (config)."""
    debug = "--debug" in sys.argv[1:]
    quiet_libraries(debug)
    signal.signal(signal.SIGTERM, _stop)
    # --debug anywhere on the line (`shopreport build … --debug`), as the group's option
    args = [a for a in sys.argv[1:] if a != "--debug"]
    try:
        cli.main(args=["--debug", *args] if debug else args, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ShopreportError as exc:
        if debug:
            raise
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except TimedOut as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    except Stopped as exc:
        click.echo(f"Stopped by {exc.name}; nothing was written.", err=True)
        sys.exit(128 + exc.signum)
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was written.", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {exc}. Run again with --debug for the "
            "traceback, and report it.",
            err=True,
        )
        sys.exit(1)
