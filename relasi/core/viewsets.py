"""Declarative CRUD: one `RecordViewSet` subclass per model gives it a list (sort, filter,
choose columns, saved views, keyset pages, bulk actions, CSV export), detail, create, edit and
delete views, all through the access layer. Anchor: netbox's generic object views."""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partialmethod
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import URLPattern, path
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from relasi.core import customfields, records
from relasi.core.access import visible_to
from relasi.core.models import CustomField, Tag


@dataclass
class Column:
    """A list column: `accessor` is an attribute path (a__b) or a callable(obj). `fields`: the
    model fields a callable accessor reads, so the list can load only the columns it shows."""

    name: str
    label: Any
    accessor: str | Callable[[Any], Any] | None = None
    order: str | None = None
    template: str | None = None
    link: bool = False
    export: bool = True
    fields: tuple[str, ...] | None = None

    def value(self, obj: Any) -> Any:
        acc = self.accessor or self.name
        if callable(acc):
            return acc(obj)
        for part in acc.split("__"):
            if obj is None:
                return None
            obj = getattr(obj, part, None)
            if callable(obj) and not isinstance(obj, models.Manager):
                obj = obj()
        if isinstance(obj, models.Manager):
            return ", ".join(str(o) for o in obj.all())
        return obj

    def reader(self, model: type[models.Model]) -> Callable[[Any], Any]:
        """`value` for a page of `model` rows. A choice field's `get_<field>_display` reads its
        labels from a dict built once here: Django's rebuilds (and re-translates) the whole
        choices dict on every call, which was a tenth of the people list's row time."""
        acc = self.accessor
        if not (isinstance(acc, str) and acc.startswith("get_") and acc.endswith("_display")):
            return self.value
        method = inspect.getattr_static(model, acc, None)
        if not (
            isinstance(method, partialmethod) and method.func is models.Model._get_FIELD_display  # type: ignore[attr-defined]
        ):
            return self.value  # a display method of the model's own
        field = method.keywords["field"]
        labels = {
            key: force_str(label, strings_only=True)
            for key, label in make_hashable(field.flatchoices)
        }
        attname = field.attname

        def read(obj: Any) -> Any:  # what _get_FIELD_display answers
            value = getattr(obj, attname)
            label = labels.get(make_hashable(value), _MISSING)
            return force_str(value, strings_only=True) if label is _MISSING else label

        return read


_MISSING = object()


@dataclass
class BulkOutcome:
    """What a bulk action did when it had to leave some rows alone: one line per skipped row."""

    done: int
    skipped: list[str]


@dataclass
class BulkAction:
    """An action on many selected rows. `run(viewset, actor, queryset, form_data)` returns the
    count done, or a BulkOutcome that also says which rows were skipped and why."""

    name: str
    label: Any
    permission: str
    run: Callable[..., "int | BulkOutcome"]
    form: type[forms.Form] | None = None
    confirm: bool = False
    danger: bool = False


class OwnerForm(forms.Form):
    owner: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("New owner"))  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from relasi.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]


class TagForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=60)


def _bulk_delete(vs: "RecordViewSet", actor: Any, qs: models.QuerySet, data: dict) -> BulkOutcome:
    """Deletes what it can; a record other records still use is skipped and named."""
    n, skipped = 0, []
    for obj in qs:
        try:
            vs.delete(actor, obj)
        except records.InUseError as exc:
            skipped.append(f"{obj}: {exc.summary()}")
            continue
        n += 1
    return BulkOutcome(n, skipped)


def _bulk_owner(vs: "RecordViewSet", actor: Any, qs: models.QuerySet, data: dict) -> int:
    owner = data["owner"]
    n = 0
    for obj in qs:
        if obj.owner_id != owner.pk:
            records.update_record(actor, obj, {"owner": owner}, audit_message="bulk: assign owner")
            n += 1
    return n


def _bulk_tag(vs: "RecordViewSet", actor: Any, qs: models.QuerySet, data: dict) -> int:
    tag, _created = Tag.objects.get_or_create(name=data["tag"].strip()[:60])
    n = 0
    for obj in qs.prefetch_related("tags"):
        current = list(obj.tags.all())
        if tag not in current:
            records.update_record(actor, obj, {}, tags=[*current, tag], audit_message="bulk: tag")
            n += 1
    return n


