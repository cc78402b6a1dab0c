"""Generic record views (driven by a RecordViewSet) and the shell's own pages."""

import html
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View

from relasi.core import audit, csvutil, customfields, exporting
from relasi.core.access import require_perm
from relasi.core.choices import AuditAction
from relasi.core.history import readable as readable_history
from relasi.core.htmx import template_for
from relasi.core.models import SavedView
from relasi.core.pagination import capped_count, paginate
from relasi.core.records import ConflictError, InUseError
from relasi.core.typing import AuthedRequest
from relasi.core.viewsets import BulkOutcome, RecordViewSet


class RecordView(LoginRequiredMixin, View):
    """Base: the viewset and the (module, action) permission checked before anything else."""

    viewset: RecordViewSet = None  # type: ignore[assignment]
    permission = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require_perm(request.user, self.viewset.module, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def url(self, kind: str, **kwargs: Any) -> str:
        namespace = self.request.resolver_match.namespace  # type: ignore[union-attr]
        return reverse(f"{namespace}:{self.viewset.url_name}_{kind}", kwargs=kwargs or None)

    def get_object(self) -> models.Model:
        # queryset_for() already applies the user's visibility (or, for unscoped configuration
        # tables without an owner, deliberately none): don't filter a second time.
        queryset = self.viewset.queryset_for(self.request.user)
        try:
            return queryset.get(pk=self.kwargs["pk"])
        except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc

    def base_context(self) -> dict[str, Any]:
        meta = self.viewset.model._meta
        user = self.request.user
        module = self.viewset.module
        return {
            "viewset": self.viewset,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": self.url("list"),
            "create_url": self.url("create"),
            "can_add": user.has_module_perm(module, "add"),  # type: ignore[union-attr]
            "can_change": user.has_module_perm(module, "change"),  # type: ignore[union-attr]
            "can_delete": user.has_module_perm(module, "delete"),  # type: ignore[union-attr]
            "can_export": user.has_module_perm(module, "export"),  # type: ignore[union-attr]
        }


class ListState:
    """Everything a list request asks for: filters, sort, columns, cursor."""

    def __init__(self, view: RecordView) -> None:
        vs = view.viewset
        request = view.request
        self.user = request.user
        self.params = request.GET.copy()
        saved_id = self.params.get("view")
        self.saved = None
        if saved_id and saved_id.isdigit():
            self.saved = (
                SavedView.objects.filter(model_label=vs.model._meta.label_lower, pk=saved_id)
                .filter(models.Q(owner=self.user) | models.Q(shared=True))
                .first()
            )
            if self.saved is not None and len(self.params) == 1:
                from django.http import QueryDict

                self.params = QueryDict(self.saved.query, mutable=True)
        custom = customfields.definitions(vs.model)  # once for the columns and the filters
        self.all_columns = vs.column_map(custom)
        requested = [c for c in self.params.get("cols", "").split(",") if c in self.all_columns]
        default = vs.default_columns or [c.name for c in vs.columns]
        self.columns = [self.all_columns[c] for c in (requested or default)]
        sort = self.params.get("sort", "")
        col = self.all_columns.get(sort.lstrip("-"))
        self.sort = sort if col is not None and col.order else ""
        order = vs.default_order
        if self.sort:
            order = ("-" if self.sort.startswith("-") else "") + (col.order or "pk")  # type: ignore[union-attr]
        self.order = order
        base = vs.queryset_for(self.user)
        self.filterset = vs.filterset(self.params, base, self.user, custom)
        if self.filterset is not None:
            self.queryset = self.filterset.qs if self.filterset.is_valid() else base.none()
        else:
            self.queryset = base

    def query_without(self, *keys: str, **extra: str) -> str:
        params = self.params.copy()
        for key in (*keys, "after", "before", "view"):
            params.pop(key, None)
        for key, value in extra.items():
            params[key] = value
        return params.urlencode()


class ObjectListView(RecordView):
    def get(self, request: HttpRequest) -> HttpResponse:
        vs = self.viewset
        state = ListState(self)
        page = paginate(
            vs.for_columns(state.queryset, state.columns, state.order),
            order=state.order,
            after=state.params.get("after"),
            before=state.params.get("before"),
            limit=vs.page_size,
        )
        count, exact = capped_count(state.queryset)
        saved_views = SavedView.objects.filter(model_label=vs.model._meta.label_lower).filter(
            models.Q(owner=request.user) | models.Q(shared=True)
        )
        detail_name = f"{request.resolver_match.namespace}:{vs.url_name}_detail"  # type: ignore[union-attr]
        bulk_actions = [
            a
            for a in vs.get_bulk_actions()
            if request.user.has_module_perm(vs.module, a.permission)  # type: ignore[union-attr]
        ]
        cells = RowCells(state.columns, detail_name, vs.model, select=bool(bulk_actions))
        rows = [(obj, cells(obj)) for obj in page.items]
        context = {
            **self.base_context(),
            "state": state,
            "page": page,
            "rows": rows,
            "count": count,
            "count_exact": exact,
            "saved_views": saved_views,
            "bulk_actions": bulk_actions,
            "bulk_url": self.url("bulk"),
            "export_url": self.url("export") + "?" + state.query_without(),
            "detail_url_name": f"{request.resolver_match.namespace}:{vs.url_name}_detail",  # type: ignore[union-attr]
            "query": state.query_without(),
            "model_label": vs.model._meta.label_lower,
        }
        return render(request, template_for(request, vs.list_template, "results"), context)


_CELL_CONTEXT = Context(autoescape=True)
_PK_MARK = "90817263544536271"  # reversed once per page, replaced by each row's pk


class RowCells:
    """A list page's cells as HTML, built here rather than by a template loop: 50 rows × N
    columns of template tags and one URL reversal per row were most of the list page's time
    (issue 19). Each cell carries its column label (`data-label`) so phones show rows as cards;
    `select` starts each row with the bulk actions' checkbox."""

    def __init__(
        self,
        columns: list[Any],
        detail_name: str,
        model: type[models.Model] | None = None,
        select: bool = False,
    ) -> None:
        self.columns = columns
        self.select = (
            '<td class="select-cell"><input class="form-check-input" type="checkbox" name="ids"'
            f' value="{_PK_MARK}" aria-label="{escape(_("Select"))}"></td>'
            if select
            else ""
        )
        self.readers = [col.reader(model) if model else col.value for col in columns]
        self.labels = [escape(str(col.label)) for col in columns]  # translated once
        self.url = reverse(detail_name, args=[_PK_MARK])
        self.flag = format_html(
            ' <span class="badge text-bg-danger flag-blacklist" title="{}">'
            '<i class="bi bi-slash-circle"></i> {}</span>',
            _("Blacklisted"),
            _("Blacklist"),
        )
        self.yes = format_html(
            '<i class="bi bi-check-lg text-success" aria-label="{}"></i>', _("Yes")
        )

    def __call__(self, obj: models.Model) -> SafeString:
        parts = [self.select.replace(_PK_MARK, str(obj.pk))] if self.select else []
        for i, read in enumerate(self.readers):
            value = read(obj)
            if i == 0:
                url = self.url.replace(_PK_MARK, str(obj.pk))
                inner = f'<a href="{escape(url)}" class="fw-medium">{_cell_text(value)}</a>'
                if getattr(obj, "is_blacklisted", False):
                    inner += self.flag
            elif value is True:
                inner = self.yes
            elif value is False:
                inner = '<span class="text-muted">—</span>'
            else:
                inner = _cell_text(value)
            css = "cell-title" if i == 0 else ("cell-empty" if inner == "—" else "")
            cls = f' class="{css}"' if css else ""
            parts.append(f'<td data-label="{self.labels[i]}"{cls}>{inner}</td>')
        return mark_safe("".join(parts))  # noqa: S308 - labels and values escaped above


def _cell_text(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if type(value) is str:  # what the template would do to a plain string, without the detour
        return html.escape(value)
    return render_value_in_context(value, _CELL_CONTEXT)  # localised, local time, escaped


class ObjectDetailView(RecordView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        vs = self.viewset
        fields = []
        for name in vs.detail_fields:
            f: Any = vs.model._meta.get_field(name)
            value = (
                getattr(obj, f"get_{name}_display")()
                if getattr(f, "choices", None)
                else getattr(obj, name)
            )
            fields.append((f.verbose_name, value))
        custom = [
            (cf.display_label, customfields.display(cf, (obj.custom or {}).get(cf.key)))  # type: ignore[attr-defined]
            for cf in customfields.definitions(vs.model)
        ]
        history = readable_history(obj, request.user)
        context = {
            **self.base_context(),
            "object": obj,
            "fields": fields,
            "custom_fields": custom,
            "history": history,
            "edit_url": self.url("edit", pk=obj.pk),
            "delete_url": self.url("delete", pk=obj.pk),
            **vs.detail_context(request, obj),
        }
        return render(request, vs.detail_template, context)


class ObjectEditView(RecordView):
    """Create (no pk) or edit; the edit form carries the version it was loaded at."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.permission = "change" if "pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, obj: models.Model | None) -> Any:
        form_class = self.viewset.form_class
        assert form_class is not None
        data = self.request.POST if self.request.method == "POST" else None
        form = form_class(data, self.request.FILES or None, instance=obj)
        if hasattr(form, "limit_to_user"):
            form.limit_to_user(self.request.user)
        return form

    def render_form(
        self, form: Any, obj: models.Model | None, status: int = 200, conflict: bool = False
    ) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "object": obj,
            "conflict": conflict,
            "cancel_url": self.url("detail", pk=obj.pk) if obj else self.url("list"),
        }
        return render(self.request, self.viewset.form_template, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object() if pk else None
        return self.render_form(self.get_form(obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object() if pk else None
        form = self.get_form(obj)
        if not form.is_valid():
            return self.render_form(form, obj, status=400)
        version = request.POST.get("version")
        try:
            if obj is None:
                saved = self.viewset.create(request.user, form)
            else:
                saved = self.viewset.update(
                    request.user, obj, form, int(version) if version and version.isdigit() else None
                )
        except ConflictError as conflict:
            conflict.ensure_recorded()
            form.add_error(None, str(ConflictError.message))
            return self.render_form(form, obj, status=409, conflict=True)
        except ValidationError as exc:
            for field_name, errors in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
            ):
                form.add_error(field_name if field_name in form.fields else None, errors)
            return self.render_form(form, obj, status=400)
        if form.errors:
            return self.render_form(form, obj, status=400)
        messages.success(request, _("Saved."))
        return redirect(self.url("detail", pk=saved.pk))


class ObjectDeleteView(RecordView):
    permission = "delete"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        return render(
            request,
            "core/object_delete.html",
            {**self.base_context(), "object": obj, "cancel_url": self.url("detail", pk=pk)},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        try:
            self.viewset.delete(request.user, obj)
        except InUseError as exc:
            # Say what holds it and offer the viewset's alternatives instead of a 500.
            context = {
                **self.base_context(),
                "object": obj,
                "cancel_url": self.url("detail", pk=pk),
                "error": exc,
                "blockers": exc.blockers,
                "alternatives_template": self.viewset.delete_alternatives_template,
                **self.viewset.delete_alternatives(request, obj),
            }
            return render(request, "core/object_delete.html", context, status=409)
        messages.success(request, _("Deleted."))
        return redirect(self.url("list"))


class BulkActionView(RecordView):
    """POST selected ids (or 'all matching the filters') and an action name."""

    def post(self, request: HttpRequest) -> HttpResponse:
        vs = self.viewset
        action = next(
            (a for a in vs.get_bulk_actions() if a.name == request.POST.get("action")), None
        )
        if action is None:
            raise Http404
        require_perm(request.user, vs.module, action.permission)
        queryset = vs.queryset_for(request.user)
        if request.POST.get("select_all") == "1":
            from django.http import QueryDict

            params = QueryDict(request.POST.get("query", ""))
            fs = vs.filterset(params, queryset, request.user)
            queryset = fs.qs if fs is not None and fs.is_valid() else queryset
        else:
            ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
            queryset = queryset.filter(pk__in=ids)
        count = queryset.count()
        confirmed = request.POST.get("confirmed") == "1"
        form = (action.form(request.POST) if confirmed else action.form()) if action.form else None
        needs_input = form is not None and not (form.is_bound and form.is_valid())
        if count and (needs_input or (action.confirm and not confirmed)):
            context = {
                **self.base_context(),
                "action": action,
                "form": form,
                "count": count,
                "post": request.POST,
                "bulk_url": self.url("bulk"),
            }
            return render(request, "core/bulk_confirm.html", context)
        done = (
            action.run(vs, request.user, queryset, form.cleaned_data if form else {})
            if count
            else 0
        )
        if isinstance(done, BulkOutcome):
            if done.skipped:
                messages.warning(
                    request,
                    _("%(n)s records were left alone because other records use them: %(list)s")
                    % {"n": len(done.skipped), "list": "; ".join(done.skipped[:20])},
                )
            done = done.done
        audit.record(
            request.user,
            AuditAction.BULK,
            model=vs.model,
            message=f"{action.name}: {done} of {count}",
            ip=audit.client_ip(request),
        )
        messages.success(
            request, _("%(action)s: %(count)s records.") % {"action": action.label, "count": done}
        )
        return redirect(self.url("list"))


class ObjectExportView(RecordView):
    """Stream the filtered list as CSV with the chosen columns (flat memory)."""

    permission = "export"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if limited := exporting.throttled(request.user):
            return limited
        vs = self.viewset
        state = ListState(self)
        fmt = "xlsx" if state.params.pop("format", ["csv"])[-1] == "xlsx" else "csv"
        columns = [c for c in state.columns if c.export]
        queryset = state.queryset.order_by(state.order, "pk")
        audit.record(
            request.user,
            AuditAction.EXPORT,
            model=vs.model,
            message=f"{fmt.upper()} export: {urlencode(sorted(state.params.items()))[:250]}",
            ip=audit.client_ip(request),
        )
        rows = exporting.export_rows(queryset, columns)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            header = [str(c.label) for c in columns]
            return exporting.xlsx_response(f"{vs.url_name}-{stamp}.xlsx", header, rows)
        response = StreamingHttpResponse(
            csvutil.stream_rows([str(c.label) for c in columns], rows),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{vs.url_name}-{stamp}.csv"'
        return response


class SavedViewCreate(LoginRequiredMixin, View):
    def post(self, request: AuthedRequest) -> HttpResponse:
        name = request.POST.get("name", "").strip()[:100]
        label = request.POST.get("model_label", "")
        back = request.POST.get("next", "/")
        if not back.startswith("/") or back.startswith("//"):
            back = "/"
        if not name:
            messages.error(request, _("Give the view a name."))
            return redirect(back)
        view, _created = SavedView.objects.update_or_create(
            owner=request.user,
            model_label=label,
            name=name,
            defaults={
                "query": request.POST.get("query", "")[:4000],
                "shared": request.POST.get("shared") == "1"
                and request.user.has_module_perm("admin", "change"),  # type: ignore[union-attr]
            },
        )
        messages.success(request, _("View saved."))
        return redirect(f"{back.split('?')[0]}?view={view.pk}")


class SavedViewDelete(LoginRequiredMixin, View):
    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        view = SavedView.objects.filter(owner=request.user, pk=pk).first()
        if view is None:
            raise Http404
        view.delete()
        messages.success(request, _("View deleted."))
        back = request.POST.get("next", "/")
        return redirect(back if back.startswith("/") and not back.startswith("//") else "/")


def require(request: HttpRequest, module: str, action: str = "view") -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    require_perm(request.user, module, action)
