"""Data-quality pages: the duplicate review queue, the side-by-side merge, the merge record
(with undo), the whole-database scan, bulk merge above the administrator's threshold, and the
"did you mean …" check used by the create form."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from relasi.core import jobs
from relasi.core.access import get_for_user, visible_to
from relasi.core.models import Job
from relasi.core.pagination import capped_count, paginate
from relasi.core.records import ConflictError
from relasi.core.views import require
from relasi.customers import duplicates, merge, tasks
from relasi.customers.models import (
    Customer,
    DuplicateCandidate,
    DuplicateSettings,
    DuplicateStatus,
    MergeRecord,
)

PAGE = 50


def check_create(
    actor: Any, form: Any, kind: str, data: dict[str, Any], emails: list, phone_list: list
) -> None:
    """The "did you mean …" step of the create form: unless the user ticked "create anyway",
    likely duplicates stop the save and are listed above the form."""
    if form.data.get("create_anyway"):
        return
    found = duplicates.likely_duplicates(actor, {**data, "kind": kind}, emails, phone_list)
    if not found:
        return
    form.duplicates = found
    form.fields["create_anyway"] = forms.BooleanField(
        required=False, label=_("None of these — create a new record anyway")
    )
    raise ValidationError(
        _(
            "This customer may already exist: open one of the records listed above, or tick "
            "“create anyway” below and save again."
        )
    )


def visible_candidates(user: Any) -> QuerySet[DuplicateCandidate]:
    """Pairs whose two records the user can both see."""
    seen = visible_to(user, Customer.objects.all()).values("pk")
    return DuplicateCandidate.objects.filter(customer_a__in=seen, customer_b__in=seen)


def get_candidate(user: Any, pk: int) -> DuplicateCandidate:
    cand = visible_candidates(user).select_related("customer_a", "customer_b").filter(pk=pk)
    found = cand.first()
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require(request, "customers", "view")
    try:
        min_score = float(request.GET.get("min", "0") or 0)
    except ValueError:
        min_score = 0.0
    qs = visible_candidates(request.user).filter(status=DuplicateStatus.OPEN, score__gte=min_score)
    # Keyset pages (score, id): page 1,000 of a large scan costs what page 1 costs.
    page = paginate(
        qs.select_related("customer_a", "customer_b"),
        order="-score",
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
        limit=PAGE,
    )
    total, exact = capped_count(qs)
    settings_row = DuplicateSettings.load()
    job_id = request.GET.get("job")
    context = {
        "candidates": page.items,
        "page": page,
        "total": total,
        "total_exact": exact,
        "min_score": min_score,
        "settings": settings_row,
        "above_threshold": qs.filter(score__gte=settings_row.auto_merge_threshold).count(),
        "job": Job.objects.filter(pk=job_id, owner_id=request.user.pk).first()
        if job_id and len(job_id) == 36
        else None,
        "merges": MergeRecord.objects.filter(
            survivor__in=visible_to(request.user, Customer.objects.all())
        )[:10],
    }
    return render(request, "customers/duplicates_queue.html", context)


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "customers", "change")
    merge.dismiss(request.user, get_candidate(request.user, pk))
    messages.success(request, _("Marked as not a duplicate; it will not be proposed again."))
    return redirect("customers:duplicates")


@login_required
@require_POST
def start_scan(request: HttpRequest) -> HttpResponse:
    require(request, "customers", "change")
    job = jobs.start(
        "duplicate_scan", request.user, tasks.scan_duplicates, label=_("Duplicate scan")
    )
    return redirect(reverse("customers:duplicates") + f"?job={job.pk}")


def _pair_for_merge(request: HttpRequest, a: int, b: int) -> tuple[Customer, Customer]:
    require(request, "customers", "change")
    qs = Customer.objects.all()
    return get_for_user(request.user, qs, pk=a), get_for_user(request.user, qs, pk=b)


def _rows(survivor: Customer, other: Customer) -> list[dict[str, Any]]:
    defaults = merge.default_choices(survivor, other)
    rows = []
    for name in merge.differing_fields(survivor, other):
        if name.startswith("custom."):
            key = name.split(".", 1)[1]
            label, values = key, [(c.custom or {}).get(key, "") for c in (survivor, other)]
        else:
            field = Customer._meta.get_field(name)
            label = str(field.verbose_name)
            values = [
                c._get_FIELD_display(field) if getattr(field, "choices", None) else getattr(c, name)  # type: ignore[attr-defined]
                for c in (survivor, other)
            ]
        rows.append(
            {
                "name": name,
                "label": label,
                "a": values[0],
                "b": values[1],
                "pick_b": defaults.get(name, survivor.pk) == other.pk,
            }
        )
    return rows


@login_required
def merge_view(request: HttpRequest, a: int, b: int) -> HttpResponse:
    """Side by side: the survivor is the first record; a radio per differing field."""
    survivor, other = _pair_for_merge(request, a, b)
    if survivor.pk == other.pk:
        raise Http404
    if request.method == "POST":
        choices = {
            name: request.POST[f"f_{name}"]
            for name in merge.differing_fields(survivor, other)
            if request.POST.get(f"f_{name}", "").isdigit()
        }
        versions = (request.POST.get("version_a"), request.POST.get("version_b"))
        try:
            record = merge.merge_customers(
                request.user,
                survivor,
                other,
                choices,
                expected_versions=tuple(int(v) if v and v.isdigit() else None for v in versions),  # type: ignore[arg-type]
            )
        except ConflictError:
            messages.error(request, str(ConflictError.message))
            return redirect("customers:merge", a=a, b=b)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("customers:merge", a=a, b=b)
        messages.success(request, _("Merged. You can undo this from the merge record."))
        return redirect("customers:merge_record", pk=record.pk)
    context = {
        "survivor": survivor,
        "other": other,
        "rows": _rows(survivor, other),
        "counts": [_counts(survivor), _counts(other)],
    }
    return render(request, "customers/merge_form.html", context)


def _counts(c: Customer) -> dict[str, int]:
    return {
        str(_("e-mails")): c.emails.count(),
        str(_("phones")): c.phones.count(),
        str(_("addresses")): c.addresses.count(),
        str(_("notes")): c.notes.count(),
        str(_("attachments")): c.attachments.count(),
        str(_("groups")): c.group_memberships.count(),
    }


@login_required
def merge_record(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "customers", "view")
    record = get_for_user(request.user, MergeRecord.objects.select_related("survivor"), pk=pk)
    return render(request, "customers/merge_record.html", {"record": record})


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "customers", "change")
    record = get_for_user(request.user, MergeRecord.objects.all(), pk=pk)
    try:
        restored = merge.undo_merge(request.user, record)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:merge_record", pk=pk)
    messages.success(request, _("Merge undone."))
    return redirect(restored.get_absolute_url())


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = DuplicateSettings
        fields = ["auto_merge_threshold"]
        widgets = {"auto_merge_threshold": forms.NumberInput(attrs={"step": "0.01"})}

    def clean_auto_merge_threshold(self) -> float:
        value = self.cleaned_data["auto_merge_threshold"]
        if not 0.5 <= value <= 1:
            raise ValidationError(_("Choose a threshold between 0.5 and 1."))
        return value


def _require_admin(request: HttpRequest) -> None:
    if not getattr(request.user, "is_administrator", False):
        raise PermissionDenied


@login_required
@require_POST
def set_threshold(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ThresholdForm(request.POST, instance=DuplicateSettings.load())
    if form.is_valid():
        form.save()
        messages.success(request, _("Threshold saved."))
    else:
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("auto_merge_threshold", []))
        )
    return redirect("customers:duplicates")


@login_required
def bulk_merge(request: HttpRequest) -> HttpResponse:
    """Confirmation page, then merge every open pair at or above the threshold."""
    _require_admin(request)
    require(request, "customers", "change")
    threshold = DuplicateSettings.load().auto_merge_threshold
    qs = visible_candidates(request.user).filter(status=DuplicateStatus.OPEN, score__gte=threshold)
    if request.method == "POST" and request.POST.get("confirm"):
        done, skipped = merge.bulk_merge(request.user, list(qs.order_by("-score", "id")))
        messages.success(
            request,
            _("%(done)d pairs merged, %(skipped)d skipped.") % {"done": done, "skipped": skipped},
        )
        return redirect("customers:duplicates")
    context = {
        "threshold": threshold,
        "candidates": qs.select_related("customer_a", "customer_b")[:200],
        "count": qs.count(),
    }
    return render(request, "customers/duplicates_bulk_confirm.html", context)


# --- ways out when a customer cannot be deleted (the generic delete page includes these) ---


def delete_alternatives(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """Context for customers/_delete_alternatives.html: records that look like this one
    (to merge into, or to move its deals to)."""
    found = duplicates.likely_duplicates(
        request.user,
        {"name": customer.name, "kind": customer.kind},
        [e.email for e in customer.emails.all()],
        [p.number for p in customer.phones.all()],
        exclude_id=customer.pk,
    )
    return {"look_alikes": [m["customer"] for m in found]}


def _target(request: HttpRequest, customer: Customer) -> Customer | None:
    raw = request.POST.get("target", "").strip().lstrip("#")
    if not raw.isdigit() or len(raw) > 18:
        return None
    qs = Customer.objects.filter(kind=customer.kind).exclude(pk=customer.pk)
    try:
        return get_for_user(request.user, qs, pk=int(raw))
    except Http404:
        return None


@login_required
@require_POST
def reassign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Move what holds the customer to another record the user can see, then delete it."""
    require(request, "customers", "delete")
    require(request, "customers", "change")
    customer = get_for_user(request.user, Customer.objects.all(), pk=pk)
    back = reverse(f"customers:{customer.kind}_delete", kwargs={"pk": pk})
    target = _target(request, customer)
    if target is None:
        messages.error(request, _("Choose a record you can see, by its number (#id)."))
        return redirect(back)
    moved = merge.reassign_and_delete(request.user, customer, target)
    summary = ", ".join(f"{n} {name}" for name, n in moved.items())
    messages.success(
        request,
        _("Moved %(what)s to %(target)s and deleted %(name)s.")
        % {"what": summary or "0", "target": target.name, "name": customer.name},
    )
    return redirect(target.get_absolute_url())


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the record and its history, marked as a former customer, instead of deleting it."""
    from relasi.customers import actions
    from relasi.customers.choices import Lifecycle

    require(request, "customers", "change")
    customer = get_for_user(request.user, Customer.objects.all(), pk=pk)
    actions.change_stage(
        request.user, customer, Lifecycle.FORMER, note=_("archived instead of deleted")
    )
    messages.success(request, _("Kept as a former customer (archived)."))
    return redirect(customer.get_absolute_url())
