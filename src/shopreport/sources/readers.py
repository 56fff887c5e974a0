"""Readers by format: each turns one file into a raw LazyFrame with the file's own headers."""

from __future__ import annotations

import atexit
import bisect
import codecs
import contextlib
import csv
import functools
import glob
import gzip
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from shopreport.config import FileOptions
from shopreport.errors import DataError

SUFFIX_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".xlsb": "excel",
}
UTF8 = {"utf-8", "utf8", "utf-8-sig", "utf_8"}
CHUNK = 1 << 22


def expand_paths(
    pattern: str | list[str], base: Path, label: str, skipped: dict[Path, Path] | None = None
) -> list[Path]:
    """The regular files a path, folder or glob names (relative to `base`), sorted, each real
    file once (a symlink to a file already matched, or a link loop, adds nothing); for a list
    of candidates, those of the first that matches anything. Paths skipped as the same file as
    one read are recorded in `skipped` (path → the path read)."""
    candidates = pattern if isinstance(pattern, list) else [pattern]
    for index, candidate in enumerate(candidates):
        files = _once(_expand(candidate, base), {} if skipped is None else skipped)
        if files:
            # a list is of alternatives (a preset's file names); two files of one folder both
            # named plainly were meant to be read together, which a list does not do: said
            others = [  # (a preset's alternatives in other folders are alternatives)
                c
                for c in candidates[index + 1 :]
                if not any(ch in c for ch in "*?[")
                and (base / c).is_file()
                and (base / c).parent.resolve() == (base / candidate).parent.resolve()
            ]
            if others and not any(ch in candidate for ch in "*?["):
                raise DataError(
                    f"{label}: `path` lists {candidate} and {others[0]}, but a list names "
                    "alternatives and only the first file found is read. To read several files "
                    "as one table, give a folder or a pattern (e.g. 'orders_*.csv')."
                )
            return files
    tried = ", ".join(str(base / c) for c in candidates)
    glob_like = any(any(ch in c for ch in "*?[") or (base / c).is_dir() for c in candidates)
    what = "matches no file" if glob_like else "not found"
    raise MissingFiles(
        f"{label}: {tried} {what}. Check `path` in the config (relative to the config file)."
    )


def _once(files: list[Path], skipped: dict[Path, Path]) -> list[Path]:
    """Each real file once: later paths that resolve to a file already listed are skipped."""
    seen: dict[Path, Path] = {}
    out = []
    for path in files:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a dangling link or a link loop
            continue
        if real in seen:
            skipped[path] = seen[real]
            continue
        seen[real] = path
        out.append(path)
    return out


class MissingFiles(DataError):
    """No file matches a table's path."""


def _expand(pattern: str, base: Path) -> list[Path]:
    """Regular files of one path, folder or glob (a FIFO or device is never opened)."""
    full = base / pattern
    if full.is_dir():
        return sorted(
            p for p in _folder_files(full) if _suffix(p) in SUFFIX_FORMATS and _regular(p)
        )
    if any(ch in pattern for ch in "*?["):
        return sorted(Path(p) for p in glob.glob(str(full), recursive=True) if _regular(Path(p)))
    if full.exists() and not full.is_dir() and not _regular(full):
        raise DataError(f"{full}: not a regular file (a pipe or device); name the export file.")
    return [full] if _regular(full) else []


def _folder_files(folder: Path) -> list[Path]:
    """The files of a folder and of its hive partitions (`month=2026-10/` subfolders)."""
    out = []
    for path in folder.iterdir():
        if "=" in path.name and path.is_dir():
            out += _folder_files(path)
        else:
            out.append(path)
    return out


def hive_root(files: list[Path]) -> Path | None:
    """The folder of a hive-partitioned Parquet dataset (`orders/month=2026-10/part-0.parquet`
    …) when `files` are exactly its files, else None. Partitions of one dataset do not
    overlap: they are read as one table, in one scan."""
    if not files or any(_suffix(p) != ".parquet" for p in files):
        return None
    roots = set()
    for path in files:
        parent = path.parent
        if "=" not in parent.name:
            return None
        while "=" in parent.name:
            parent = parent.parent
        roots.add(parent)
    return roots.pop() if len(roots) == 1 else None


MONTH_PARTITION = re.compile(r"month=(\d{4}-\d{2})")


def partition_months(files: list[Path]) -> dict[Path, str] | None:
    """Each file's month ('2026-10') when `files` are a hive dataset partitioned by month
    (`orders/month=2026-10/part-0.parquet`), else None."""
    root = hive_root(files)
    if root is None:
        return None
    months = {}
    for path in files:
        found = MONTH_PARTITION.fullmatch(path.parent.name)
        if found is None or path.parent.parent != root:
            return None
        months[path] = found.group(1)
    return months


