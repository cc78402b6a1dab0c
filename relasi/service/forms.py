"""Staff forms of the service app (the portal and survey forms are in public_forms.py)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import User
from relasi.core.access import get_for_user, visible_to
from relasi.core.customfields import CustomFieldFormMixin
from relasi.core.forms import TagField
from relasi.core.uploads import check_upload
from relasi.customers.models import Customer, Group
from relasi.service import businesstime as bt
from relasi.service import scripts
from relasi.service.choices import TRANSITIONS, Channel, Language, Status
from relasi.service.models import (
    Article,
    ArticleCategory,
    BusinessHours,
    CannedReply,
    Category,
    DialogueScript,
    EscalationRule,
    Holiday,
    Queue,
    RoutingRule,
    SLAPolicy,
    Ticket,
    TicketType,
)

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def _agents() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "username")


class UploadField(forms.FileField):
    """An optional file checked by relasi.core.uploads (type, size, content, zip bombs)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attach a file"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            check_upload(upload)
        return upload


class TicketForm(CustomFieldFormMixin, forms.ModelForm):
    customer_id = forms.IntegerField(
        label=_("Customer number"),
        help_text=_("Search by name, e-mail or phone above, or type the customer's number."),
    )
    tags = TagField()
    attachment = UploadField()
    field_order = ["customer_id", "ticket_type", "channel", "subject", "description"]

    class Meta:
        model = Ticket
        fields = [
            "ticket_type",
            "channel",
            "subject",
            "description",
            "category",
            "priority",
            "queue",
            "owner",
            "tags",
        ]
        labels = {"owner": _("Assignee")}
        help_texts = {
            "queue": _("Leave empty to route by the routing rules."),
            "owner": _("Leave empty to assign by the queue's rule."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: Any = None
        self.fields["ticket_type"].queryset = TicketType.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["queue"].queryset = Queue.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = _agents()  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["customer_id"]
            del self.fields["attachment"]

    def limit_to_user(self, user: Any) -> None:
        self.user = user

    def clean_customer_id(self) -> Customer:
        pk = self.cleaned_data["customer_id"]
        try:
            return get_for_user(self.user, Customer.objects.all(), pk=pk)
        except Http404 as exc:
            raise ValidationError(
                _("No customer with this number (or you may not see it).")
            ) from exc


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("reply", _("Reply to the customer")), ("note", _("Internal note"))],
        initial="reply",
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    send_email = forms.BooleanField(
        label=_("Also e-mail it to the customer"), required=False, initial=True
    )
    attachment = UploadField()


class CustomerMessageForm(forms.Form):
    body = forms.CharField(
        label=_("What the customer said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, ticket: Ticket | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ticket is not None:
            allowed = TRANSITIONS.get(ticket.status, [])
            self.fields["status"].choices = [(s, Status(s).label) for s in allowed]  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _agents()  # type: ignore[attr-defined]
        self.fields["queue"].queryset = Queue.objects.filter(active=True)  # type: ignore[attr-defined]


class NumbersForm(forms.Form):
    numbers = forms.CharField(
        label=_("Ticket numbers"),
        max_length=500,
        help_text=_("Separate several numbers with commas, e.g. TKT-2026-000123."),
    )

    def tickets(self, user: Any) -> list[Ticket]:
        raw = [n.strip().upper() for n in self.cleaned_data["numbers"].replace(";", ",").split(",")]
        found = []
        for number in filter(None, raw):
            ticket = visible_to(user, Ticket.objects.filter(number=number)).first()
            if ticket is None:
                raise ValidationError(_("No ticket %(n)s (or you may not see it).") % {"n": number})
            found.append(ticket)
        return found


class SplitForm(forms.Form):
    subject = forms.CharField(label=_("Subject of the new ticket"), max_length=200, required=False)


class LinkForm(forms.Form):
    content_type = forms.ChoiceField(label=_("Record type"))
    object_id = forms.IntegerField(label=_("Record number"), min_value=1)

    def __init__(self, *args: Any, types: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content_type"].choices = [  # type: ignore[attr-defined]
            (str(ct.pk), str(ct.model_class()._meta.verbose_name).capitalize())  # type: ignore[union-attr]
            for ct in types or []
        ]


class ComplaintForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ["root_cause", "root_cause_detail", "resolution"]
        widgets = {
            "root_cause_detail": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
        }


class FcrForm(forms.Form):
    value = forms.ChoiceField(
        label=_("First-contact resolution"),
        choices=[("auto", _("Computed")), ("yes", _("Yes")), ("no", _("No"))],
    )


class ScriptStartForm(forms.Form):
    script = forms.ModelChoiceField(
        label=_("Dialogue script"), queryset=DialogueScript.objects.filter(active=True)
    )


class ScriptAnswerForm(forms.Form):
    option = forms.IntegerField(min_value=0)
    note = forms.CharField(required=False, max_length=500)


# --- configuration --------------------------------------------------------------------------


class TicketTypeForm(forms.ModelForm):
    class Meta:
        model = TicketType
        fields = ["key", "name", "name_id", "is_complaint", "active", "order"]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "name_id", "active", "order"]


class QueueForm(forms.ModelForm):
    class Meta:
        model = Queue
        fields = ["name", "description", "team", "agents", "strategy", "is_default", "active"]
        widgets = {"agents": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agents"].queryset = _agents()  # type: ignore[attr-defined]


class RoutingRuleForm(forms.ModelForm):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "order",
            "active",
            "ticket_type",
            "category",
            "channel",
            "customer_tag",
            "customer_type",
            "keywords",
            "queue",
            "set_priority",
            "assign",
        ]


class SLAPolicyForm(forms.ModelForm):
    class Meta:
        model = SLAPolicy
        fields = [
            "name",
            "order",
            "active",
            "priority",
            "ticket_type",
            "customer_tag",
            "customer_type",
            "calendar",
            "first_response_minutes",
            "resolution_minutes",
            "warn_percent",
        ]


def format_day(spans: list[list[int]]) -> str:
    return ", ".join(f"{bt.format_hhmm(a)}-{bt.format_hhmm(b)}" for a, b in spans)


class BusinessHoursForm(forms.ModelForm):
    """Opening hours as text per weekday: "08:00-12:00, 13:00-17:00"; empty means closed."""

    class Meta:
        model = BusinessHours
        fields = ["name", "timezone", "is_default"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.hours or {}
        for day, label in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                initial=format_day(hours.get(str(day), [])),
                help_text=_("e.g. 08:00-12:00, 13:00-17:00; empty = closed") if day == 0 else "",
            )

    def clean_timezone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(_("Unknown time zone (use e.g. Asia/Jakarta).")) from exc
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: dict[str, list[list[int]]] = {}
        for day in range(7):
            text = (data.get(f"day_{day}") or "").strip()
            if not text:
                continue
            try:
                spans = [
                    tuple(bt.parse_hhmm(t) for t in part.split("-")) for part in text.split(",")
                ]
                if any(len(s) != 2 for s in spans):
                    raise ValueError
                hours[str(day)] = [list(s) for s in bt.normalise_intervals(spans)]
            except ValueError:
                self.add_error(f"day_{day}", _("Write opening hours like 08:00-17:00."))
        if not hours and not self.errors:
            raise ValidationError(_("Open on at least one day."))
        self.instance.hours = hours
        return data


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "kind", "confirmed", "calendar"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = [
            "name",
            "order",
            "active",
            "trigger",
            "delay_minutes",
            "queue",
            "priority",
            "reassign_queue",
            "reassign_user",
            "notify_manager",
            "notify_assignee",
            "raise_priority",
        ]


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "language", "category", "body", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _(
                "Placeholders: {customer_name}, {customer_first_name}, {ticket_number}, "
                "{ticket_subject}, {agent_name}, {company_name}, {portal_url}"
            )
        }


class DialogueScriptForm(forms.ModelForm):
    class Meta:
        model = DialogueScript
        fields = ["name", "description", "ticket_type", "category", "active", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 14, "class": "font-monospace"})}
        help_texts = {
            "source": _(
                "One step per line: “key: question”; answers below it: “- answer -> "
                "next_key” or “- answer -> END: advice”; hints: “> text”."
            )
        }

    def clean_source(self) -> str:
        source = self.cleaned_data["source"]
        start, steps = scripts.parse(source)
        self.instance.start_step, self.instance.steps = start, steps
        return source


