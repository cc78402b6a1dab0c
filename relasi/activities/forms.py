"""Forms for tasks, calls, meetings/appointments and visits. Each form turns its input into
the `data` dict (plus participants and reminders) that the actions take."""

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.http import Http404
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import User
from relasi.activities.choices import (
    MEETING_KINDS,
    REMIND_CHOICES,
    CallOutcome,
    Confirmation,
    Direction,
    FeedScope,
    Kind,
    Recipient,
    Status,
    VisitOutcome,
)
from relasi.activities.models import Activity, Visit
from relasi.core.access import get_for_user, visible_to
from relasi.core.customfields import CustomFieldFormMixin
from relasi.customers.models import Customer

LOCAL_DT = "%Y-%m-%dT%H:%M"


class CustomerPicker(forms.Widget):
    """A search box that fills hidden inputs with the chosen customers' ids (activities.js);
    no <select> of every customer, so it stays fast with a million of them."""

    template_name = "activities/widgets/customer_picker.html"
    multiple = False
    lookup_url = reverse_lazy("activities:customer_lookup")

    def format_value(self, value: Any) -> list[str]:
        if value in (None, "", []):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v.pk if hasattr(v, "pk") else v) for v in values]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple:
            return [v for v in data.getlist(name) if v]
        return data.get(name)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        # The project's templates live in relasi/templates (the main engine), which the
        # default form renderer does not search.
        from django.template.loader import render_to_string

        return SafeString(
            render_to_string(self.template_name, self.get_context(name, value, attrs))
        )

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        ids = [int(v) for v in self.format_value(value) if str(v).isdigit()]
        context["chosen"] = list(Customer.objects.filter(pk__in=ids).values("id", "name"))
        context["multiple"] = self.multiple
        context["lookup_url"] = self.lookup_url
        return context


class CustomerMultiPicker(CustomerPicker):
    multiple = True


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=LOCAL_DT)