def describe_files(files: list[Path], full: bool = False) -> list[str]:
    """File names for a message (full paths with `full`); a hive-partitioned dataset as its
    folder and the range of its partitions."""
    root = hive_root(files)
    if root is not None and len(files) > 1:
        parts = sorted(str(p.parent.relative_to(root)) for p in files)
        if not full:
            return [f"{root.name}/{parts[0]} … {parts[-1].rsplit('=', 1)[-1]}"]
        return [f"{root}/ ({len(files)} partition files, {parts[0]} … {parts[-1]})"]
    return [str(p) if full else p.name for p in files]


def _regular(path: Path) -> bool:
    """A regular file (following links), not a FIFO, socket or device."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, RuntimeError):
        return False


def _suffix(path: Path) -> str:
    """The format-bearing suffix ('.csv' for 'x.csv.gz')."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".zst", ".bz2"}:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def file_format(path: Path, opts: FileOptions) -> str:
    """The format of `path`: from the options, else from its suffix."""
    fmt = opts.format or ("parquet" if path.is_dir() else SUFFIX_FORMATS.get(_suffix(path)))
    if fmt is None:
        raise DataError(
            f"{path}: cannot tell the format from the suffix '{_suffix(path)}'; "
            "set `format: csv|tsv|parquet|excel` for this table."
        )
    return fmt


def scan_file(
    path: Path, opts: FileOptions, expected: frozenset[str] = frozenset()
) -> tuple[pl.LazyFrame, int]:
    """One file as a raw LazyFrame (and the 0-based row of its header); headers are trimmed.

    `expected` are headers the config names: when the first row lacks them, the header is
    looked for in the rows below (exports put title rows above it).
    """
    fmt = file_format(path, opts)
    if fmt != "parquet" and path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; export it again.")
    if (
        opts.header_row is None
        and opts.headers is None
        and expected
        and fmt in ("csv", "tsv", "excel")
    ):
        opts = opts.model_copy(update={"header_row": find_header_row(path, opts, fmt, expected)})
    frame, header_row = READERS[fmt](path, opts), opts.header_row or 0
    try:
        names = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(f"{path}: cannot be read as {fmt} ({_first_line(exc)}).") from None
    if fmt in ("csv", "tsv") and (cut := _cut_short(path, opts, fmt, len(names))):
        raise DataError(cut)
    # a header given twice is ambiguous when the config uses it (blank headers of empty
    # columns Excel leaves behind, or columns nobody reads, are not)
    repeated = [
        n
        for n in names
        if DUPLICATED.search(n)
        and DUPLICATED.sub("", n).strip()
        and (not expected or DUPLICATED.sub("", n).strip() in expected)
    ]
    if repeated and not opts.headers:
        header = DUPLICATED.sub("", repeated[0])
        positions = [i + 1 for i, n in enumerate(names) if DUPLICATED.sub("", n) == header]
        raise DataError(
            f"{path}: the header '{header}' appears {len(positions)} times (columns "
            f"{' and '.join(map(str, positions))}); rename all but one in the file, since "
            "shopreport cannot tell which is meant."
        )
    if opts.headers:
        if len(opts.headers) != len(names):
            raise DataError(
                f"{path}: `headers` names {len(opts.headers)} columns "
                f"but the file has {len(names)}."
            )
        return frame.rename(dict(zip(names, opts.headers, strict=False))), header_row
    trimmed: dict[str, str] = {}
    taken = set(names)
    for n in names:
        clean = n.strip().lstrip("\ufeff")
        if clean == n:
            continue
        if clean in taken:  # "备注" and "备注 ": the same header twice once trimmed
            if clean in expected:
                positions = [
                    i + 1 for i, h in enumerate(names) if h.strip().lstrip("\ufeff") == clean
                ]
                raise DataError(
                    f"{path}: the header '{clean}' appears {len(positions)} times (columns "
                    f"{' and '.join(map(str, positions))}, one with spaces around it); rename "
                    "all but one in the file, since shopreport cannot tell which is meant."
                )
            continue  # a column nobody reads keeps its spaces
        trimmed[n] = clean
        taken.add(clean)
    return (frame.rename(trimmed) if trimmed else frame), header_row


HEADER_SEARCH_ROWS = 30
DUPLICATED = re.compile(r"_duplicated_\d+$")


