"""A real PostgreSQL server for the tests (Debian's package), and loading a shop into databases.

The server listens on a Unix socket in a temporary folder only (no TCP port), asks for a
password (scram-sha-256), and is stopped when the tests end. As root, it runs as the
`postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

USER, PASSWORD, DATABASE = "report", "s3cret-Pw", "shop"


def pg_bin(program: str) -> str:
    """A PostgreSQL program: on PATH, else in Debian's versioned folder."""
    found = shutil.which(program) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(f"{program} not found: install Debian's postgresql package")
    return found


@dataclass
class Server:
    """A running server: its socket folder and how to stop it."""

    root: Path
    socket: Path

    def uri(self, password: bool = False) -> str:
        """The libpq URI of the test database (the password only when asked)."""
        who = f"{USER}:{PASSWORD}" if password else USER
        return f"postgresql://{who}@/{DATABASE}?host={self.socket}"

    def stop(self) -> None:
        """Stop the server (fast shutdown)."""
        _run([pg_bin("pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a server program, as `postgres` when we are root."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr or done.stdout}")
    return done


def start() -> Server:
    """initdb, start, and create the `report` user (with a password) and its database, in a
    folder of its own (pytest's are private to root, and the server runs as `postgres`)."""
    root = Path(tempfile.mkdtemp(prefix="shopreport-pg-"))
    socket = root / "socket"
    socket.mkdir(parents=True)
    pwfile = root / "pw"
    pwfile.write_text("super-Pw\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket, "postgres")
        shutil.chown(pwfile, "postgres")
    data = root / "data"
    _run(
        [
            pg_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--pwfile",
            str(pwfile),
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
        ]
    )
    options = f"-c listen_addresses='' -k {socket} -c fsync=off"
    _run([pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"])
    env = {**os.environ, "PGPASSWORD": "super-Pw", "PGHOST": str(socket)}
    for sql in (
        f"CREATE USER {USER} PASSWORD '{PASSWORD}'",
        f"CREATE DATABASE {DATABASE} OWNER {USER}",
    ):
        _run([pg_bin("psql"), "-U", "postgres", "-d", "postgres", "-c", sql], env=env)
    return Server(root, socket)


def shop_tables(shop: Path) -> dict[str, pl.DataFrame]:
    """The demo shop's tables as its Parquet files hold them (partition folders joined)."""
    config = yaml.safe_load((shop / "shopreport.yaml").read_text(encoding="utf-8"))
    tables = {}
    for name, spec in config["data"].items():
        path = shop / spec["path"]
        source = str(path / "**" / "*.parquet") if path.is_dir() else path
        tables[name] = pl.read_parquet(source, hive_partitioning=False)
    return tables


def load(connect, target: str, tables: dict[str, pl.DataFrame]) -> None:
    """Write `tables` into a database through ADBC's bulk ingest (COPY on PostgreSQL)."""
    with connect(target) as db, db.cursor() as cursor:
        for name, frame in tables.items():
            cursor.adbc_ingest(name, frame.to_arrow(), mode="replace")
        db.commit()


def database_config(shop: Path, uri: str, folder: Path) -> Path:
    """The demo shop's config with every table read from `uri` (same table names)."""
    config = yaml.safe_load((shop / "shopreport.yaml").read_text(encoding="utf-8"))
    for name in config["data"]:
        config["data"][name] = {"uri": uri, "table": name}
    path = folder / "shopreport.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path
