"""Retention pages: the policies with their last run, the dry-run preview (count and the first
20 records with links), the policy form, starting a run (a background job with a progress bar)
and a run's report. Module "privacy": view to see and preview, change to edit and run."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from relasi.core.models import Job
from relasi.core.records import ConflictError
from relasi.core.views import require
from relasi.privacy import retention
from relasi.privacy.forms_retention import RetentionPolicyForm, RunForm
from relasi.privacy.models import RetentionPolicy, RetentionRun


@login_required
@require_safe
def retention_list(request: HttpRequest) -> HttpResponse:
    require(request, "privacy", "view")
    policies = list(RetentionPolicy.objects.select_related("processing"))
    covered = {p.record_type for p in policies}
    context = {
        "policies": policies,
        "uncovered": [t for t in retention.record_types() if t.key not in covered],
        "runs": RetentionRun.objects.select_related("actor")[:10],
    }
    return render(request, "privacy/retention_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request, "privacy", "change")
    policy = get_object_or_404(RetentionPolicy, pk=pk) if pk else None
    form = RetentionPolicyForm(
        request.POST or None,
        instance=policy,
        initial={"record_type": request.GET.get("type", "")} if policy is None else None,
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if policy is None:
                retention.create_policy(request.user, data)
            else:
                data.pop("record_type", None)
                retention.update_policy(
                    request.user, policy, data, expected_version=form.cleaned_data.get("version")
                )
        except ConflictError as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("privacy:retention")
    title = str(policy) if policy else _("New retention policy")
    return render(
        request, "privacy/edit.html", {"form": form, "title": title, "back": "privacy:retention"}
    )


@login_required
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "privacy", "change")
    retention.delete_policy(request.user, get_object_or_404(RetentionPolicy, pk=pk))
    messages.success(request, _("Deleted."))
    return redirect("privacy:retention")


@login_required
@require_safe
def policy_preview(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "privacy", "view")
    policy = get_object_or_404(RetentionPolicy, pk=pk)
    context = {
        "policy": policy,
        "preview": retention.preview(policy),
        "sample_size": retention.SAMPLE,
    }
    return render(request, "privacy/retention_preview.html", context)


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    require(request, "privacy", "change")
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a policy."))
        return redirect("privacy:retention")
    policy = form.cleaned_data["policy"]
    run = retention.start_run(
        request.user, [policy.pk] if policy else None, dry_run=form.cleaned_data["dry_run"]
    )
    return redirect(run.get_absolute_url())


@login_required
@require_safe
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "privacy", "view")
    run = get_object_or_404(RetentionRun.objects.select_related("actor"), pk=pk)
    job = (
        Job.objects.filter(pk=run.job_id, owner_id=request.user.pk).first() if run.job_id else None
    )
    context: dict[str, Any] = {"run": run, "job": job}
    return render(request, "privacy/retention_run.html", context)
