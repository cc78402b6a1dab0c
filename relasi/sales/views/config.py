"""Catalogue and configuration screens: products, price lists, pipelines and stages, lost
reasons, quote templates, scoring and assignment rules, rep capacity, web forms.

Products and price lists belong to the commerce module's permission (the product database
the commerce app shares); the rest is administration."""

from typing import Any

from django.utils.translation import gettext_lazy as gl

from relasi.core import links, records
from relasi.core.viewsets import Column, RecordViewSet
from relasi.sales import webforms
from relasi.sales.filtersets import PriceListFilterSet, ProductFilterSet
from relasi.sales.forms import (
    AssignmentRuleForm,
    LostReasonForm,
    PipelineForm,
    PriceListForm,
    PriceListItemForm,
    ProductCategoryForm,
    ProductForm,
    QuoteTemplateForm,
    RepSettingsForm,
    ScoringRuleForm,
    StageForm,
    WebFormForm,
)
from relasi.sales.models import (
    AssignmentRule,
    LostReason,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    QuoteTemplate,
    SalesRepSettings,
    ScoringRule,
    Stage,
    WebForm,
)


class ConfigViewSet(RecordViewSet):
    scoped = False
    module = "admin"
    bulk_actions: list = []
    default_order = "pk"


class ProductViewSet(ConfigViewSet):
    model = Product
    module = "commerce"
    url_name = "product"
    form_class = ProductForm
    filterset_class = ProductFilterSet
    select_related = ("category",)
    default_order = "name"
    detail_fields = [
        "sku",
        "name",
        "category",
        "description",
        "unit",
        "unit_price",
        "currency",
        "tax_rate",
        "barcode",
        "active",
        "stock_level",
        "stock_updated_at",
    ]
    columns = [
        Column("sku", gl("SKU"), order="sku"),
        Column("name", gl("Name"), link=True, order="name"),
        Column("category", gl("Category")),
        Column("unit_price", gl("Unit price"), order="unit_price"),
        Column("tax_rate", gl("Tax (%)")),
        Column("stock_level", gl("Stock")),
        Column("active", gl("Active")),
    ]


class ProductCategoryViewSet(ConfigViewSet):
    model = ProductCategory
    module = "commerce"
    url_name = "category"
    form_class = ProductCategoryForm
    detail_fields = ["name", "parent", "order"]
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("parent", gl("Parent category")),
        Column("order", gl("Order")),
    ]


class PriceListViewSet(ConfigViewSet):
    model = PriceList
    module = "commerce"
    url_name = "pricelist"
    form_class = PriceListForm
    filterset_class = PriceListFilterSet
    detail_template = "sales/pricelist_detail.html"
    detail_fields = [
        "name",
        "kind",
        "currency",
        "valid_from",
        "valid_until",
        "active",
        "is_default",
        "description",
    ]
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("kind", gl("Kind"), accessor="get_kind_display"),
        Column("valid_from", gl("Valid from")),
        Column("valid_until", gl("Valid until")),
        Column("active", gl("Active")),
    ]

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {
            "items": obj.items.select_related("product").order_by("product__name", "min_quantity")
        }


class PriceListItemViewSet(ConfigViewSet):
    model = PriceListItem
    module = "commerce"
    url_name = "pricelistitem"
    form_class = PriceListItemForm
    select_related = ("price_list", "product")
    detail_fields = [
        "price_list",
        "product",
        "unit_price",
        "min_quantity",
        "valid_from",
        "valid_until",
    ]
    columns = [
        Column("price_list", gl("Price list"), link=True),
        Column("product", gl("Product")),
        Column("unit_price", gl("Unit price")),
        Column("min_quantity", gl("From quantity")),
    ]


class PipelineViewSet(ConfigViewSet):
    model = Pipeline
    url_name = "pipeline"
    form_class = PipelineForm
    detail_template = "sales/pipeline_detail.html"
    detail_fields = ["name", "description", "order", "active", "is_default"]
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("order", gl("Order")),
        Column("active", gl("Active")),
        Column("is_default", gl("Default")),
    ]

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        return {"stages": obj.stages.all()}


