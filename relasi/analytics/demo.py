"""Demo data: build the data mart at the end of seeding, so every dashboard shows data."""

from typing import Any


def seed(ctx: dict[str, Any]) -> None:
    """Refresh the mart (full) after all operational demo data exists."""
    from relasi.analytics import mart

    mart.refresh(full=True, trigger="seed")
    from relasi.analytics import insights_demo  # customer-model event rules (issue 8)

    insights_demo.seed(ctx)
