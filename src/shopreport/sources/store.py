"""The prepared store: tables already parsed, mapped, typed and checked, kept as Parquet beside
the config, and reports already computed, reused while nothing they depend on changed.

A shop runs its report every month over exports that mostly did not change; reading a CSV or
Excel export, parsing its dates and amounts and running the contract checks is done once.
An entry of the store is keyed by:

- each input file's content (BLAKE2b; a file whose size and mtime match the manifest keeps
  its recorded digest, so an unchanged file is not read again, and a file merely touched or
  copied keeps its entry);
- the config's reading keys (`data`, time zone, metric options, thresholds, exclusions);
- the code that reads and computes (a new shopreport version prepares again).

Tables are stored sorted by their time column, so a report's date range prunes Parquet row
groups. They are prepared by the second report over the same inputs, not the first
(`reads_plainly`). A report is remembered under the entry with the whole config, the period and
today's date. The store is a cache: a corrupt or unreadable entry is prepared again, and a
folder that cannot be written leaves the run uncached, never failed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from shopreport.config import Config
from shopreport.notes import Note
from shopreport.sources.dataset import (
    ORDER_NUMBER,
    Dataset,
    TableSource,
    buyer_hash,
    first_payments,
    order_number,
)
from shopreport.sources.readers import MissingFiles, expand_paths
from shopreport.vocab.contract import TABLES

FORMAT = 1
KEEP_ENTRIES = 3
"""Entries kept per store (the newest used); older ones are removed when a new one is written."""
PRESENTATION = {
    "presenter",
    "language",
    "font",
    "theme",
    "template",
    "layouts",
    "charts",
    "cache",
    "targets",
    "highlights",
    "plans",
    "achievements",
    "lessons",
    "resources",
    "campaigns",
    "names",
}
"""Config keys that do not change how the tables are read (they still key the reports)."""
ENV = "SHOPREPORT_CACHE"
PARQUET: dict = {"row_group_size": 100_000, "compression": "zstd", "compression_level": 1}
"""How the store writes its tables: row groups of 100,000 rows (a report reads those of its
months); zstd at level 1, not Polars' default 3: 10M order lines' orders written in 1.60
instead of 2.13 s, 8% larger, read as fast."""

LINE_TIME = "_pay_time"
"""Stored order lines carry their order's pay time (sorted by it) under this column."""
SEEN = "read-once"
"""The file that marks an entry whose inputs one report has read (`reads_plainly`)."""
PLAIN = "not-prepared"
"""The file that marks an entry whose inputs are not prepared (`never_prepare`)."""
ORDER_KEY = "_order"
"""Stored orders and their lines carry an integer key (the order's place in the stored orders),
so a report joins lines to orders on an integer, not on the text order id."""


@dataclass(frozen=True)
class Store:
    """One shop's store and the entry its current inputs and config select."""

    root: Path
    key: str
    config_key: str

    @property
    def entry(self) -> Path:
        """The folder of the current entry."""
        return self.root / self.key


def open_store(config: Config, enabled: bool = True) -> Store | None:
    """The store of `config` (None when turned off by config, flag or environment)."""
    if not enabled or config.cache is False or os.environ.get(ENV, "").lower() in ("off", "0"):
        return None
    if config.source == "<config>":
        return None  # a config built in memory has no folder of its own to keep a store in
    if any(spec.uri for spec in config.data.tables().values()):
        return None  # a database keeps its tables prepared; its rows have no file to fingerprint
    root = config.base_dir / config.cache
    manifest = _read_json(root / "manifest.json") or {}
    digests = {}
    for path in _inputs(config):
        digests[str(path)] = _digest(path, manifest.get(str(path)))
    dump = config.model_dump(mode="json")
    reading = {k: v for k, v in dump.items() if k not in PRESENTATION}
    key = _hash([FORMAT, _code_digest(), reading, sorted((k, v[2]) for k, v in digests.items())])
    config_key = _hash([key, dump])
    store = Store(root, key[:32], config_key[:32])
    store_manifest = {**manifest, **digests}
    if store_manifest != manifest:
        _write_json(root / "manifest.json", store_manifest)
    return store


