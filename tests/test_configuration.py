import subprocess
import sys

from django.core.checks import Error

from onethread.checks import check_secret_key


def test_production_mode_without_a_secret_key_is_refused(settings):
    settings.DEBUG = False
    settings.SECRET_KEY_IS_SET = False
    errors = check_secret_key(None)
    assert [error.id for error in errors] == ["onethread.E001"]
    assert isinstance(errors[0], Error)


def test_debug_mode_or_a_key_passes(settings):
    settings.DEBUG = True
    settings.SECRET_KEY_IS_SET = False
    assert check_secret_key(None) == []
    settings.DEBUG = False
    settings.SECRET_KEY_IS_SET = True
    assert check_secret_key(None) == []


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onethread", "check"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_line_refuses_to_start_without_a_key():
    """Nothing set means production mode (debug off), which needs a key."""
    result = run_check({})
    assert result.returncode != 0
    assert "onethread.E001" in result.stderr


def test_the_command_line_starts_with_a_key():
    result = run_check({"ONETHREAD_SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
