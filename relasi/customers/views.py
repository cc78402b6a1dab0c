"""Customer pages: lists and the 360° view come from the generic viewsets; the small actions on
the 360° page (note, stage, blacklist, relationship, …; consents: relasi/privacy/views.py) are thin POST views."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_GET, require_POST

from relasi.core import crypto
from relasi.core.access import get_for_user, visible_to
from relasi.core.choices import ReadChannel
from relasi.core.views import require
from relasi.core.viewsets import ADD_TAG, ASSIGN_OWNER, DELETE, BulkAction, Column, RecordViewSet
from relasi.customers import actions, dq_views, phones, timeline
from relasi.customers.filtersets import CustomerFilterSet
from relasi.customers.forms import (
    AddressForm,
    AttachmentForm,
    BlacklistForm,
    GroupForm,
    GroupPickForm,
    MembershipForm,
    NoteForm,
    OrganizationForm,
    PersonForm,
    RelationshipForm,
    StageForm,
    StagePickForm,
)
from relasi.customers.models import (
    Attachment,
    Customer,
    Group,
    Membership,
    Organization,
    Person,
    Relationship,
)


def _bulk_group(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    group = get_for_user(actor, Group.objects.all(), pk=data["group"].pk)
    return actions.add_to_group(actor, group, qs)


def _bulk_stage(vs: Any, actor: Any, qs: Any, data: dict) -> int:
    n = 0
    for customer in qs:
        if customer.lifecycle_stage != data["stage"]:
            actions.change_stage(actor, customer, data["stage"], note="bulk")
            n += 1
    return n


ADD_TO_GROUP = BulkAction("group", gl("Add to group"), "change", _bulk_group, form=GroupPickForm)
CHANGE_STAGE = BulkAction("stage", gl("Change stage"), "change", _bulk_stage, form=StagePickForm)


def _phone(c: Customer) -> str:
    return phones.display(c.primary_phone) if c.primary_phone else ""


class CustomerViewSet(RecordViewSet):
    module = "customers"
    kind: str
    filterset_class = CustomerFilterSet
    default_order = "name"
    detail_template = "customers/customer_detail.html"
    form_template = "customers/customer_form.html"
    select_related = ("owner",)
    bulk_actions = [ASSIGN_OWNER, ADD_TAG, ADD_TO_GROUP, CHANGE_STAGE, DELETE]

    def _contacts(self, form: Any) -> tuple[list[str], list[str]]:
        return form.contact_lists()

    def create(self, actor: Any, form: Any) -> Customer:
        data, tags = self.form_data(form)
        emails, phone_list = self._contacts(form)
        dq_views.check_create(actor, form, self.kind, data, emails, phone_list)  # did you mean …
        return actions.create_customer(
            actor, self.kind, data, emails=emails, phones_=phone_list, tags=tags
        )

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Customer:
        data, tags = self.form_data(form)
        emails, phone_list = self._contacts(form)
        return actions.update_customer(
            actor, obj, data, expected_version=version, emails=emails, phones_=phone_list, tags=tags
        )

    def delete(self, actor: Any, obj: Any) -> None:
        actions.delete_customer(actor, obj)

    delete_alternatives_template = "customers/_delete_alternatives.html"

    def delete_alternatives(self, request: Any, obj: Any) -> dict[str, Any]:
        return dq_views.delete_alternatives(request, obj)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return customer_context(request, obj)

    def form_data(self, form: Any) -> tuple[dict[str, Any], Any]:
        data, tags = super().form_data(form)
        data.update(form.sensitive_data())
        return data, tags


class PersonViewSet(CustomerViewSet):
    model = Person
    kind = "person"
    url_name = "person"
    form_class = PersonForm
    columns = [
        Column("name", gl("Name"), order="name", link=True),
        Column("primary_email", gl("E-mail"), order="primary_email"),
        Column("primary_phone", gl("Phone"), accessor=_phone, fields=("primary_phone",)),
        Column("city", gl("City"), order="city"),
        Column(
            "lifecycle_stage",
            gl("Stage"),
            accessor="get_lifecycle_stage_display",
            order="lifecycle_stage",
        ),
        Column("customer_type", gl("Type"), accessor="get_customer_type_display"),
        Column("owner", gl("Owner")),
        Column("province", gl("Province"), order="province"),
        Column("source", gl("Source"), accessor="get_source_display"),
        Column("tags", gl("Tags")),
        Column("background", gl("Background notes")),
        Column("created_at", gl("Created"), order="created_at"),
    ]
    default_columns = ["name", "primary_email", "primary_phone", "city", "lifecycle_stage", "owner"]


class OrganizationViewSet(CustomerViewSet):
    model = Organization
    kind = "organization"
    url_name = "organization"
    form_class = OrganizationForm
    columns = [
        Column("name", gl("Name"), order="name", link=True),
        Column("industry", gl("Industry"), order="industry"),
        Column("primary_email", gl("E-mail"), order="primary_email"),
        Column("primary_phone", gl("Phone"), accessor=_phone, fields=("primary_phone",)),
        Column("city", gl("City"), order="city"),
        Column(
            "lifecycle_stage",
            gl("Stage"),
            accessor="get_lifecycle_stage_display",
            order="lifecycle_stage",
        ),
        Column("owner", gl("Owner")),
        Column("tax_id", gl("NPWP")),
        Column("tags", gl("Tags")),
        Column("background", gl("Background notes")),
        Column("created_at", gl("Created"), order="created_at"),
    ]
    default_columns = [
        "name",
        "industry",
        "primary_email",
        "primary_phone",
        "city",
        "lifecycle_stage",
        "owner",
    ]


class GroupViewSet(RecordViewSet):
    model = Group
    module = "customers"
    url_name = "group"
    form_class = GroupForm
    default_order = "name"
    select_related = ("owner",)
    detail_template = "customers/group_detail.html"
    columns = [
        Column("name", gl("Name"), order="name", link=True),
        Column("description", gl("Description")),
        Column("size", gl("Members"), accessor=lambda g: g.memberships.count()),
        Column("owner", gl("Owner")),
    ]
    detail_fields = ["name", "description", "owner", "team"]
    bulk_actions = [ASSIGN_OWNER, DELETE]

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        # From the membership index, not "customers ORDER BY name" (which walks the name index).
        ids = list(
            obj.memberships.order_by("-added_at").values_list("customer_id", flat=True)[:500]
        )
        members = visible_to(request.user, Customer.objects.filter(pk__in=ids)).order_by()
        return {"members": sorted(members, key=lambda c: c.name.lower())[:200]}


# --- the 360° page ---------------------------------------------------------------------------


def _customer(request: HttpRequest, pk: int, action: str = "view") -> Customer:
    require(request, "customers", action)
    return get_for_user(request.user, Customer.objects.all(), pk=pk)


def customer_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    wanted = [k for k in request.GET.getlist("kind") if k]
    before = None
    if raw := request.GET.get("before"):
        try:
            before = dt.datetime.fromisoformat(raw)
        except ValueError:
            before = None
    entries = timeline.entries(customer, kinds_wanted=wanted, before=before, limit=30)
    rels = Relationship.objects.filter(
        Q(from_customer=customer) | Q(to_customer=customer)
    ).select_related("from_customer", "to_customer")
    chain: list[Customer] = []
    node = customer.referred_by
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.referred_by
    from relasi.customers import value

    return {
        "sensitive": sensitive_context(request.user, customer),
        "entries": entries,
        "timeline_kinds": timeline.kinds(),
        "wanted": wanted,
        "next_before": entries[-1].at.isoformat() if len(entries) == 30 else "",
        "relationships": rels,
        "referral_chain": chain,
        # Unordered on purpose: "ORDER BY name LIMIT 20" makes SQLite walk the whole name index
        # when a customer referred nobody (measured: 2 s at 1M customers); 20 rows sort in Python.
        "referrals": sorted(visible_to(request.user, customer.referrals.order_by())[:20], key=str),
        "memberships": customer.memberships.select_related("organization")
        if customer.is_person
        else customer.members.select_related("person"),
        "groups": customer.groups.all(),
        "addresses": customer.addresses.all(),
        "attachments": customer.attachments.all(),
        "value_figures": value.figures(customer),
        "note_form": NoteForm(),
        "stage_form": StageForm(initial={"stage": customer.lifecycle_stage}),
        "blacklist_form": BlacklistForm(),
        "relationship_form": RelationshipForm(),
        "membership_form": MembershipForm(),
        "address_form": AddressForm(),
        "attachment_form": AttachmentForm(),
        "phone_display": [
            (p, phones.display(p.number) if p.is_valid else p.number) for p in customer.phones.all()
        ],
    }


def sensitive_context(user: Any, customer: Customer) -> list[dict[str, Any]]:
    """The sensitive fields as the 360° page shows them: masked (last four) for users allowed
    to see them, "hidden" for others; the plaintext only comes from `reveal_sensitive`."""
    names = actions.SENSITIVE if customer.is_person else ("bank_account",)
    out = []
    for name in names:
        shown = crypto.masked(user, customer, name)
        entry = crypto.entry_for(Customer, name)
        out.append(
            {
                "name": name,
                "label": entry.label if entry else name,
                "masked": shown or "",
                "empty": shown == "",
                "hidden": shown is None,
            }
        )
    return out


@login_required
@require_POST
def reveal_sensitive(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The plaintext of one sensitive field (htmx), for allowed users; every call is logged."""
    if field not in actions.SENSITIVE:
        raise Http404
    customer = _customer(request, pk)
    try:
        value = crypto.reveal(request.user, customer, field, ReadChannel.UI, request)
        error = ""
    except crypto.Unreadable:
        value, error = "", _("This value cannot be decrypted with the configured keys.")
    response = render(request, "customers/_sensitive_value.html", {"value": value, "error": error})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def timeline_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    return render(
        request,
        "customers/_timeline.html",
        {"object": customer, **customer_context(request, customer)},
    )


