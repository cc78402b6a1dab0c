import pytest

from relasi.analytics import mart


@pytest.fixture(autouse=True)
def _mart_dir(settings, tmp_path):
    """Every test gets its own mart directory under tmp_path (never the real var/)."""
    settings.RELASI_MART_DIR = str(tmp_path / "mart")
    yield
    mart.close_all()
