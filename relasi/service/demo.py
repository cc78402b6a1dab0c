"""Demo data for the PT XYZ company (filled in by this app)."""

from typing import Any


def seed(ctx: dict[str, Any]) -> None:
    """Add this app's demo records; ctx carries users, teams and customers from earlier seeders."""
