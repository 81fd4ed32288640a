"""Where the real Olist data is (../shared/data/olist beside the repository,
or ONETHREAD_OLIST_DIR); tests that need it skip, saying why, without it."""

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]
OLIST_DIR = Path(
    os.environ.get("ONETHREAD_OLIST_DIR", REPOSITORY.parent / "shared" / "data" / "olist")
)

needs_olist = pytest.mark.skipif(
    not (OLIST_DIR / "olist_closed_deals_dataset.csv").is_file(),
    reason=f"the Olist data is not at {OLIST_DIR} (set ONETHREAD_OLIST_DIR to its folder)",
)
