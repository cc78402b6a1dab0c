"""Forms of the sales app (thin: validation that actions repeat anyway lives in actions)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.accounts.models import Team, User
from relasi.core.access import visible_to
from relasi.core.customfields import CustomFieldFormMixin
from relasi.core.forms import TagField
from relasi.core.numbers import LimitedDecimalsMixin, limit_of
from relasi.customers.choices import Kind
from relasi.customers.models import Customer
from relasi.sales import webforms
from relasi.sales.choices import (
    DealValueSource,
    DisqualifyReason,
    ForecastCategory,
    LeadStatus,
    RuleMatch,
)
from relasi.sales.models import (
    AssignmentRule,
    Deal,
    DealLine,
    Lead,
    LostReason,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    Quote,
    QuoteTemplate,
    SalesRepSettings,
    ScoringRule,
    Stage,
    WebForm,
)


class ListField(forms.CharField):
    """Comma- or line-separated values <-> list of strings."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value or ""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [v.strip() for v in text.replace("\n", ",").split(",") if v.strip()][:100]


class OwnedFormMixin:
    def limit_to_user(self, user: Any) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        if "owner" in fields:
            fields["owner"].queryset = User.objects.filter(is_active=True)
        if "team" in fields:
            fields["team"].queryset = Team.objects.all()
        for name, kind in (("customer", None), ("organization", Kind.ORGANIZATION)):
            if name in fields:
                qs = Customer.objects.all() if kind is None else Customer.objects.filter(kind=kind)
                fields[name].queryset = visible_to(user, qs)
                fields[name].widget = forms.NumberInput()
                fields[name].help_text = _("Customer number (shown on the customer's page).")


class LeadForm(LimitedDecimalsMixin, OwnedFormMixin, CustomFieldFormMixin, forms.ModelForm):
    tags = TagField()

    class Meta:
        model = Lead
        fields = [
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "phone",
            "city",
            "province",
            "source",
            "product_interest",
            "interest",
            "expected_value",
            "currency",
            "owner",
            "team",
            "notes",
            "tags",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_interest"].queryset = Product.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["owner"].help_text = _("Leave empty to let the assignment rules choose.")


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED]
    )
    reason = forms.ChoiceField(
        label=_("Reason (when disqualifying)"),
        choices=[("", "—"), *DisqualifyReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("New owner"), queryset=User.objects.filter(is_active=True)
    )


class ConvertForm(forms.Form):
    person = forms.CharField(required=False)
    organization = forms.CharField(required=False)
    create_deal = forms.BooleanField(label=_("Create a deal"), required=False, initial=True)
    deal_name = forms.CharField(label=_("Deal title"), required=False, max_length=200)
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.filter(active=True), required=False
    )
    value = forms.DecimalField(
        label=_("Value"),
        required=False,
        min_value=0,
        max_value=limit_of(Deal, "value").largest,
        decimal_places=2,
    )
    value_source = forms.ChoiceField(
        label=_("Which value does the deal keep?"),
        choices=DealValueSource.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    force = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A value typed on this page and "use the line total" contradict each other: ask.
        if (
            data.get("create_deal")
            and data.get("value_source") == DealValueSource.LINES
            and "value" in self.changed_data
            and data.get("value")
        ):
            self.add_error(
                "value_source",
                _(
                    "You typed a value but chose the product line total: choose which one "
                    "the deal keeps."
                ),
            )
        return data


class DealForm(LimitedDecimalsMixin, OwnedFormMixin, CustomFieldFormMixin, forms.ModelForm):
    tags = TagField()

    class Meta:
        model = Deal
        fields = [
            "name",
            "pipeline",
            "stage",
            "customer",
            "organization",
            "value",
            "value_source",
            "currency",
            "price_list",
            "expected_close_date",
            "forecast_category",
            "lost_reason",
            "lost_note",
            "owner",
            "team",
            "description",
            "tags",
        ]
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")  # type: ignore[attr-defined]
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} › {s.name}"  # type: ignore[attr-defined]
        self.fields["stage"].required = False
        self.fields["pipeline"].queryset = Pipeline.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["lost_reason"].queryset = LostReason.objects.filter(active=True)  # type: ignore[attr-defined]


class DealLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True), required=False
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        min_value=0,
        max_value=limit_of(DealLine, "quantity").largest,
        decimal_places=2,
        initial=1,
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        max_value=limit_of(DealLine, "unit_price").largest,
        decimal_places=2,
    )
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        max_digits=5,
        decimal_places=2,
        required=False,
    )


class QuoteLineForm(DealLineForm):
    tax_rate = forms.DecimalField(
        label=_("Tax (%)"),
        min_value=0,
        max_value=100,
        required=False,
        max_digits=5,
        decimal_places=2,
    )


DealLineFormSet = forms.formset_factory(DealLineForm, extra=2, can_delete=True)
QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=2, can_delete=True)


