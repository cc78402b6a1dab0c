import pytest
import time_machine

from relasi.service import actions
from relasi.service.tests.factories import agents, queue, ticket, wib

pytestmark = pytest.mark.django_db


def test_create_reply_resolve(personas):
    a1, a2, _b1 = agents(personas)
    queue("Support", personas.team_a, [a1, a2], is_default=True)
    with time_machine.travel(wib(2026, 6, 2, 9), tick=False):
        t = ticket(personas.admin)
    assert t.number.startswith("TKT-2026-")
    assert t.owner in (a1, a2)
    with time_machine.travel(wib(2026, 6, 2, 10), tick=False):
        actions.add_reply(t.owner, t, "Halo")
    t.refresh_from_db()
    assert t.status == "open" and t.first_response_minutes == 60
    with time_machine.travel(wib(2026, 6, 2, 11), tick=False):
        t = actions.change_status(t.owner, t, "resolved")
    assert t.resolution_minutes == 120 and t.fcr is True