def find_header_row(path: Path, opts: FileOptions, fmt: str, expected: frozenset[str]) -> int:
    """The first of the top rows holding the most expected headers (0 when none does)."""
    rows = _top_rows(path, opts, fmt)
    best, best_hits = 0, 0
    for index, row in enumerate(rows):
        hits = _hits(row, expected)
        if hits > best_hits:
            best, best_hits = index, hits
    if fmt == "excel" and best:
        # calamine drops blank rows when it reads without a header but counts them in
        # header_row: step down from the row found until its headers come out
        for row in range(best, best + HEADER_SEARCH_ROWS):
            frame = _read_excel(path, opts.model_copy(update={"header_row": row}), n_rows=1)
            if _hits(frame.collect_schema().names(), expected) >= best_hits:
                return row
    return best


def _hits(row, expected: frozenset[str]) -> int:
    """How many of the expected headers a row holds."""
    return len({str(cell).strip().lstrip("\ufeff") for cell in row if cell is not None} & expected)


def _top_rows(path: Path, opts: FileOptions, fmt: str) -> list[list]:
    """The first rows of a file, unparsed."""
    if fmt == "excel":
        frame = _read_excel(
            path,
            opts.model_copy(update={"headers": ["_"], "header_row": None}),
            n_rows=HEADER_SEARCH_ROWS,
        )
        return [list(r) for r in frame.collect().rows()]
    source = _text_source(path, opts)
    with open(source, encoding="utf-8-sig", errors="replace", newline="") as handle:
        lines = [line for _, line in zip(range(HEADER_SEARCH_ROWS), handle, strict=False)]
    delimiter = opts.separator or ("\t" if fmt == "tsv" else ",")
    return list(csv.reader(lines, delimiter=delimiter))


TAIL = 1 << 16


def _cut_short(path: Path, opts: FileOptions, fmt: str, width: int) -> str | None:
    """Where a text file ends inside a row (an interrupted download or copy): its last line has
    no line break and fewer values than the header. Reads the file's last 64 KiB only (and
    counts its lines when it is cut)."""
    source = _text_source(path, opts)
    if source.suffix.lower() in {".gz", ".zst", ".bz2"}:
        return None
    with source.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - TAIL))
        tail = handle.read()
    tail = tail.rstrip(b" \t\x1a")  # trailing blanks, a DOS end-of-file mark
    if not tail or tail.endswith((b"\n", b"\r")) or b"\n" not in tail:
        return None  # (no line break in 64 KiB: old-Mac line ends, or one long row)
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    if '"' in last or "\r" in last:
        return None  # a quoted value may have begun lines above: not decidable from here
    delimiter = opts.separator or ("\t" if fmt == "tsv" else ",")
    values = next(csv.reader([last], delimiter=delimiter), [])
    if len(values) >= width:
        return None
    with source.open("rb") as handle:
        line = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(CHUNK), b"")) + 1
    return (
        f"{path}, line {line}: the file ends inside this row ({len(values)} of the header's "
        f"{width} values, and no line break): the download or copy was cut short, so rows are "
        "missing too. Export the table again."
    )


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _scan_text(path: Path, opts: FileOptions, separator: str) -> pl.LazyFrame:
    """CSV/TSV as all-string columns (types are parsed later, ids stay strings)."""
    return pl.scan_csv(
        _text_source(path, opts),
        separator=opts.separator or separator,
        infer_schema=False,
        has_header=opts.headers is None,
        skip_rows=opts.header_row or 0,
        # a row with a value too many is an error (`ragged_row`), unless they are all empty
        truncate_ragged_lines=path in EMPTY_EXTRAS,
    )


EMPTY_EXTRAS: set[Path] = set()
"""Text files whose rows end with separators the header lacks, all empty (`1,2,` under `a,b`):
read with the empty extras dropped (`ragged_row`)."""


def ragged_row(path: Path, opts: FileOptions, expected: frozenset[str] = frozenset()) -> str | None:
    """Where a text file has a row with more values than its header, said for a person; None
    when it has none. A file whose extra values are all empty is marked to be read with them
    dropped (`EMPTY_EXTRAS`), and has none. Only called once reading failed: it reads the
    file row by row."""
    fmt = file_format(path, opts)
    if fmt not in ("csv", "tsv"):
        return None
    header_row = opts.header_row
    if header_row is None and opts.headers is None and expected:
        header_row = find_header_row(path, opts, fmt, expected)
    with _csv_rows(path, opts, fmt) as rows:
        width, start, empty_extras = None, 0, False
        for index, row in enumerate(rows):
            if index < (header_row or 0) or not row:
                start = rows.line_num
                continue
            if width is None:
                width = len(row)
            elif len(row) > width:
                if not any(v.strip() for v in row[width:]):
                    empty_extras = True
                    start = rows.line_num
                    continue
                lines = (
                    f"line {start + 1}"
                    if start + 1 == rows.line_num
                    else (f"lines {start + 1}–{rows.line_num}")
                )
                return (
                    f"{path}, {lines}: {len(row)} values where the "
                    f"{'header has' if opts.headers is None else 'first row has'} {width}. A "
                    "value holding the separator without quotes shifts the columns after it; "
                    "quote that value or export the table again."
                )
            start = rows.line_num
    if empty_extras:
        EMPTY_EXTRAS.add(path)
    return None


