"""The demo segments are valid rules and count people of the PT XYZ demo."""

import pytest

from relasi.accounts import demo as accounts_demo
from relasi.customers import demo as customers_demo
from relasi.marketing import demo
from relasi.marketing.models import Segment

pytestmark = pytest.mark.django_db


def test_small_demo_has_segments():
    ctx = {"small": True}
    accounts_demo.seed(ctx)
    customers_demo.seed(ctx)
    demo.seed(ctx)
    segments = Segment.objects.all()
    assert segments.count() == len(demo.SEGMENTS)
    assert all(s.last_count is not None for s in segments)
    assert segments.get(name__startswith="Pelanggan boleh").owner.username == "marketing.dewi"
