from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relasi.core.choices import CustomFieldType
from relasi.core.models import CustomField, Tag


class TagField(forms.CharField):
    """Comma-separated tag names <-> Tag objects (created on demand)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Separate tags with commas."))
        kwargs.setdefault("label", _("Tags"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if value is None:
            return ""
        items = value.all() if hasattr(value, "all") else value
        names = []
        for item in items:
            if isinstance(item, Tag):
                names.append(item.name)
            elif isinstance(item, int):
                tag = Tag.objects.filter(pk=item).first()
                if tag:
                    names.append(tag.name)
            else:
                names.append(str(item))
        return ", ".join(names)

    def clean(self, value: Any) -> list[Tag]:
        text = super().clean(value) or ""
        names = sorted({n.strip()[:60] for n in text.split(",") if n.strip()})
        return [Tag.objects.get_or_create(name=name)[0] for name in names]


class CustomFieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, for choice fields."),
    )

    class Meta:
        model = CustomField
        fields = [
            "model_label",
            "key",
            "label",
            "label_id",
            "field_type",
            "required",
            "help_text",
            "order",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from relasi.core.registry import custom_field_models

        self.fields["model_label"] = forms.ChoiceField(
            label=_("Record type"), choices=custom_field_models()
        )
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(str(c) for c in self.instance.choices)
            self.fields["key"].disabled = True
            self.fields["model_label"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choices = [c.strip() for c in data.get("choices_text", "").splitlines() if c.strip()]
        if (
            data.get("field_type") in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)
            and not choices
        ):
            self.add_error("choices_text", _("A choice field needs at least one choice."))
        self.instance.choices = choices
        return data