def short_row(path: Path, opts: FileOptions, row: int, header: int) -> tuple[int, int] | None:
    """The values of the text file's `row`-th row after its header (at line `header`) and of the
    header, when the row has fewer (a value left out, or a line break inside an unquoted value);
    else None. Only for a message: it reads the file to that row."""
    fmt = file_format(path, opts)
    if fmt not in ("csv", "tsv") or opts.headers is not None:
        return None
    with _csv_rows(path, opts, fmt) as rows:
        width, start, seen = None, 1, 0
        for values in rows:
            if start == header:
                width = len(values)
            elif width is not None and values:
                seen += 1
                if seen == row:
                    return (len(values), width) if len(values) < width else None
            start = rows.line_num + 1
    return None


def record_line(path: Path, opts: FileOptions, record: int) -> int:
    """The line on which a text file's `record`-th record (from 1, title and header rows
    counted) starts: `record` itself unless a quoted value before it spans lines (a buyer's
    message with a line break). Only for a message: the first call reads the file."""
    shifts, ahead = _record_shifts(path, opts, _version(path))
    i = bisect.bisect_left(shifts, record) - 1  # the records before it
    return record + (ahead[i] if i >= 0 else 0)


_SHIFTS: dict[tuple[Path, tuple[int, int]], tuple[list[int], list[int]]] = {}


def _record_shifts(
    path: Path, opts: FileOptions, version: tuple[int, int]
) -> tuple[list[int], list[int]]:
    """The records after which the file's lines run ahead of its records, and by how many
    lines in all (few: most files have none)."""
    if (path, version) not in _SHIFTS:
        shifts, ahead, over = [], [], 0
        fmt = file_format(path, opts)
        if fmt in ("csv", "tsv") and _odd_quotes(path, opts):
            with _csv_rows(path, opts, fmt) as rows:
                for record, _ in enumerate(rows, start=1):
                    if rows.line_num - record != over:
                        over = rows.line_num - record
                        shifts.append(record)
                        ahead.append(over)
        _SHIFTS[(path, version)] = (shifts, ahead)
    return _SHIFTS[(path, version)]


def _odd_quotes(path: Path, opts: FileOptions) -> bool:
    """Whether a line of the file has an odd number of quotes: the first line of a quoted
    value over several lines does (quotes inside a value come in pairs), so without one every
    record is one line. Half the time of reading the records (1M lines: 0.20 s against 0.36 s,
    the encoding check included)."""
    source = _text_source(path, opts)
    opener = gzip.open if source.suffix.lower() == ".gz" else open
    with opener(source, "rb") as f:
        return any(line.count(b'"') % 2 for line in f)


