"""Open the published warehouse file: read-only for readers, copy-load-replace for the one writer.

DuckDB lets one process write a file, and a read-only reader cannot open a file another
process holds for writing. So a writer never opens the published file for writing: it
copies it to `<file>.next`, loads into the copy, checkpoints, closes and publishes with
os.replace, which is atomic on POSIX. Readers holding the old file keep a consistent
snapshot (the old inode lives on until they close it) and reopen when it changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

NEXT_SUFFIX = ".next"
WAL_SUFFIX = ".wal"


def next_path(path: Path) -> Path:
    """Where a writer builds the next version of `path` (beside it, so os.replace stays on one file system)."""
    return path.with_name(path.name + NEXT_SUFFIX)


def work_dir(path: Path) -> Path:
    """Scratch folder beside the warehouse for a load's temporary files (e.g. transcoded CSV)."""
    return path.with_name(path.name + NEXT_SUFFIX + ".work")


def wal_path(path: Path) -> Path:
    """DuckDB's write-ahead log for the database at `path`."""
    return path.with_name(path.name + WAL_SUFFIX)


def connect_readonly(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse; FileNotFoundError if nothing is published yet."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `python -m pipelines ingest FEED_DIR` first")
    return duckdb.connect(str(path), read_only=True)


def published_version(path: Path | str) -> tuple[int, int, int] | None:
    """An identity of the published file that changes on every publish (device, inode, mtime); None if absent."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


@dataclass
class ReadonlyWarehouse:
    """A reader's handle: the same read-only connection until a writer publishes, then a fresh one."""

    path: Path
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _version: tuple[int, int, int] | None = field(default=None, repr=False)

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The current connection, reopened first if the published file changed since it was opened."""
        version = published_version(self.path)
        if self._con is None or version != self._version:
            self.close()
            # Close before reconnecting: DuckDB caches databases by path within a
            # process and would otherwise hand back the old (replaced) file.
            self._con = connect_readonly(self.path)
            self._version = version
        return self._con

    def close(self) -> None:
        """Release the connection (and with it the old file, if it was replaced)."""
        if self._con is not None:
            self._con.close()
            self._con = None


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the warehouse's folder: one writer at a time, or one load would be lost."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def remove_stray_copy(path: Path) -> bool:
    """Delete what a killed writer left beside `path`; True if there was anything."""
    found = False
    for stray in (next_path(path), wal_path(next_path(path))):
        if stray.exists():
            stray.unlink()
            found = True
    if work_dir(path).exists():
        shutil.rmtree(work_dir(path))
        found = True
    return found


def fsync_path(path: Path) -> None:
    """Flush a file's (or a directory's) data to disk, so a publish survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_for_write(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the warehouse; publish it on success, discard it on any exception.

    A kill part-way leaves only `<file>.next`, removed by the next writer; the published
    file is never opened for writing, so it is byte-for-byte what it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(path):
        remove_stray_copy(path)
        copy = next_path(path)
        if path.exists():
            shutil.copyfile(path, copy)
            if wal_path(path).exists():
                # Only a writer that bypassed this module leaves a WAL; carry it so nothing is lost.
                shutil.copyfile(wal_path(path), wal_path(copy))
        # Lineage (_source_line) records order, so DuckDB may append rows in any order: faster.
        con = duckdb.connect(str(copy), config={"preserve_insertion_order": False})
        try:
            yield con
            con.execute("checkpoint")
        except BaseException:
            con.close()
            remove_stray_copy(path)
            raise
        con.close()
        fsync_path(copy)
        os.replace(copy, path)
        with contextlib.suppress(FileNotFoundError):
            wal_path(path).unlink()  # folded into the copy by the checkpoint above
        fsync_path(path.parent)
        shutil.rmtree(work_dir(path), ignore_errors=True)
