"""Webhooks API: /api/v1/webhooks (endpoints, their deliveries, redelivery; module
"integrations") and the event feed /api/v1/events (any user; permission-filtered)."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from relasi.core.api import check
from relasi.webhooks import actions, events, feed
from relasi.webhooks.models import Delivery, WebhookEndpoint

router = Router(tags=["webhooks"])
events_router = Router(tags=["events"])

Name = Annotated[str, Field(min_length=1, max_length=100)]
Url = Annotated[str, Field(min_length=1, max_length=500)]
Types = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=100)]


class EventTypeOut(Schema):
    key: str
    label: str


class EndpointIn(Schema):
    name: Name
    url: Url
    event_types: Types
    active: bool = True


class EndpointPatch(Schema):
    name: Name | None = None
    url: Url | None = None
    event_types: Types | None = None
    active: bool | None = None
    version: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None


class EndpointOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    active: bool
    owner_id: int | None
    consecutive_failures: int
    disabled_reason: str
    version: int
    created_at: dt.datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Shown once; verify signatures with it")


class SecretOut(Schema):
    secret: str


class AttemptOut(Schema):
    at: dt.datetime
    status_code: int | None
    duration_ms: int
    error: str
    manual: bool


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    record: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    tries: list[AttemptOut]

    @staticmethod
    def resolve_event_id(obj: Delivery) -> str:
        return obj.event.uid

    @staticmethod
    def resolve_event_type(obj: Delivery) -> str:
        return obj.event.type

    @staticmethod
    def resolve_record(obj: Delivery) -> str:
        return obj.record_key

    @staticmethod
    def resolve_tries(obj: Delivery) -> list[Any]:
        return list(obj.tries.all()[:10])


class FeedItem(Schema):
    id: str
    type: str
    timestamp: str
    record: dict[str, str]
    changed: list[str]
    data: dict[str, Any]


class FeedOut(Schema):
    items: list[FeedItem]
    next_cursor: str = Field(description="Pass as `after` next time (also when items is empty)")
    has_more: bool


class FeedFilters(Schema):
    after: Annotated[str, Field(max_length=20)] | None = None
    type: list[Annotated[str, Field(max_length=60)]] | None = None
    limit: Annotated[int, Field(ge=1, le=feed.MAX_LIMIT)] = 100


@router.get("/event-types", response=list[EventTypeOut])
def list_event_types(request: HttpRequest) -> Any:
    check(request, "integrations", "view")
    return [{"key": k, "label": label} for k, label in events.event_types()]


@router.get("/endpoints", response=list[EndpointOut])
def list_endpoints(request: HttpRequest) -> Any:
    check(request, "integrations", "view")
    return list(WebhookEndpoint.objects.all())


@router.post("/endpoints", response={201: EndpointCreated})
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Any:
    user = check(request, "integrations", "add")
    endpoint, secret = actions.create_endpoint(user, payload.dict())
    return Status(201, {**EndpointOut.from_orm(endpoint).dict(), "secret": secret})


@router.get("/endpoints/{int:endpoint_id}", response=EndpointOut)
def get_endpoint(request: HttpRequest, endpoint_id: int) -> Any:
    check(request, "integrations", "view")
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id)


@router.patch("/endpoints/{int:endpoint_id}", response=EndpointOut)
def update_endpoint(request: HttpRequest, endpoint_id: int, payload: EndpointPatch) -> Any:
    user = check(request, "integrations", "change")
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    return actions.update_endpoint(user, endpoint, data, version)


@router.delete("/endpoints/{int:endpoint_id}", response={204: None})
def delete_endpoint(request: HttpRequest, endpoint_id: int) -> Any:
    user = check(request, "integrations", "delete")
    actions.delete_endpoint(user, get_object_or_404(WebhookEndpoint, pk=endpoint_id))
    return Status(204, None)


@router.post("/endpoints/{int:endpoint_id}/rotate-secret", response=SecretOut)
def rotate_secret(request: HttpRequest, endpoint_id: int) -> Any:
    user = check(request, "integrations", "change")
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    return {"secret": actions.rotate_secret(user, endpoint)}


@router.get("/endpoints/{int:endpoint_id}/deliveries", response=list[DeliveryOut])
def list_deliveries(request: HttpRequest, endpoint_id: int, limit: int = 50) -> Any:
    check(request, "integrations", "view")
    endpoint = get_object_or_404(WebhookEndpoint, pk=endpoint_id)
    rows = endpoint.deliveries.select_related("event").prefetch_related("tries")
    return list(rows.order_by("-id")[: max(1, min(limit, 200))])


@router.post("/deliveries/{int:delivery_id}/redeliver", response=DeliveryOut)
def redeliver(request: HttpRequest, delivery_id: int) -> Any:
    user = check(request, "integrations", "change")
    row = get_object_or_404(Delivery.objects.select_related("endpoint", "event"), pk=delivery_id)
    return actions.redeliver(user, row)


@events_router.get("", response=FeedOut)
def event_feed(request: HttpRequest, filters: Query[FeedFilters]) -> Any:
    """Changes since `after` (an event id from a previous call; omit for the oldest), oldest
    first; only events of records the caller may see. Poll with the returned `next_cursor`."""
    return feed.page(request.auth, after=filters.after, types=filters.type, limit=filters.limit)  # type: ignore[attr-defined]
