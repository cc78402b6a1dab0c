"""SECURITY.md check 19: expensive functions (search, export) answer 429 with Retry-After."""

import pytest

from relasi.core.pages import SEARCH_LIMIT
from relasi.core.testing import client_for

pytestmark = pytest.mark.django_db


def test_search_limited(personas, monkeypatch, security_log):
    monkeypatch.setattr(SEARCH_LIMIT, "limit", 3)
    client = client_for(personas.rep)
    for _ in range(3):
        assert client.get("/search/", {"q": "budi"}).status_code == 200
    response = client.get("/search/", {"q": "budi"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # per user: someone else may still search
    assert client_for(personas.teammate).get("/search/", {"q": "budi"}).status_code == 200


def test_export_limited(personas, monkeypatch):
    from relasi.core import exporting

    monkeypatch.setattr(exporting.EXPORT_LIMIT, "limit", 2)
    client = client_for(personas.rep)
    for _ in range(2):
        response = client.get("/customers/people/export/")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    response = client.get("/customers/people/export/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert client_for(personas.manager).get("/customers/people/export/").status_code == 200


def test_limit_window_expires(personas, monkeypatch):
    import time

    import time_machine

    monkeypatch.setattr(SEARCH_LIMIT, "limit", 1)
    with time_machine.travel(time.time(), tick=False) as traveller:
        client = client_for(personas.rep)
        assert client.get("/search/", {"q": "ab"}).status_code == 200
        assert client.get("/search/", {"q": "ab"}).status_code == 429
        traveller.shift(SEARCH_LIMIT.window + 1)
        assert client.get("/search/", {"q": "ab"}).status_code == 200
