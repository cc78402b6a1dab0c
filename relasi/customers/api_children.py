"""The sub-resources of one customer on the customers router: timeline, relationships, notes,
addresses, memberships, groups and the deprecated contact permissions (api.py imports this
module at its end, so the routes keep their order)."""

import datetime as dt
from typing import Any

from django.db.models import Q
from ninja import Query, Schema, Status

from relasi.core.access import get_for_user, visible_to
from relasi.core.api import check
from relasi.core.typing import ApiRequest
from relasi.customers import actions, timeline
from relasi.customers.api import (
    NoteIn,
    NoteOut,
    PermissionIn,
    PermissionOut,
    RelationshipIn,
    RelationshipOut,
    TimelineOut,
    _get,
    router,
)
from relasi.customers.choices import Kind
from relasi.customers.models import Customer, Group, Membership, Relationship


@router.get("/{pk}/timeline", response=list[TimelineOut], summary="The customer's 360° timeline")
def timeline_(
    request: ApiRequest,
    pk: int,
    kind: Query[list[str] | None] = None,
    before: dt.datetime | None = None,
    limit: int = 30,
) -> list[timeline.Entry]:
    customer = _get(request, None, pk)
    return timeline.entries(
        customer, kinds_wanted=kind or None, before=before, limit=max(1, min(limit, 200))
    )


@router.get("/{pk}/relationships", response=list[RelationshipOut])
def relationships(request: ApiRequest, pk: int) -> Any:
    customer = _get(request, None, pk)
    return Relationship.objects.filter(Q(from_customer=customer) | Q(to_customer=customer))


@router.post("/{pk}/relationships", response={201: RelationshipOut})
def relate(request: ApiRequest, pk: int, payload: RelationshipIn) -> Status:
    customer = _get(request, None, pk, "change")
    other = get_for_user(request.auth, Customer.objects.all(), pk=payload.other_id)
    return Status(201, actions.relate(request.auth, customer, other, payload.kind, payload.note))


@router.delete("/{pk}/relationships/{rel_id}", response={204: None})
def unrelate(request: ApiRequest, pk: int, rel_id: int) -> Status:
    customer = _get(request, None, pk, "change")
    rel = get_for_user(
        request.auth,
        Relationship.objects.filter(Q(from_customer=customer) | Q(to_customer=customer)),
        pk=rel_id,
    )
    actions.unrelate(request.auth, rel)
    return Status(204, None)


_OLD_STATUS = {"granted": "opted_in", "withdrawn": "opted_out", "pending": "pending"}


def _permission_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "channel": e.channel,
        "status": _OLD_STATUS.get(e.status, e.status),
        "source": e.get_source_display(),
        "evidence": e.evidence,
        "captured_at": e.occurred_at,
    }


@router.get(
    "/{pk}/permissions",
    response=list[PermissionOut],
    summary="Marketing consent per channel, newest first (deprecated: /privacy/customers/{pk}/…)",
    deprecated=True,
)
def permissions(request: ApiRequest, pk: int) -> Any:
    customer = _get(request, None, pk)
    events = customer.consent_events.filter(purpose__key="marketing")
    return [_permission_out(e) for e in events[:200]]


@router.post(
    "/{pk}/permissions",
    response={201: PermissionOut},
    summary="Record marketing consent (deprecated: POST /privacy/customers/{pk}/consents)",
    deprecated=True,
)
def add_permission(request: ApiRequest, pk: int, payload: PermissionIn) -> Any:
    from django.core.exceptions import ValidationError

    from relasi.privacy import consent

    customer = _get(request, None, pk, "change")
    status = {"opted_in": "granted", "opted_out": "withdrawn"}.get(payload.status)
    if status is None:
        raise ValidationError({"status": ["opted_in or opted_out"]})
    event = consent.record(
        request.auth,
        customer,
        "marketing",
        payload.channel,
        status,
        source="api",
        evidence=" · ".join(p for p in (payload.source, payload.evidence) if p),
    )
    return Status(201, _permission_out(event))


