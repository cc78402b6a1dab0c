"""One sender per channel. Each channel kind registers an adapter; everything in Relasi that
writes to a customer (a reply in the inbox, a reminder, a campaign) hands the message here, and
the privacy gate has been asked before (conversations.actions does it).

An adapter turns a queued outbound `Message` into the channel's API call and says what came of
it; it never retries itself — `actions.deliver` claims, retries with back-off and records."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _


@dataclass
class SendResult:
    ok: bool
    external_id: str = ""
    error: str = ""
    retry: bool = True  # a failure worth trying again (a timeout), not a refusal (bad number)
    meta: dict[str, Any] = field(default_factory=dict)


class Adapter(Protocol):
    kind: str

    def send(self, inbox: Any, message: Any) -> SendResult: ...

    def freeform_until(self, conversation: Any) -> dt.datetime | None:
        """Until when a free-form reply is allowed (None: always)."""
        ...


class ChannelNotConfigured(Exception):
    """No adapter for this channel on this installation."""


_ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    _ADAPTERS[adapter.kind] = adapter
    return adapter


def adapter_for(kind: str) -> Adapter:
    try:
        return _ADAPTERS[kind]
    except KeyError as exc:
        raise ChannelNotConfigured(
            _("Sending on %(channel)s is not available on this installation.") % {"channel": kind}
        ) from exc


def available() -> list[str]:
    return sorted(_ADAPTERS)
