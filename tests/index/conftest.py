import shutil
from pathlib import Path

import pytest

SEEDS = Path(__file__).parents[2] / "seeds"


@pytest.fixture
def seeds(tmp_path):
    """A private copy of the seed articles, so tests can add and change files."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "index"