class ArticleCategoryForm(forms.ModelForm):
    class Meta:
        model = ArticleCategory
        fields = ["name", "name_id", "slug", "order"]


class ArticleForm(forms.ModelForm):
    """The article and both translations on one page."""

    class Meta:
        model = Article
        fields = ["category", "visibility", "status", "slug"]
        help_texts = {"slug": _("Leave empty to make one from the title.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        existing = {}
        if self.instance.pk:
            existing = {tr.language: tr for tr in self.instance.translations.all()}
        for lang, label in Language.choices:
            tr = existing.get(lang)
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Title (%(lang)s)") % {"lang": label},
                max_length=200,
                required=False,
                initial=tr.title if tr else "",
            )
            self.fields[f"summary_{lang}"] = forms.CharField(
                label=_("Summary (%(lang)s)") % {"lang": label},
                max_length=300,
                required=False,
                initial=tr.summary if tr else "",
            )
            self.fields[f"body_{lang}"] = forms.CharField(
                label=_("Text (%(lang)s)") % {"lang": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 10}),
                initial=tr.body if tr else "",
                help_text=_(
                    "Blank lines separate paragraphs; “## ” starts a heading, “- ” a list item."
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = 0
        for lang, _label in Language.choices:
            title, body = data.get(f"title_{lang}"), data.get(f"body_{lang}")
            if title and body:
                filled += 1
            elif title or body:
                self.add_error(
                    f"title_{lang}" if not title else f"body_{lang}",
                    _("Give both a title and a text."),
                )
        if not filled and not self.errors:
            raise ValidationError(_("Write the article in at least one language."))
        return data

    def meta_fields(self) -> list[Any]:
        return [self[name] for name in ("category", "visibility", "status", "slug")]

    def language_groups(self) -> list[tuple[Any, list[Any]]]:
        return [
            (label, [self[f"{part}_{lang}"] for part in ("title", "summary", "body")])
            for lang, label in Language.choices
        ]

    def translations(self) -> dict[str, dict[str, str]]:
        return {
            lang: {
                "title": self.cleaned_data.get(f"title_{lang}", ""),
                "summary": self.cleaned_data.get(f"summary_{lang}", ""),
                "body": self.cleaned_data.get(f"body_{lang}", ""),
            }
            for lang, _label in Language.choices
        }


class NpsCampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    group = forms.ModelChoiceField(label=_("Customer group"), queryset=Group.objects.none())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = visible_to(user, Group.objects.all())  # type: ignore[attr-defined]