class StageViewSet(ConfigViewSet):
    model = Stage
    url_name = "stage"
    form_class = StageForm
    select_related = ("pipeline",)
    default_order = "pipeline__order"
    detail_fields = ["pipeline", "name", "order", "probability", "kind", "rotting_days"]
    columns = [
        Column("pipeline", gl("Pipeline")),
        Column("name", gl("Name"), link=True),
        Column("order", gl("Order")),
        Column("probability", gl("Win probability (%)")),
        Column("kind", gl("Kind"), accessor="get_kind_display"),
        Column("rotting_days", gl("Rotting after (days)")),
    ]


class LostReasonViewSet(ConfigViewSet):
    model = LostReason
    url_name = "lostreason"
    form_class = LostReasonForm
    detail_fields = ["name", "order", "active"]
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("order", gl("Order")),
        Column("active", gl("Active")),
    ]


class QuoteTemplateViewSet(ConfigViewSet):
    model = QuoteTemplate
    url_name = "quotetemplate"
    form_class = QuoteTemplateForm
    detail_fields = ["name", "is_default", "active", "body"]
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("is_default", gl("Default")),
        Column("active", gl("Active")),
    ]


class ScoringRuleViewSet(ConfigViewSet):
    model = ScoringRule
    url_name = "scoringrule"
    form_class = ScoringRuleForm
    detail_fields = [
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
    columns = [
        Column("name", gl("Name"), link=True, order="name", accessor="display_name"),
        Column("kind", gl("Kind"), accessor="get_kind_display"),
        Column(
            "rule",
            gl("Rule"),
            accessor=lambda r: (
                f"{r.get_field_display()} {r.get_operator_display()} {r.value}".strip()
                if r.kind == "demographic"
                else r.get_event_display()
            ),
        ),
        Column("points", gl("Points")),
        Column("active", gl("Active")),
    ]


class AssignmentRuleViewSet(ConfigViewSet):
    model = AssignmentRule
    url_name = "assignmentrule"
    form_class = AssignmentRuleForm
    select_related = ("team", "user")
    default_order = "order"
    detail_fields = [
        "name",
        "order",
        "active",
        "match",
        "provinces",
        "cities",
        "sources",
        "interest_keywords",
        "team",
        "user",
        "respect_capacity",
        "last_assigned",
    ]
    columns = [
        Column("order", gl("Order"), order="order"),
        Column("name", gl("Name"), link=True),
        Column("match", gl("Matches"), accessor="get_match_display"),
        Column("team", gl("Team (round-robin)")),
        Column("user", gl("User")),
        Column("active", gl("Active")),
    ]

    def create(self, actor: Any, form: Any) -> Any:
        obj: Any = super().create(actor, form)
        obj.products.set(form.cleaned_data.get("products") or [])
        return obj

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Any:
        obj = super().update(actor, obj, form, version)
        obj.products.set(form.cleaned_data.get("products") or [])
        return obj


class RepSettingsViewSet(ConfigViewSet):
    model = SalesRepSettings
    url_name = "repsettings"
    form_class = RepSettingsForm
    select_related = ("user",)
    detail_fields = ["user", "accepts_leads", "max_open_leads"]
    columns = [
        Column("user", gl("User"), link=True),
        Column("accepts_leads", gl("Receives new leads")),
        Column("max_open_leads", gl("Maximum open leads")),
    ]


class WebFormViewSet(ConfigViewSet):
    model = WebForm
    url_name = "webform"
    form_class = WebFormForm
    detail_template = "sales/webform_detail.html"
    detail_fields = [
        "name",
        "title",
        "active",
        "consent_text",
        "thank_you_text",
        "redirect_url",
        "source",
        "target_owner",
        "target_team",
        "send_welcome",
    ]
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("active", gl("Active")),
        Column("source", gl("Lead source"), accessor="get_source_display"),
        Column("target_owner", gl("Assign to user")),
    ]

    def create(self, actor: Any, form: Any) -> Any:
        data, _tags = self.form_data(form)
        data["fields"] = form.instance.fields
        data["created_by"] = actor
        return records.create_record(actor, WebForm, data)

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Any:
        data, _tags = self.form_data(form)
        data["fields"] = form.instance.fields
        return records.update_record(actor, obj, data, expected_version=version)

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        base = links.site_url() + "/"
        return {
            "snippets": webforms.embed_snippets(obj, base),
            "submissions": obj.submissions.select_related("lead")[:20],
            "field_labels": {k: f.label for k, f in webforms.FIELDS.items()},
        }
