"""Data-subject requests API: /api/v1/privacy/requests. Module "privacy"; a request is seen
through its customer's visibility, and the customer named when filing must be visible (404)."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from relasi.core.access import get_for_user, visible_to
from relasi.core.api import Id, PageOut, check, page_of
from relasi.customers.models import Customer
from relasi.privacy import dsr, export
from relasi.privacy.models import DataRequest
from relasi.privacy.models.dsr import OPEN_STATUSES

router = Router(tags=["privacy"])

Short = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=5000)]
Key = Annotated[str, Field(max_length=40)]


class RequestIn(Schema):
    kind: Annotated[str, Field(max_length=12)]
    customer_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    requester_name: Short = ""
    requester_email: Annotated[str, Field(max_length=254)] = ""
    requester_phone: Annotated[str, Field(max_length=40)] = ""
    details: Text = ""
    purposes: list[Key] = Field([], max_length=20)


class VerifyIn(Schema):
    method: Annotated[str, Field(max_length=12)]
    note: Annotated[str, Field(max_length=300)] = ""


class CloseIn(Schema):
    text: Text = ""


class StepOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    message: str


class RequestOut(Schema):
    id: int
    reference: str
    kind: str
    status: str
    channel: str
    customer_id: int | None
    requester_name: str
    requester_email: str
    requester_phone: str
    details: str
    purposes: list[str]
    received_at: dt.datetime
    due_hours: int
    deadline: dt.datetime
    overdue: bool
    assigned_to_id: int | None
    verification_method: str
    verified_at: dt.datetime | None
    verified_by_id: int | None
    resolution: str
    closed_at: dt.datetime | None
    erase_after: dt.datetime | None
    erased_at: dt.datetime | None

    @staticmethod
    def resolve_overdue(obj: DataRequest) -> bool:
        return obj.clock().overdue


def _requests(user: Any) -> Any:
    return visible_to(user, DataRequest.objects.all())


def _request(request: HttpRequest, pk: int, action: str) -> tuple[Any, DataRequest]:
    user = check(request, "privacy", action)
    return user, get_for_user(user, _requests(user), pk=pk)


@router.get("", response=PageOut[RequestOut])
def list_requests(
    request: HttpRequest,
    status: Annotated[str, Field(max_length=20)] | None = None,
    kind: Annotated[str, Field(max_length=12)] | None = None,
    customer_id: Annotated[int, Field(ge=1, le=2**62)] | None = None,
    cursor: Annotated[str, Field(max_length=200)] | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> Any:
    user = check(request, "privacy", "view")
    qs = _requests(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return page_of(qs, order="-pk", cursor=cursor, limit=limit)


@router.post("", response={201: RequestOut})
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    user = check(request, "privacy", "add")
    data = payload.dict()
    pk = data.pop("customer_id")
    data["customer"] = get_for_user(user, Customer.objects.all(), pk=pk) if pk else None
    return Status(201, dsr.create_request(user, data, channel="api"))


@router.get("/{int:request_id}", response=RequestOut)
def get_request(request: HttpRequest, request_id: Id) -> Any:
    return _request(request, request_id, "view")[1]


@router.get("/{int:request_id}/history", response=list[StepOut])
def request_history(request: HttpRequest, request_id: Id) -> Any:
    _user, req = _request(request, request_id, "view")
    return [
        {"at": e.at, "actor": e.actor_label, "action": e.action, "message": e.message}
        for e in dsr.history(req)
    ]


@router.post("/{int:request_id}/verify", response=RequestOut)
def verify_request(request: HttpRequest, request_id: Id, payload: VerifyIn) -> Any:
    user, req = _request(request, request_id, "change")
    return dsr.verify(user, req, payload.method, payload.note)


@router.post("/{int:request_id}/complete", response=RequestOut)
def complete_request(request: HttpRequest, request_id: Id, payload: CloseIn) -> Any:
    user, req = _request(request, request_id, "change")
    if req.kind == "erasure":
        check(request, "privacy", "delete")
    try:
        return dsr.complete(user, req, payload.text)
    except PermissionDenied as exc:
        raise HttpError(409, str(exc)) from exc


@router.post("/{int:request_id}/reject", response=RequestOut)
def reject_request(request: HttpRequest, request_id: Id, payload: CloseIn) -> Any:
    user, req = _request(request, request_id, "change")
    return dsr.reject(user, req, payload.text)


@router.get("/{int:request_id}/export")
def export_request(request: HttpRequest, request_id: Id) -> HttpResponse:
    """The machine-readable package (JSON) of the request's verified customer."""
    user, req = _request(request, request_id, "export")
    try:
        dsr.record_export(user, req, "json")
    except PermissionDenied as exc:
        raise HttpError(409, str(exc)) from exc
    response = HttpResponse(export.to_json(req.customer, user), content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