@contextlib.contextmanager
def _csv_rows(path: Path, opts: FileOptions, fmt: str) -> Iterator[Any]:
    """A csv reader over a text file read as UTF-8 (transcoded, unzipped), row by row: for the
    messages that name a row (`ragged_row`, `short_row`)."""
    source = _text_source(path, opts)
    opener = gzip.open if source.suffix.lower() == ".gz" else open
    with opener(source, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
        yield csv.reader(f, delimiter=opts.separator or ("\t" if fmt == "tsv" else ","))


def _text_source(path: Path, opts: FileOptions) -> Path:
    """The file itself when it is UTF-8, else a UTF-8 copy of it."""
    version = _version(path)  # a file changed since (a long-running process) is read anew
    encoding = opts.encoding or detect_encoding(path, version)
    if encoding.lower().replace("_", "-") in UTF8:
        return path
    return _to_utf8(path, encoding, version)


def _version(path: Path) -> tuple[int, int]:
    """The file's modification time and size."""
    info = path.stat()
    return info.st_mtime_ns, info.st_size


SNIFF = 1 << 16
BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


@functools.cache
def detect_encoding(path: Path, version: tuple[int, int] = (0, 0)) -> str:
    """UTF-8 when the start of the file decodes as UTF-8, else GB18030; binary files are refused
    (`version`: the file's mtime and size, so that a changed file is looked at again)."""
    with _open_raw(path) as handle:
        sample = handle.read(SNIFF)
    for bom, name in BOMS:
        if sample.startswith(bom):
            return name
    if b"\x00" in sample:
        raise DataError(
            f"{path}: this is a binary file, not a text export (CSV/TSV). Export the table as "
            "CSV or Excel, or set `format`; a UTF-16 file without its byte-order mark needs "
            "`encoding: utf-16`."
        )
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8"
    return "gb18030"


def _open_raw(path: Path):
    """The file's bytes, decompressed when it is gzipped."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


@functools.cache
def _to_utf8(path: Path, encoding: str, version: tuple[int, int] = (0, 0)) -> Path:
    """Transcode a GBK/GB18030 (or other) file to a temporary UTF-8 file, in chunks."""
    if encoding.lower().replace("-", "") in {"gbk", "gb2312", "cp936"}:
        encoding = "gb18030"  # the superset: GBK decoders fail on rare characters
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    except LookupError:
        raise DataError(f"{path}: unknown encoding '{encoding}' (try utf-8 or gb18030).") from None
    out = _temp_dir() / f"{len(list(_temp_dir().iterdir()))}_{path.stem}.csv"
    try:
        with _open_raw(path) as src, out.open("w", encoding="utf-8", newline="") as dst:
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
    """Parquet, lazily: filters and column choices reach the file reader (a hive-partitioned
    folder as one scan of its files; the partition values are in the rows already)."""
    if not path.is_dir():
        return pl.scan_parquet(path)
    return scan_parquet_files(partition_files(path), folder=path)


def partition_files(folder: Path) -> list[Path]:
    """A partitioned folder's Parquet files, in the order a scan of the folder reads them."""
    return [f for f in sorted(folder.rglob("*.parquet")) if not f.name.startswith((".", "_"))]


def scan_parquet_files(files: list[Path], folder: Path | None = None) -> pl.LazyFrame:
    """Parquet files (all those of `folder`, when given) as one scan. When their columns
    differ (a month exported with a column more or fewer, or a number written as text), each
    file is scanned alone and the files are stacked by column name: a column a file lacks is
    empty in its rows, and differing types take one that holds both."""
    schemas = {tuple(pl.read_parquet_schema(f).items()) for f in files}
    if len(schemas) <= 1:
        return pl.scan_parquet(folder or files, hive_partitioning=False)
    return pl.concat([pl.scan_parquet(f) for f in files], how="diagonal_relaxed")


def _read_excel(path: Path, opts: FileOptions, n_rows: int | None = None) -> pl.LazyFrame:
    """An Excel sheet (calamine), all columns as strings; the header row may be below titles."""
    sheet = (
        {"sheet_name": opts.sheet}
        if isinstance(opts.sheet, str)
        else {"sheet_id": (opts.sheet or 0) + 1}
    )
    read_options: dict = {"header_row": opts.header_row} if opts.header_row else {}
    if opts.headers is not None:
        read_options["header_row"] = None
    if n_rows:
        read_options["n_rows"] = n_rows
    try:
        frame = pl.read_excel(
            path, engine="calamine", read_options=read_options, infer_schema_length=0, **sheet
        )
    except Exception as exc:  # fastexcel raises its own exception types
        raise DataError(f"{path}: {_excel_problem(path, opts, exc)}") from None
    return frame.lazy()


def _excel_problem(path: Path, opts: FileOptions, exc: Exception) -> str:
    """Why an Excel file could not be read, for a person: the sheets it has when the one asked
    for is not among them, or that it is no Excel workbook (a CSV renamed .xlsx)."""
    import fastexcel

    try:
        sheets = fastexcel.read_excel(path).sheet_names
    except Exception:
        return (
            "cannot be read as an Excel workbook (is it another format renamed, or damaged?). "
            "Save it again from Excel, or export CSV."
        )
    if isinstance(opts.sheet, str) and opts.sheet not in sheets:
        return f"has no sheet '{opts.sheet}'; its sheets: {', '.join(sheets)} (set `sheet:`)."
    if isinstance(opts.sheet, int) and opts.sheet >= len(sheets):
        return (
            f"`sheet: {opts.sheet}` is past its last sheet (numbered from 0); its sheets: "
            f"{', '.join(sheets)}."
        )
    return f"cannot be read as Excel ({_first_line(exc)})."


READERS = {
    "csv": lambda p, o: _scan_text(p, o, ","),
    "tsv": lambda p, o: _scan_text(p, o, "\t"),
    "parquet": _scan_parquet,
    "excel": _read_excel,
}
