import os

import pytest

# Set before pytest-django sets Django up (in pytest_configure, since the ini
# names no settings module): tests run in production mode, which needs a key.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onethread.settings")
os.environ.setdefault("ONETHREAD_SECRET_KEY", "test-only-secret-key-never-used-in-production")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.conf import settings

# Loading the settings here is what lets pytest-django set Django up.
# Hashing test passwords slowly would only slow the suite down.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures tests recorded with record_property("figure", text)
    (the SQLite soak's throughput), also when they ran in xdist workers."""
    for report in terminalreporter.stats.get("passed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "figure":
                terminalreporter.write_line(str(value))
