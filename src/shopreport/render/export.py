"""The deck as PDF (LibreOffice) and as one PNG per slide (poppler's pdftoppm), written beside
it atomically: converted in a temporary folder, then renamed into place."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from shopreport.errors import ShopreportError

INSTALL = {
    "soffice": "LibreOffice (Debian/Ubuntu: apt-get install libreoffice-impress; macOS: brew "
    "install --cask libreoffice)",
    "pdftoppm": "poppler (Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install "
    "poppler)",
}
PNG_DPI = 110  # 13.33 in wide: 1467 px, sharp in a chat window


class ExportError(ShopreportError):
    """A converter is missing or failed."""

    exit_code = 1


def _tool(name: str) -> str:
    found = shutil.which(name) or (shutil.which("libreoffice") if name == "soffice" else None)
    if not found:
        raise ExportError(f"`{name}` was not found: install {INSTALL[name]}.")
    return found


def require_converters(png: bool) -> None:
    """Fail early, before the deck is built, when a converter is missing."""
    _tool("soffice")
    if png:
        _tool("pdftoppm")


def to_pdf(deck: Path, keep: bool = True, timeout: float = 300) -> Path:
    """Convert `deck` to PDF with LibreOffice: `<deck>.pdf` beside it when `keep`, else in a
    temporary folder (for the slide images only)."""
    soffice = _tool("soffice")
    deck = deck.resolve()  # LibreOffice's profile is named by a file URI: an absolute path
    work = Path(tempfile.mkdtemp(prefix=".shopreport-pdf-", dir=deck.parent))
    try:
        profile = work / "profile"  # its own profile: runs beside an open LibreOffice
        result = _run_group(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(deck),
            ],
            timeout,
        )
        made = work / f"{deck.stem}.pdf"
        if result.returncode != 0 or not made.exists():
            raise ExportError(
                f"LibreOffice could not convert {deck} to PDF: "
                f"{(result.stderr or result.stdout).strip()[:400] or 'no output'}"
            )
        target = deck.with_suffix(".pdf") if keep else deck.parent / f".{deck.stem}.pdf"
        os.chmod(made, file_mode())
        os.replace(made, target)
        return target
    except subprocess.TimeoutExpired:
        raise ExportError(f"LibreOffice took longer than {timeout:.0f} s on {deck}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_group(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run `command` in its own process group, and end the whole group when it times out or the
    build is stopped (--timeout, Ctrl-C): `soffice` starts `soffice.bin`, which outlives a
    killed parent and keeps writing into the folder being removed."""
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def to_png(pdf: Path, folder: Path, stem: str, dpi: int = PNG_DPI) -> list[Path]:
    """One PNG per page of `pdf` in `folder` (`<stem>-01.png` …)."""
    pdftoppm = _tool("pdftoppm")
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".shopreport-png-", dir=folder))
    try:
        result = subprocess.run(
            [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(work / "slide")],
            capture_output=True,
            text=True,
        )
        pages = sorted(work.glob("slide-*.png"))
        if result.returncode != 0 or not pages:
            raise ExportError(f"pdftoppm could not draw {pdf}: {result.stderr.strip()[:400]}")
        out = []
        for number, page in enumerate(pages, start=1):
            target = folder / f"{stem}-{number:02d}.png"
            os.chmod(page, file_mode())
            os.replace(page, target)
            out.append(target)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def file_mode() -> int:
    """The permissions of a new file under the process's umask (0644 under the usual 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
