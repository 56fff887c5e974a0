"""Readers by format: each turns one file into a raw LazyFrame with the file's own headers."""

from __future__ import annotations

import atexit
import codecs
import functools
import glob
import shutil
import tempfile
from pathlib import Path

import polars as pl

from shopreport.config import FileOptions
from shopreport.errors import DataError

SUFFIX_FORMATS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".xlsb": "excel",
}
UTF8 = {"utf-8", "utf8", "utf-8-sig", "utf_8"}
CHUNK = 1 << 22


def expand_paths(pattern: str, base: Path, label: str) -> list[Path]:
    """The files a path, folder or glob names (relative to `base`), sorted."""
    full = base / pattern
    if full.is_dir():
        files = sorted(p for p in full.iterdir() if _suffix(p) in SUFFIX_FORMATS)
    elif any(ch in pattern for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
    else:
        files = [full] if full.is_file() else []
    if not files:
        what = "matches no file" if any(ch in pattern for ch in "*?[") or full.is_dir() else "not found"
        raise DataError(f"{label}: {full} {what}. Check `path` in the config (relative to the config file).")
    return files


def _suffix(path: Path) -> str:
    """The format-bearing suffix ('.csv' for 'x.csv.gz')."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".zst", ".bz2"}:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def file_format(path: Path, opts: FileOptions) -> str:
    """The format of `path`: from the options, else from its suffix."""
    fmt = opts.format or SUFFIX_FORMATS.get(_suffix(path))
    if fmt is None:
        raise DataError(
            f"{path}: cannot tell the format from the suffix '{_suffix(path)}'; "
            "set `format: csv|tsv|parquet|excel` for this table."
        )
    return fmt


def scan_file(path: Path, opts: FileOptions) -> pl.LazyFrame:
    """One file as a raw LazyFrame; header names are trimmed of spaces."""
    fmt = file_format(path, opts)
    frame = READERS[fmt](path, opts)
    try:
        names = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{path}: cannot be read as {fmt} ({_first_line(exc)}).") from None
    if opts.headers:
        if len(opts.headers) != len(names):
            raise DataError(
                f"{path}: `headers` names {len(opts.headers)} columns but the file has {len(names)}."
            )
        return frame.rename(dict(zip(names, opts.headers)))
    trimmed = {n: n.strip().lstrip("\ufeff") for n in names if n != n.strip().lstrip("\ufeff")}
    return frame.rename(trimmed) if trimmed else frame


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _scan_text(path: Path, opts: FileOptions, separator: str) -> pl.LazyFrame:
    """CSV/TSV as all-string columns (types are parsed later, ids stay strings)."""
    source = path if opts.encoding.lower() in UTF8 else _to_utf8(path, opts.encoding)
    return pl.scan_csv(
        source,
        separator=opts.separator or separator,
        infer_schema=False,
        has_header=opts.headers is None,
        skip_rows=opts.header_row or 0,
        truncate_ragged_lines=True,
    )


@functools.cache
def _to_utf8(path: Path, encoding: str) -> Path:
    """Transcode a GBK/GB18030 (or other) file to a temporary UTF-8 file, in chunks."""
    if encoding.lower().replace("-", "") in {"gbk", "gb2312", "cp936"}:
        encoding = "gb18030"  # the superset: GBK decoders fail on rare characters
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{encoding}' (try utf-8 or gb18030).") from None
    out = _temp_dir() / f"{len(list(_temp_dir().iterdir()))}_{path.stem}.csv"
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not valid {encoding} near byte {exc.start}; check `encoding` for this table."
        ) from None
    return out


@functools.cache
def _temp_dir() -> Path:
    """A private temporary folder, removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix="shopreport-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _scan_parquet(path: Path, opts: FileOptions) -> pl.LazyFrame:
    """Parquet, lazily: filters and column choices reach the file reader."""
    return pl.scan_parquet(path)


def _read_excel(path: Path, opts: FileOptions) -> pl.LazyFrame:
    """An Excel sheet (calamine), all columns as strings; the header row may be below titles."""
    sheet = {"sheet_name": opts.sheet} if isinstance(opts.sheet, str) else {"sheet_id": (opts.sheet or 0) + 1}
    read_options = {"header_row": opts.header_row} if opts.header_row else {}
    if opts.headers is not None:
        read_options["header_row"] = None
    try:
        frame = pl.read_excel(path, engine="calamine", read_options=read_options,
                              infer_schema_length=0, **sheet)
    except Exception as exc:  # fastexcel raises its own exception types
        raise DataError(f"{path}: cannot be read as Excel ({_first_line(exc)}).") from None
    return frame.lazy()


READERS = {
    "csv": lambda p, o: _scan_text(p, o, ","),
    "tsv": lambda p, o: _scan_text(p, o, "\t"),
    "parquet": _scan_parquet,
    "excel": _read_excel,
}