def formset_lines(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for f in formset.forms:
        data = getattr(f, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        if not data.get("product") and not data.get("description"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
    return rows


class ForecastCategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Forecast category"), choices=ForecastCategory.choices, required=False
    )
    override = forms.BooleanField(required=False)


class QuoteForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = ["title", "issue_date", "valid_until", "template", "notes", "terms"]
        widgets = {
            "issue_date": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }


class SendQuoteForm(forms.Form):
    to = forms.EmailField(label=_("To"))
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class DecisionForm(forms.Form):
    approve = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ProductForm(LimitedDecimalsMixin, CustomFieldFormMixin, forms.ModelForm):
    tags = TagField()

    class Meta:
        model = Product
        fields = [
            "sku", "name", "category", "description", "unit", "unit_price", "currency",
            "tax_rate", "barcode", "active", "stock_level", "tags",
        ]  # fmt: skip


class ProductCategoryForm(forms.ModelForm):
    class Meta:
        model = ProductCategory
        fields = ["name", "parent", "order"]


class PriceListForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = [
            "name",
            "kind",
            "currency",
            "valid_from",
            "valid_until",
            "active",
            "is_default",
            "description",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }


class PriceListItemForm(LimitedDecimalsMixin, forms.ModelForm):
    class Meta:
        model = PriceListItem
        fields = [
            "price_list",
            "product",
            "unit_price",
            "min_quantity",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "description", "order", "active", "is_default"]


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["pipeline", "name", "order", "probability", "kind", "rotting_days"]


class LostReasonForm(forms.ModelForm):
    class Meta:
        model = LostReason
        fields = ["name", "order", "active"]


class QuoteTemplateForm(forms.ModelForm):
    class Meta:
        model = QuoteTemplate
        fields = ["name", "body", "css", "is_default", "active"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 20, "class": "font-monospace"}),
            "css": forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        }

    def clean_body(self) -> str:
        from relasi.sales.quoting import validate_template

        body = self.cleaned_data["body"]
        validate_template(body)
        return body


class ScoringRuleForm(forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = [
            "name",
            "name_id",
            "kind",
            "field",
            "operator",
            "value",
            "event",
            "points",
            "max_points",
            "order",
            "active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "demographic" and not data.get("field"):
            self.add_error("field", _("A demographic rule needs a field."))
        if data.get("kind") == "behavioural" and not data.get("event"):
            self.add_error("event", _("A behavioural rule needs an event."))
        return data


class AssignmentRuleForm(forms.ModelForm):
    provinces = ListField(label=_("Provinces"), required=False)
    cities = ListField(label=_("Cities"), required=False)
    sources = ListField(label=_("Sources (codes, e.g. web_form, referral)"), required=False)
    interest_keywords = ListField(label=_("Interest keywords"), required=False)

    class Meta:
        model = AssignmentRule
        fields = [
            "name", "order", "active", "match", "provinces", "cities", "sources", "products",
            "interest_keywords", "team", "user", "respect_capacity",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("team") and not data.get("user"):
            self.add_error("team", _("Choose a team (round-robin) or a user."))
        if data.get("match") == RuleMatch.TERRITORY and not (
            data.get("provinces") or data.get("cities")
        ):
            self.add_error("provinces", _("Name at least one province or city."))
        return data


class RepSettingsForm(forms.ModelForm):
    class Meta:
        model = SalesRepSettings
        fields = ["user", "accepts_leads", "max_open_leads"]


class WebFormForm(forms.ModelForm):
    field_names = forms.MultipleChoiceField(
        label=_("Fields"), choices=webforms.field_choices, widget=forms.CheckboxSelectMultiple
    )
    required_names = forms.MultipleChoiceField(
        label=_("Required fields"),
        choices=webforms.field_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebForm
        fields = [
            "name", "title", "active", "consent_text", "consent_required", "submit_label",
            "thank_you_text", "redirect_url", "source", "product_interest", "target_owner",
            "target_team", "send_welcome", "welcome_subject", "welcome_body",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specs = self.instance.fields or [] if self.instance.pk else [
            {"name": "name", "required": True}, {"name": "email", "required": True},
            {"name": "phone", "required": False}, {"name": "interest", "required": False},
        ]  # fmt: skip
        self.fields["field_names"].initial = [s["name"] for s in specs]
        self.fields["required_names"].initial = [s["name"] for s in specs if s.get("required")]
        order = [n for n, _l in webforms.field_choices()]
        self._order = order

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("field_names") or []
        required = set(data.get("required_names") or [])
        if not {"name", "first_name", "last_name", "email", "company"} & set(chosen):
            self.add_error("field_names", _("Include a name, company or e-mail field."))
        self.instance.fields = [
            {"name": n, "required": n in required} for n in self._order if n in chosen
        ]
        return data