def load_dataset(store: Store, config: Config) -> Dataset | None:
    """The prepared dataset of the store's entry, or None when there is none (or it is
    unreadable). Its tables are scans of the stored Parquet files; its checks were run when it
    was stored."""
    meta = _read_json(store.entry / "dataset.json")
    if meta is None or meta.get("format") != FORMAT:
        return None
    tables = {}
    for name, info in meta["tables"].items():
        path = store.entry / f"{name}.parquet"
        if not path.is_file():
            return None
        frame = pl.scan_parquet(path)
        tables[name] = TableSource(
            name=name,
            files=[Path(f) for f in info["files"]],
            frame=frame,
            checked=frame,
            headers=info["headers"],
            line_offset=info["line_offset"],
            file_columns=info["file_columns"],
            excluded=(
                pl.scan_parquet(store.entry / f"{name}.excluded.parquet")
                if info["excluded"]
                else None
            ),
        )
    ds = Dataset(config, tables, empty=meta["empty"], amounts_known=meta["amounts_known"])
    ds.warnings = [Note(code, params) for code, params in meta["warnings"]]
    ds.prepared = True
    first = store.entry / "first_paid.parquet"
    ds.first_paid = pl.scan_parquet(first) if first.is_file() else None
    ds.distinct_buyer_hashes = meta.get("distinct_buyer_hashes")
    os.utime(store.entry)  # recently used: kept when old entries are removed
    return ds


def save_dataset(store: Store, ds: Dataset) -> None:
    """Write the checked dataset as the store's entry (atomically: a folder renamed into
    place); an entry another run wrote meanwhile is kept."""
    if (_read_json(store.entry / "dataset.json") or {}).get("format") == FORMAT:
        return  # a damaged entry is prepared again
    try:
        store.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{store.key}.", dir=store.root))
    except OSError:
        return
    try:
        tables = {}
        # the orders first: their lines take the stored orders' keys
        for name, source in sorted(ds.tables.items(), key=lambda item: item[0] != "orders"):
            frame = source.frame
            if name == "order_items":
                # each line with its order's pay time (a report reads the lines of its months
                # only) and key (read back from the stored orders: the same numbers)
                # joined on the order number where there is one: cheaper than the text
                key = order_number() if ds.numbered_orders else pl.col("order_id")
                paid = (
                    pl.scan_parquet(tmp / "orders.parquet")
                    .select(key, pl.col("pay_time").alias(LINE_TIME), ORDER_KEY)
                    .unique(key.meta.output_name(), keep="first")
                )
                joined = frame.with_columns(key).join(paid, on=key.meta.output_name(), how="left")
                frame = joined.drop(ORDER_NUMBER, strict=False)
            time = _sort_column(name, frame)
            if time is not None:
                frame = frame.sort(time, nulls_last=True)
            if name == "orders":
                frame = frame.with_row_index(ORDER_KEY)
            frame.sink_parquet(tmp / f"{name}.parquet", **PARQUET)
            if source.excluded is not None:
                source.excluded.sink_parquet(tmp / f"{name}.excluded.parquet")
            tables[name] = {
                "files": [str(f) for f in source.files],
                "headers": source.headers,
                "line_offset": source.line_offset,
                "file_columns": source.file_columns,
                "excluded": source.excluded is not None,
            }
        tables = {name: tables[name] for name in ds.tables}
        # each buyer's first payment, grouped once here rather than on every report; sorted,
        # so that a report reads the row groups of its own span only
        first_payments(pl.scan_parquet(tmp / "orders.parquet")).sort("first_pay").sink_parquet(
            tmp / "first_paid.parquet", **PARQUET
        )
        # whether the history's buyers have as many hashes as ids (`buyer_hash`), once here
        ids, hashes = (
            pl.scan_parquet(tmp / "first_paid.parquet")
            .select(pl.len(), buyer_hash().n_unique())
            .collect()
            .row(0)
        )
        _write_json(
            tmp / "dataset.json",
            {
                "format": FORMAT,
                "tables": tables,
                "empty": ds.empty,
                "amounts_known": ds.amounts_known,
                "distinct_buyer_hashes": ids == hashes,
                "warnings": [[n.code, n.params] for n in ds.warnings],
            },
        )
        _install(tmp, store.entry)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    _prune(store)


def _install(tmp: Path, entry: Path) -> None:
    """Rename the prepared folder into place; the reports remembered in the entry before its
    tables were prepared (`reads_plainly`) move in with them. An entry another run prepared
    meanwhile is kept."""
    if (_read_json(entry / "dataset.json") or {}).get("format") == FORMAT:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = None
    if entry.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent))
        entry.rename(old / "entry")
        reports = old / "entry" / "reports"
        if reports.is_dir():
            reports.rename(tmp / "reports")
    try:
        tmp.rename(entry)
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


