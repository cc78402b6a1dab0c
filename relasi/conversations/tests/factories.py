"""Test helpers: inboxes and inbound messages."""

import itertools
from typing import Any

from relasi.conversations import actions
from relasi.conversations.models import Inbox

_ids = itertools.count(1)


def inbox(kind: str = "email", **kw: Any) -> Inbox:
    defaults: dict[str, Any] = {
        "name": f"{kind} inbox",
        "kind": kind,
        "address": "halo@tokoxyz.test" if kind == "email" else "+6281100000001",
    }
    defaults.update(kw)
    return Inbox.objects.create(**defaults)


def inbound(box: Inbox, sender: str, body: str = "Halo, stok ada?", **kw: Any) -> Any:
    kw.setdefault("external_id", f"<m{next(_ids)}@mail.test>" if box.kind == "email" else "")
    return actions.receive(box, actions.Inbound(sender=sender, body=body, **kw))
