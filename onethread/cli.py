"""The `onethread` console script: Django's command line with our settings."""

import os
import sys
from pathlib import Path


def ensure_sqlite_folder() -> None:
    """Create the folder of the embedded SQLite database on first use."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and str(database["NAME"]) != ":memory:":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onethread.settings")
    from django.core.management import execute_from_command_line

    ensure_sqlite_folder()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