MISSING = object()
"""What `recall` returns when nothing is remembered."""


def recall(store: Store | None, what: list[Any]) -> Any:
    """The value remembered for `what` under the store's entry and the whole config (a report
    of a period on a day), or `MISSING`."""
    if store is None:
        return MISSING
    try:
        with _report_path(store, what).open("rb") as fh:
            return pickle.load(fh)  # the shop's own store, written by this code
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return MISSING


def keep(store: Store | None, what: list[Any], value: Any) -> None:
    """Remember `value` for `what` (see `recall`); a store that cannot be written (or a value
    that cannot be kept) is left alone."""
    if store is None:
        return
    path = _report_path(store, what)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as fh:
            fh.write(data)
        os.replace(fh.name, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass


def _report_path(store: Store, what: list[Any]) -> Path:
    """The file a report is remembered in."""
    return store.entry / "reports" / f"{_hash([store.config_key, what])[:32]}.pickle"


def reads_plainly(store: Store) -> bool:
    """Whether a report reads the entry's inputs as a run without the store does, only the
    months it needs (its result is still remembered): the first report over them (recorded
    now, so the next one prepares the tables), or any report once preparing them found a bad
    row (`never_prepare`).

    A month's new exports are usually read by one report (the monthly deck); preparing them
    would cost that run twice a plain read (10M order lines, 13 months: 18.8 against 11.2 s),
    and more as the history grows."""
    entry = store.entry
    if (entry / PLAIN).is_file():
        return True
    if (entry / "dataset.json").is_file() or (entry / SEEN).is_file():
        return False
    try:
        entry.mkdir(parents=True, exist_ok=True)
        (entry / SEEN).touch()
    except OSError:
        pass  # a store that cannot be written: every run reads as without it
    return True


def never_prepare(store: Store) -> None:
    """Record that the entry's inputs have a bad row (the checks over every month stopped):
    their reports read them as without the store, whose checks cover the months they read."""
    try:
        store.entry.mkdir(parents=True, exist_ok=True)
        (store.entry / PLAIN).touch()
    except OSError:
        pass


def clear(config: Config) -> Path | None:
    """Remove the store of `config`; the folder removed, or None when there was none."""
    if config.cache is False:
        return None
    root = config.base_dir / config.cache
    if not root.exists():
        return None
    shutil.rmtree(root)
    return root


def _inputs(config: Config) -> list[Path]:
    """Every file the tables read (joined files too), in config order."""
    files: list[Path] = []
    for name, spec in config.data.tables().items():
        patterns = [(spec.path or [], name)] + [(j.path, f"{name}.joins") for j in spec.joins]
        for pattern, label in patterns:
            try:
                files += expand_paths(pattern, config.base_dir, label)
            except MissingFiles:
                continue  # an optional table without files: the key has no file for it
    return files


def _digest(path: Path, known: list | None) -> list:
    """[size, mtime_ns, BLAKE2b digest] of a file; the known digest when size and mtime match."""
    stat = path.stat()
    if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
        return known
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "blake2b").hexdigest()
    return [stat.st_size, stat.st_mtime_ns, digest]


def _code_digest() -> str:
    """A digest of this package's code and Polars' version: another version reads and
    computes afresh (the store's buyer hashes, `buyer_hash`, are Polars')."""
    package = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(pl.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def _sort_column(name: str, frame: pl.LazyFrame) -> str | None:
    """The column a table is stored sorted by: orders by pay time, others by their time."""
    names = frame.collect_schema().names()
    first = {"orders": ("pay_time",), "order_items": (LINE_TIME,)}.get(name, ())
    for column in (*first, TABLES[name].time or ""):
        if column in names:
            return column
    return None


def _prune(store: Store) -> None:
    """Keep the newest entries of the store."""
    entries = [p for p in store.root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)


def _hash(value: Any) -> str:
    """A stable digest of a JSON-able value."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode()).hexdigest()


def _read_json(path: Path) -> Any:
    """A JSON file, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value: Any) -> None:
    """Write JSON atomically; a folder that cannot be written is left alone."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as fh:
            json.dump(value, fh, ensure_ascii=False, default=str)
        os.replace(fh.name, path)
    except OSError:
        pass