def _back(customer: Customer) -> HttpResponse:
    return redirect(customer.get_absolute_url())


def _handle(
    request: HttpRequest, customer: Customer, form: forms.BaseForm, fn: Any, ok: str
) -> HttpResponse:
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return _back(customer)
    try:
        fn(form.cleaned_data)
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return _back(customer)
    messages.success(request, ok)
    return _back(customer)


@login_required
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    return _handle(
        request,
        c,
        NoteForm(request.POST),
        lambda d: actions.add_note(request.user, c, d["body"]),
        _("Note added."),
    )


@login_required
@require_POST
def change_stage(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    return _handle(
        request,
        c,
        StageForm(request.POST),
        lambda d: actions.change_stage(request.user, c, d["stage"], d["note"]),
        _("Stage changed."),
    )


@login_required
@require_POST
def blacklist(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    if request.POST.get("remove") == "1":
        actions.unblacklist(request.user, c)
        messages.success(request, _("Removed from the blacklist."))
        return _back(c)
    return _handle(
        request,
        c,
        BlacklistForm(request.POST),
        lambda d: actions.blacklist(request.user, c, d["reason"], d["note"]),
        _("Customer blacklisted."),
    )


@login_required
@require_POST
def add_relationship(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")

    def run(d: dict) -> None:
        other = get_for_user(request.user, Customer.objects.all(), pk=d["other"])
        actions.relate(request.user, c, other, d["kind"], d["note"])

    return _handle(request, c, RelationshipForm(request.POST), run, _("Relationship added."))


@login_required
@require_POST
def remove_relationship(request: HttpRequest, pk: int, rel_pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    rel = get_for_user(
        request.user, Relationship.objects.filter(Q(from_customer=c) | Q(to_customer=c)), pk=rel_pk
    )
    actions.unrelate(request.user, rel)
    messages.success(request, _("Relationship removed."))
    return _back(c)


@login_required
@require_POST
def add_membership(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")

    def run(d: dict) -> None:
        org = get_for_user(request.user, Organization.objects.all(), pk=d["organization"])
        actions.link_membership(request.user, c, org, d["title"])

    return _handle(request, c, MembershipForm(request.POST), run, _("Organisation linked."))


@login_required
@require_POST
def remove_membership(request: HttpRequest, pk: int, m_pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    membership = get_for_user(
        request.user, Membership.objects.filter(Q(person=c) | Q(organization=c)), pk=m_pk
    )
    actions.unlink_membership(request.user, membership)
    messages.success(request, _("Organisation unlinked."))
    return _back(c)


@login_required
@require_POST
def add_address(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    form = AddressForm(request.POST)
    return _handle(
        request,
        c,
        form,
        lambda d: actions.add_address(request.user, c, dict(d)),
        _("Address added."),
    )


@login_required
@require_POST
def remove_address(request: HttpRequest, pk: int, a_pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    address = get_for_user(request.user, c.addresses.all(), pk=a_pk)
    actions.remove_address(request.user, address)
    messages.success(request, _("Address removed."))
    return _back(c)


@login_required
@require_POST
def upload_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    c = _customer(request, pk, "change")
    form = AttachmentForm(request.POST, request.FILES)
    return _handle(
        request,
        c,
        form,
        lambda d: actions.add_attachment(request.user, c, d["file"]),
        _("File attached."),
    )


@login_required
def download_attachment(request: HttpRequest, pk: int) -> FileResponse:
    require(request, "customers", "view")
    attachment = get_for_user(request.user, Attachment.objects.select_related("customer"), pk=pk)
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delete_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "customers", "change")
    attachment = get_for_user(request.user, Attachment.objects.select_related("customer"), pk=pk)
    actions.delete_attachment(request.user, attachment)
    messages.success(request, _("File deleted."))
    return _back(attachment.customer)


@login_required
@require_POST
def group_remove_member(request: HttpRequest, pk: int, customer_pk: int) -> HttpResponse:
    require(request, "customers", "change")
    group = get_for_user(request.user, Group.objects.all(), pk=pk)
    customer = get_for_user(request.user, Customer.objects.all(), pk=customer_pk)
    actions.remove_from_group(request.user, group, customer)
    messages.success(request, _("Removed from the group."))
    return redirect("customers:group_detail", pk=pk)
