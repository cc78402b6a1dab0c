"""A child process for the redemption race: its own Django, its own connection to a database
the test prepared, released together with the others by a barrier."""

import os
from typing import Any


def redeem_in_child(
    db_url: str, member_id: int, points: int, ref: str, barrier: Any, out: Any
) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "relasi.settings_test"
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from relasi.loyalty import actions
    from relasi.loyalty.models import Member

    member = Member.objects.select_related("programme").get(pk=member_id)
    barrier.wait(timeout=60)
    try:
        actions.redeem(None, member, points, external_ref=ref)
        out.put("ok")
    except ValidationError:
        out.put("refused")