def _dt_field(label: Any, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_DT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


class ActivityForm(CustomFieldFormMixin, forms.ModelForm):  # type: ignore[misc]
    """Shared parts: assignee, customer, linked record, reminder; scoped to the user."""

    kind_value: str = Kind.TASK
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), required=False, widget=CustomerPicker
    )
    link = forms.CharField(required=False, widget=forms.HiddenInput)
    remind = forms.ChoiceField(label=_("Remind me"), choices=REMIND_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: Any = None
        if "owner" in self.fields:
            self.fields["owner"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
            self.fields["owner"].label = _("Assigned to")
            self.fields["owner"].required = False
        instance = self.instance
        if instance.pk:
            # Declared (non-Meta) fields get no initial value from the instance by themselves.
            self.initial.setdefault("customer", instance.customer_id)
            for name in ("due_at", "ends_at"):
                if name in self.fields and getattr(instance, name):
                    self.initial.setdefault(name, timezone.localtime(getattr(instance, name)))
            self.initial["remind"] = self._reminder_initial(Recipient.USER)
            if instance.content_type_id:
                self.initial["link"] = (
                    f"{instance.content_type.app_label}.{instance.content_type.model}:{instance.object_id}"
                )

    def _reminder_initial(self, recipient: str) -> str:
        reminder = self.instance.reminders.filter(recipient=recipient).order_by("-id").first()
        return str(reminder.minutes_before) if reminder else ""

    def limit_to_user(self, user: Any) -> None:
        self.user = user
        self.fields["customer"].queryset = visible_to(user, Customer.objects.all())  # type: ignore[attr-defined]
        if "owner" in self.fields and not self.instance.pk and not self.is_bound:
            self.initial.setdefault("owner", user.pk)

    def clean_link(self) -> tuple[ContentType, int] | None:
        raw = (self.cleaned_data.get("link") or "").strip()
        if not raw:
            return None
        try:
            label, pk = raw.rsplit(":", 1)
            model = apps.get_model(label)
            obj = get_for_user(self.user, model._default_manager.all(), pk=int(pk))
        except (ValueError, LookupError, FieldError, Http404) as exc:
            raise forms.ValidationError(_("The linked record was not found.")) from exc
        return ContentType.objects.get_for_model(obj), obj.pk

    def remind_minutes(self, name: str = "remind") -> int | bool | None:
        """Minutes before, None for none, False when unchanged on an existing activity."""
        value = self.cleaned_data.get(name) or ""
        if self.instance.pk and value == (self.initial.get(name) or "") and not self._moved():
            return False
        return int(value) if value != "" else None

    def _moved(self) -> bool:
        return (
            "due_at" in self.changed_data
            or "due_date" in self.changed_data
            or ("due_time" in self.changed_data)
        )

    def activity_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind_value}
        for name in self._meta.fields or []:  # type: ignore[union-attr]
            if name in self.cleaned_data and name not in ("tags", "attendees"):
                data[name] = self.cleaned_data[name]
        data["customer"] = self.cleaned_data.get("customer")
        link = self.cleaned_data.get("link")
        data["content_type"], data["object_id"] = link if link else (None, None)
        if not data.get("owner"):
            data.pop("owner", None)
        data["custom"] = self.custom_values()
        return data


class TaskForm(ActivityForm):
    kind_value = Kind.TASK
    due_date = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_time = forms.TimeField(
        label=_("Time (optional)"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    class Meta:
        model = Activity
        fields = ["title", "owner", "priority", "status", "progress", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    field_order = [
        "title",
        "owner",
        "customer",
        "due_date",
        "due_time",
        "priority",
        "status",
        "progress",
        "remind",
        "description",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.due_at:
            local = timezone.localtime(self.instance.due_at)
            self.initial["due_date"] = local.date()
            if not self.instance.all_day:
                self.initial["due_time"] = local.time().replace(second=0, microsecond=0)

    def activity_data(self) -> dict[str, Any]:
        data = super().activity_data()
        day, time = self.cleaned_data.get("due_date"), self.cleaned_data.get("due_time")
        if day is None:
            data.update(due_at=None, all_day=False)
        else:
            local = dt.datetime.combine(day, time or dt.time(0, 0))
            data.update(due_at=timezone.make_aware(local), all_day=time is None)
        return data


class CallForm(ActivityForm):
    kind_value = Kind.CALL
    planned = forms.BooleanField(label=_("Planned call (not made yet)"), required=False)
    due_at = _dt_field(_("When"))

    class Meta:
        model = Activity
        fields = ["title", "direction", "outcome", "duration_minutes", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"description": _("Notes")}

    field_order = [
        "customer",
        "title",
        "direction",
        "outcome",
        "due_at",
        "duration_minutes",
        "planned",
        "owner",
        "remind",
        "description",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["direction"].choices = Direction.choices  # type: ignore[attr-defined]
        self.fields["direction"].initial = Direction.OUTBOUND
        self.fields["outcome"].choices = [("", "—"), *CallOutcome.choices]  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.initial.setdefault("due_at", timezone.localtime().replace(second=0, microsecond=0))
        else:
            self.initial["planned"] = self.instance.status != Status.DONE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("planned") and not data.get("outcome"):
            self.add_error("outcome", _("Say how the call went."))
        if not data.get("title"):
            customer = data.get("customer")
            data["title"] = (
                str(_("Call with %(name)s") % {"name": customer}) if customer else str(_("Call"))
            )
        return data

    def activity_data(self) -> dict[str, Any]:
        data = super().activity_data()
        data["due_at"] = self.cleaned_data.get("due_at")
        data["status"] = Status.OPEN if self.cleaned_data.get("planned") else Status.DONE
        return data


class MeetingForm(ActivityForm):
    kind_value = Kind.MEETING
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(k, label) for k, label in Kind.choices if k in MEETING_KINDS],
        initial=Kind.APPOINTMENT,
    )
    due_at = _dt_field(_("Starts"), required=True)
    ends_at = _dt_field(_("Ends"))
    contacts = forms.ModelMultipleChoiceField(
        label=_("Other customers taking part"),
        queryset=Customer.objects.none(),
        required=False,
        widget=CustomerMultiPicker,
    )
    remind_customer = forms.BooleanField(
        label=_("E-mail the customer a reminder one day before"), required=False
    )
    send_invitation = forms.BooleanField(
        label=_("E-mail the invitation (.ics) to the customer now"), required=False
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "owner",
            "attendees",
            "location",
            "online_url",
            "confirmation",
            "status",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    field_order = [
        "kind",
        "title",
        "customer",
        "contacts",
        "due_at",
        "ends_at",
        "location",
        "online_url",
        "owner",
        "attendees",
        "confirmation",
        "status",
        "remind",
        "remind_customer",
        "send_invitation",
        "description",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = User.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["attendees"].label = _("Colleagues taking part")
        self.fields["confirmation"].choices = [("", "—"), *Confirmation.choices]  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["kind"] = self.instance.kind
            self.initial["contacts"] = list(
                self.instance.contact_links.values_list("customer_id", flat=True)
            )
            self.initial["remind_customer"] = bool(self._reminder_initial(Recipient.CUSTOMER))

    def limit_to_user(self, user: Any) -> None:
        super().limit_to_user(user)
        self.fields["contacts"].queryset = visible_to(user, Customer.objects.all())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_at"), data.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("The end is before the start."))
        if data.get("send_invitation") and not (
            data.get("customer") and data["customer"].primary_email
        ):
            self.add_error("send_invitation", _("The customer has no e-mail address."))
        return data

    def activity_data(self) -> dict[str, Any]:
        data = super().activity_data()
        data["kind"] = self.cleaned_data["kind"]
        data["due_at"] = self.cleaned_data.get("due_at")
        data["ends_at"] = self.cleaned_data.get("ends_at")
        return data

    def remind_customer_minutes(self) -> int | bool | None:
        wanted = bool(self.cleaned_data.get("remind_customer"))
        if (
            self.instance.pk
            and wanted == bool(self.initial.get("remind_customer"))
            and not self._moved()
        ):
            return False
        return 24 * 60 if wanted else None


class CompleteForm(forms.Form):
    version = forms.IntegerField(required=False)


class CheckInForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), widget=CustomerPicker
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    activity = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def limit_to_user(self, user: Any) -> None:
        self.fields["customer"].queryset = visible_to(user, Customer.objects.all())  # type: ignore[attr-defined]


class CheckOutForm(forms.Form):
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *VisitOutcome.choices], required=False
    )
    notes = forms.CharField(
        label=_("Visit notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class VisitForm(forms.ModelForm):
    """Editing a visit afterwards: only the outcome and notes (times and positions are facts)."""

    class Meta:
        model = Visit
        fields = ["outcome", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def limit_to_user(self, user: Any) -> None:
        pass


class FeedScopeForm(forms.Form):
    scope = forms.ChoiceField(label=_("Contents"), choices=FeedScope.choices)


class RespondForm(forms.Form):
    answer = forms.ChoiceField(choices=[("confirm", ""), ("decline", ""), ("reschedule", "")])
    note = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
