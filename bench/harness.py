"""What every benchmark's child process does the same way: point Django at
its database in production mode, start a SQLite file afresh, read its peak
memory."""

import os
import resource
from pathlib import Path


def setup_django(database_url: str) -> None:
    """Django on `database_url`, in production mode (cached templates, no debug)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onethread.settings")
    os.environ.setdefault("ONETHREAD_SECRET_KEY", "bench-only-secret-key-never-used-elsewhere")
    os.environ["ONETHREAD_DEBUG"] = "false"
    os.environ.setdefault("ONETHREAD_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def remove_sqlite(path: Path) -> None:
    """The database file and its write-ahead log, so the next run starts empty."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
