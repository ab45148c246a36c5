"""Shared fixtures: the reference contract, and one generated corpus every API test shares."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference() -> Path:
    """../shared/reference (CI clones the repo with shared/ beside it)."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the Lens reference contract is not at {REFERENCE}")
    return REFERENCE


@pytest.fixture(autouse=True)
def _no_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test that forgets its stand-in must fail at once, never reach the real Lens API.
    monkeypatch.setenv("LENS_MIRROR_API_URL", os.environ.get("LENS_MIRROR_TEST_API_URL", "http://127.0.0.1:9"))
