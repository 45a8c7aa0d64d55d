"""Runtime state is private to the hub's user: `var/` and the SQLite files in it hold
session keys, token digests and encrypted credentials, and a copied session key signs in
as its user. Directories are 0700 and SQLite databases 0600 from the moment they exist.

SQLite creates a database's -wal and -shm files with the database file's own mode, so a
database created here at 0600 keeps its companions private too; files made by older
versions at 0644 are narrowed on start."""

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _narrow(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except PermissionError:
        # A folder the operator mounted and owns: its mode is theirs to choose.
        log.warning("cannot make %s private (mode %o): not its owner", path, mode)


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _narrow(path, 0o700)
    return path


def private_sqlite_file(path: Path) -> Path:
    """Create the database file `path` at 0600 before SQLite opens it (and narrow an
    existing one and its -wal/-shm/-journal files)."""
    private_dir(path.parent)
    # Only a file that does not exist yet is opened here. Closing any descriptor of a file
    # drops every POSIX lock this process holds on it, SQLite's included: opening an
    # existing database beside a live connection would silently unlock that connection
    # (the broker's readers then stop seeing new messages).
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _narrow(companion, 0o600)
    return path
