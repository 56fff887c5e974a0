"""A real PostgreSQL server for the tests (Debian's package), and loading a shop into databases.

The server listens on a Unix socket in a temporary folder only (no TCP port), asks for a
password (scram-sha-256), and is stopped when the tests end. As root, it runs as the
`postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
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


MYSQL_TYPES = {
    pl.String: "TEXT",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Date: "DATE",
    pl.Boolean: "BOOLEAN",
}


@dataclass
class MariaDB:
    """A running MariaDB server (Debian's mariadb-server): a TCP port on 127.0.0.1 for the
    tests (ConnectorX speaks MySQL's protocol over TCP), a socket for setting it up as root."""

    root: Path
    socket: Path
    port: int
    process: subprocess.Popen

    def uri(self) -> str:
        """The URI of the test database, the password left to ${SHOP_DB_PASSWORD}."""
        return f"mysql://{USER}:${{SHOP_DB_PASSWORD}}@127.0.0.1:{self.port}/{DATABASE}"

    def sql(self, statements: str) -> None:
        """Run SQL as the server's root user (over the socket)."""
        command = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root"]
        done = subprocess.run(
            [*command, "--local-infile=1", "-e", statements], capture_output=True, text=True
        )
        if done.returncode:
            raise RuntimeError(f"mariadb: {done.stderr}")

    def load(self, tables: dict[str, pl.DataFrame]) -> None:
        """Create `tables` in the test database and fill them from CSV (LOAD DATA)."""
        for name, frame in tables.items():
            columns = []
            for column, dtype in frame.schema.items():
                kind = "DATETIME(6)" if dtype == pl.Datetime else MYSQL_TYPES[dtype.base_type()]
                columns.append(f"`{column}` {kind}")
            path = self.root / f"{name}.csv"
            booleans = [c for c, t in frame.schema.items() if t == pl.Boolean]
            frame.with_columns(pl.col(booleans).cast(pl.Int8)).write_csv(path, null_value="\\N")
            self.sql(
                f"CREATE TABLE {DATABASE}.`{name}` ({', '.join(columns)}); "
                f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE {DATABASE}.`{name}` "
                "CHARACTER SET utf8mb4 "
                "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' IGNORE 1 LINES;"
            )

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        self.process.terminate()
        self.process.wait(timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def start_mariadb() -> MariaDB:
    """A server of its own in a temporary folder, with the `report` user (a password) and its
    database; as root the server runs as root (`--user=root`), as mariadbd asks."""
    root = Path(tempfile.mkdtemp(prefix="shopreport-mariadb-"))
    data, socket_path = root / "data", root / "mysqld.sock"
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    user = ["--user=root"] if os.geteuid() == 0 else []
    install = ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--skip-test-db"]
    install += [*user, "--auth-root-authentication-method=socket"]
    done = subprocess.run(install, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"mariadb-install-db: {done.stderr or done.stdout}")
    options = [f"--datadir={data}", f"--socket={socket_path}", f"--port={port}"]
    options += ["--bind-address=127.0.0.1", "--local-infile=1", "--skip-log-bin"]
    options += [f"--pid-file={root / 'pid'}", f"--log-error={root / 'error.log'}", *user]
    daemon = shutil.which("mariadbd") or "/usr/sbin/mariadbd"  # sbin: not always on PATH
    process = subprocess.Popen(
        [daemon, "--no-defaults", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ping = ["mariadb-admin", "--no-defaults", f"--socket={socket_path}", "-u", "root", "ping"]
    for _ in range(300):
        if subprocess.run(ping, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    else:
        process.terminate()
        raise RuntimeError(f"mariadbd did not start: {(root / 'error.log').read_text()}")
    server = MariaDB(root, socket_path, port, process)
    server.sql(
        f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin; "
        f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'; "
        f"GRANT ALL ON {DATABASE}.* TO '{USER}'@'127.0.0.1';"
    )
    return server