@router.get("/{pk}/notes", response=list[NoteOut])
def notes(request: ApiRequest, pk: int) -> Any:
    return _get(request, None, pk).notes.all()[:200]


@router.post("/{pk}/notes", response={201: NoteOut})
def add_note(request: ApiRequest, pk: int, payload: NoteIn) -> Any:
    customer = _get(request, None, pk, "change")
    return Status(201, actions.add_note(request.auth, customer, payload.body))


class AddressIn(Schema):
    kind: str = "home"
    street: str = ""
    rt: str = ""
    rw: str = ""
    kelurahan: str = ""
    kecamatan: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""
    country: str = "ID"
    is_primary: bool = False


class AddressOut(AddressIn):
    id: int


class MembershipIn(Schema):
    organization_id: int
    title: str = ""


class MembershipOut(Schema):
    id: int
    person_id: int
    organization_id: int
    title: str


class GroupOut(Schema):
    id: int
    name: str
    description: str


class GroupMemberIn(Schema):
    customer_ids: list[int]


@router.get("/{pk}/addresses", response=list[AddressOut])
def addresses(request: ApiRequest, pk: int) -> Any:
    return _get(request, None, pk).addresses.all()


@router.post("/{pk}/addresses", response={201: AddressOut})
def add_address(request: ApiRequest, pk: int, payload: AddressIn) -> Status:
    customer = _get(request, None, pk, "change")
    return Status(201, actions.add_address(request.auth, customer, payload.dict()))


@router.delete("/{pk}/addresses/{address_id}", response={204: None})
def remove_address(request: ApiRequest, pk: int, address_id: int) -> Status:
    customer = _get(request, None, pk, "change")
    address = get_for_user(request.auth, customer.addresses.all(), pk=address_id)
    actions.remove_address(request.auth, address)
    return Status(204, None)


@router.get(
    "/{pk}/memberships",
    response=list[MembershipOut],
    summary="A person's organisations, or an organisation's people",
)
def memberships(request: ApiRequest, pk: int) -> Any:
    customer = _get(request, None, pk)
    return Membership.objects.filter(Q(person=customer) | Q(organization=customer))


@router.post(
    "/{pk}/memberships", response={201: MembershipOut}, summary="Link a person to an organisation"
)
def add_membership(request: ApiRequest, pk: int, payload: MembershipIn) -> Status:
    person = _get(request, Kind.PERSON, pk, "change")
    org = get_for_user(
        request.auth, Customer.objects.filter(kind=Kind.ORGANIZATION), pk=payload.organization_id
    )
    return Status(201, actions.link_membership(request.auth, person, org, payload.title))


@router.delete("/{pk}/memberships/{membership_id}", response={204: None})
def remove_membership(request: ApiRequest, pk: int, membership_id: int) -> Status:
    customer = _get(request, None, pk, "change")
    membership = get_for_user(
        request.auth,
        Membership.objects.filter(Q(person=customer) | Q(organization=customer)),
        pk=membership_id,
    )
    actions.unlink_membership(request.auth, membership)
    return Status(204, None)


@router.get("/groups", response=list[GroupOut], summary="Customer groups (static lists)")
def groups(request: ApiRequest) -> Any:
    user = check(request, "customers", "view")
    return visible_to(user, Group.objects.all())[:500]


@router.post("/groups/{group_id}/members", response={200: dict}, summary="Add customers to a group")
def add_group_members(request: ApiRequest, group_id: int, payload: GroupMemberIn) -> dict:
    user = check(request, "customers", "change")
    group = get_for_user(user, Group.objects.all(), pk=group_id)
    customers = visible_to(user, Customer.objects.filter(pk__in=payload.customer_ids[:1000]))
    return {"added": actions.add_to_group(user, group, customers)}


@router.delete("/groups/{group_id}/members/{customer_id}", response={204: None})
def remove_group_member(request: ApiRequest, group_id: int, customer_id: int) -> Status:
    user = check(request, "customers", "change")
    group = get_for_user(user, Group.objects.all(), pk=group_id)
    customer = get_for_user(user, Customer.objects.all(), pk=customer_id)
    actions.remove_from_group(user, group, customer)
    return Status(204, None)