DELETE = BulkAction("delete", _("Delete"), "delete", _bulk_delete, confirm=True, danger=True)
ASSIGN_OWNER = BulkAction("owner", _("Assign owner"), "change", _bulk_owner, form=OwnerForm)
ADD_TAG = BulkAction("tag", _("Add tag"), "change", _bulk_tag, form=TagForm)


class RecordViewSet:
    """Subclass and declare; `urls()` returns the URL patterns."""

    model: type[models.Model]
    module: str
    url_name: str  # e.g. "person" -> names person_list, person_detail, ...
    form_class: type[forms.ModelForm] | None = None
    filterset_class: type[django_filters.FilterSet] | None = None
    columns: list[Column] = []
    default_columns: list[str] | None = None
    default_order: str = "-pk"
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    list_template = "core/object_list.html"
    detail_template = "core/object_detail.html"
    form_template = "core/object_form.html"
    detail_fields: list[str] = []
    bulk_actions: list[BulkAction] | None = None
    page_size = 50
    # False for configuration tables without an owner (custom fields, roles): the module
    # permission alone decides, there is no per-record visibility.
    scoped = True

    # --- querysets --------------------------------------------------------------------------
    def base_queryset(self) -> models.QuerySet:
        return self.model._default_manager.all()

    def queryset_for(self, user: Any) -> models.QuerySet:
        qs = self.base_queryset()
        if self.scoped:
            qs = visible_to(user, qs)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def for_columns(
        self, queryset: models.QuerySet, columns: Iterable[Column], order: str = ""
    ) -> models.QuerySet:
        """Join or prefetch what the chosen columns read, so a page costs the same number of
        queries whatever its length (no N+1 for tags, owner, ...), and load only the fields they
        read when every column says which (a people page read all 47 columns of 51 customers
        and their owners for six cells each; issue 19). `order`: the sort field, which the
        page's cursor reads."""
        joins: set[str] = set()
        prefetches: set[str] = set()
        loads: set[str] | None = set()  # None: a column reads something it does not name
        for column in columns:
            accessor = column.accessor or column.name
            if column.fields is not None and loads is not None:
                loads.update(column.fields)
            if callable(accessor):
                if column.fields is None:
                    loads = None
                continue
            name = accessor.split("__")[0]
            if name.startswith("get_") and name.endswith("_display") and name == accessor:
                name = name[4:-8]
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:  # a property or method: nothing to join
                loads = None
                continue
            if field.many_to_many or field.one_to_many:
                prefetches.add(field.name)
            elif field.many_to_one or field.one_to_one:
                joins.add(field.name)
            if loads is not None and not field.many_to_many and not field.one_to_many:
                loads = loads | {field.name} if field.concrete else None
        if joins:
            queryset = queryset.select_related(*sorted(joins))
        if prefetches:
            queryset = queryset.prefetch_related(*sorted(prefetches))
        if loads is not None:
            queryset = _load_only(queryset, loads | {order.lstrip("-").split("__")[0]})
        return queryset

    def filterset(
        self,
        data: Any,
        queryset: models.QuerySet,
        user: Any,
        custom: list[CustomField] | None = None,
    ) -> django_filters.FilterSet | None:
        """`custom`: the model's custom field definitions when the caller has read them."""
        if self.filterset_class is None:
            return None
        fs = self.filterset_class(data, queryset=queryset, request=None)
        if hasattr(fs, "limit_to_user"):
            fs.limit_to_user(user)
        customfields.add_filters(fs, self.model, custom)
        return fs

    def get_bulk_actions(self) -> list[BulkAction]:
        return (
            list(self.bulk_actions)
            if self.bulk_actions is not None
            else [ASSIGN_OWNER, ADD_TAG, DELETE]
        )

    def column_map(self, custom: list[CustomField] | None = None) -> dict[str, Column]:
        cols = {c.name: c for c in self.columns}
        for cf in customfields.definitions(self.model) if custom is None else custom:
            cols[customfields.PREFIX + cf.key] = Column(
                customfields.PREFIX + cf.key,
                cf.display_label,
                accessor=_custom_accessor(cf),
                fields=("custom",),
            )
        return cols

    def detail_context(self, request: Any, obj: models.Model) -> dict[str, Any]:
        """Extra context for the detail page (override per model)."""
        return {}

    # --- writes (override to call the app's actions) ----------------------------------------
    def form_data(self, form: forms.ModelForm) -> tuple[dict[str, Any], Iterable[Tag] | None]:
        data = {}
        tags = None
        for name in form._meta.fields or []:  # type: ignore[union-attr]
            if name not in form.cleaned_data:
                continue
            if name == "tags":
                tags = form.cleaned_data["tags"]
                continue
            model_field = self.model._meta.get_field(name)
            if model_field.many_to_many:
                continue
            data[name] = form.cleaned_data[name]
        if isinstance(form, customfields.CustomFieldFormMixin):
            data["custom"] = form.custom_values()
        return data, tags

    def create(self, actor: Any, form: forms.ModelForm) -> models.Model:
        data, tags = self.form_data(form)
        if "owner" in [f.name for f in self.model._meta.fields] and not data.get("owner"):
            data["owner"] = actor
            data.setdefault("team", getattr(actor, "team", None))
        return records.create_record(actor, self.model, data, tags=tags)

    def update(
        self, actor: Any, obj: models.Model, form: forms.ModelForm, version: int | None
    ) -> models.Model:
        data, tags = self.form_data(form)
        return records.update_record(actor, obj, data, expected_version=version, tags=tags)

    def delete(self, actor: Any, obj: models.Model) -> None:
        records.delete_record(actor, obj)

    # Shown on the delete page when other records still use the object (context: object,
    # blockers, error and `delete_alternatives()`); a viewset offers its ways out here
    # (reassign, archive, merge …).
    delete_alternatives_template: str | None = None

    def delete_alternatives(self, request: Any, obj: models.Model) -> dict[str, Any]:
        return {}

    # --- urls -------------------------------------------------------------------------------
    def urls(self, prefix: str) -> list[URLPattern]:
        from relasi.core import views as v

        n = self.url_name
        return [
            path(f"{prefix}/", v.ObjectListView.as_view(viewset=self), name=f"{n}_list"),
            path(f"{prefix}/new/", v.ObjectEditView.as_view(viewset=self), name=f"{n}_create"),
            path(f"{prefix}/export/", v.ObjectExportView.as_view(viewset=self), name=f"{n}_export"),
            path(f"{prefix}/bulk/", v.BulkActionView.as_view(viewset=self), name=f"{n}_bulk"),
            path(
                f"{prefix}/<int:pk>/", v.ObjectDetailView.as_view(viewset=self), name=f"{n}_detail"
            ),
            path(
                f"{prefix}/<int:pk>/edit/", v.ObjectEditView.as_view(viewset=self), name=f"{n}_edit"
            ),
            path(
                f"{prefix}/<int:pk>/delete/",
                v.ObjectDeleteView.as_view(viewset=self),
                name=f"{n}_delete",
            ),
        ]


# Fields a list row reads besides its columns: the blacklist flag beside a customer's name.
ROW_FIELDS = ("is_blacklisted",)


def _load_only(queryset: models.QuerySet, names: set[str]) -> models.QuerySet:
    """queryset.only(the named fields, the ones its joins and prefetches go through, the row
    flags); unchanged when it joins everything. A field read after all (a list template of
    its own) is then loaded for the whole page in one query (FETCH_PEERS), not once per row."""
    opts = queryset.model._meta
    related = queryset.query.select_related
    if related is True:
        return queryset
    wanted = set(names) | set(related or {})
    for lookup in queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
        path = lookup if isinstance(lookup, str) else getattr(lookup, "prefetch_through", "")
        wanted.add(path.split("__")[0])
    wanted.update(ROW_FIELDS)
    concrete = {f.name for f in opts.concrete_fields}
    only = sorted(name for name in wanted if name in concrete and name != opts.pk.name)
    return queryset.only(*only).fetch_mode(models.FETCH_PEERS)


def _custom_accessor(cf: Any) -> Callable[[Any], Any]:
    def get(obj: Any) -> str:
        return customfields.display(cf, (obj.custom or {}).get(cf.key))

    return get
