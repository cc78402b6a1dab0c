from dataclasses import dataclass
from typing import Any

import pytest

from relasi.customers.tests.factories import person
from relasi.service.tests.factories import agents, only_policy, queue


@dataclass
class World:
    p: Any  # the standard personas
    a1: Any  # service agent, team A (reports to p.manager)
    a2: Any  # service agent, team A
    b1: Any  # service agent, team B
    qa: Any  # team A's queue (default, round-robin over a1, a2)
    qb: Any  # team B's queue (b1)
    policy: Any  # the only SLA policy: 60 business minutes to respond, 480 to resolve
    cust_a: Any  # a customer owned by the rep (team A)
    cust_b: Any  # a customer owned by the other rep (team B)


@pytest.fixture
def world(personas) -> World:
    a1, a2, b1 = agents(personas)
    qa = queue("Team A", personas.team_a, [a1, a2], is_default=True)
    qb = queue("Team B", personas.team_b, [b1])
    policy = only_policy(60, 480)
    cust_a = person(personas.rep, "Siti", "Rahayu")
    cust_b = person(personas.other_rep, "Budi", "Santoso")
    return World(personas, a1, a2, b1, qa, qb, policy, cust_a, cust_b)
