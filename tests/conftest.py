from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "docs"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared():
    """The team's shared material beside the checkout; tests that need it skip without it."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"../shared not found at {SHARED}: real documents are not available here")
    return SHARED
