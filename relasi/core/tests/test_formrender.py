"""The Python widget renderer writes the same bytes as Django's widget templates (issue 19:
the people list's filter form through the templates was a third of the page's CPU)."""

import datetime as dt
import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.http import QueryDict
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

import relasi
from relasi.core.formrender import WIDGETS, FastWidgetRenderer

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()

CHOICES = [
    ("", "---------"),
    ("a", "Alpha & <b>"),
    (2, gettext_lazy("Name")),
    ("safe", mark_safe("<i>safe</i>")),
    ("Group", [("g1", "One"), ("g2", 'Two "quoted"')]),
    (None, "none"),
]
ATTRS = [
    None,
    {"id": "id_x", "class": "form-select is-invalid", "aria-invalid": "true"},
    {"id": "id_x", "required": True, "disabled": False, "data-n": 3, "data-none": None},
    {"class": "c", "placeholder": 'a "b" <c>', "data-safe": mark_safe("<ok>")},
]


def _widgets():
    yield forms.TextInput(), ["", None, "x <y> & 'z'", 12, mark_safe("<s>")]
    yield forms.EmailInput(attrs={"autocomplete": "email"}), ["a@example.test"]
    yield forms.NumberInput(attrs={"step": "any"}), [None, 1.5, 1000000]
    yield forms.DateInput(attrs={"type": "date"}), [None, dt.date(2026, 12, 3), "2026-12-03"]
    yield forms.DateTimeInput(), [dt.datetime(2026, 12, 3, 9, 30)]
    yield forms.TimeInput(), [dt.time(9, 30)]
    yield forms.URLInput(), ["https://example.test/?a=1&b=2"]
    yield forms.PasswordInput(render_value=True), ["secret"]
    yield forms.HiddenInput(), ["1", None]
    yield forms.CheckboxInput(), [True, False, None, "on"]
    yield forms.Textarea(), ["", None, "line\n<two>"]
    yield forms.Select(choices=CHOICES), ["", "a", "2", 2, "g2", None, "missing"]
    yield forms.SelectMultiple(choices=CHOICES), [[], ["a", "g1"], None]
    yield forms.NullBooleanSelect(), [None, True, False, "unknown"]
    yield forms.CheckboxSelectMultiple(choices=CHOICES), [[], ["a", "g2"], None]
    yield forms.RadioSelect(choices=CHOICES), ["a", None]
    yield forms.SelectDateWidget(years=[2025, 2026]), [dt.date(2026, 1, 2), None]  # fallback


@pytest.mark.parametrize("language", ["en", "id"])
def test_every_standard_widget_renders_as_the_templates_do(language):
    with translation.override(language):
        for widget, values in _widgets():
            for value in values:
                for attrs in ATTRS:
                    expected = widget.render("f", value, attrs, renderer=TEMPLATES)
                    got = widget.render("f", value, attrs, renderer=FAST)
                    assert got == expected, (type(widget).__name__, value, attrs)


def test_the_fast_path_is_taken_and_unknown_templates_fall_back(monkeypatch):
    """Without the fast path the test above would compare the templates with themselves."""
    calls = []
    monkeypatch.setattr(DjangoTemplates, "render", lambda *a, **k: calls.append(a[1]) or "T")
    assert FAST.render("django/forms/widgets/select.html", _context()) != "T"
    assert calls == []
    assert FAST.render("app/widgets/custom.html", _context()) == "T"
    custom_option = _context(option_template="app/widgets/option.html")
    assert FAST.render("django/forms/widgets/select.html", custom_option) == "T"
    assert "django/forms/widgets/select_date.html" not in WIDGETS


def _context(option_template: str = "django/forms/widgets/select_option.html") -> dict:
    widget = forms.Select(choices=[("a", "A")])
    widget.option_template_name = option_template
    return widget.get_context("f", "a", None)


def test_settings_use_it():
    assert settings.FORM_RENDERER == "relasi.core.formrender.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)


def _project_forms():
    """Every form class of Relasi's forms modules, and every filterset's form."""
    for info in pkgutil.walk_packages(relasi.__path__, "relasi."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        if not info.name.endswith(("forms", "filtersets")):
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            if issubclass(cls, forms.BaseForm):
                yield cls
            elif issubclass(cls, django_filters.FilterSet) and cls._meta.model is not None:
                model = cls._meta.model
                yield (
                    lambda data=None, cls=cls, model=model: (
                        cls(data, queryset=model._default_manager.none()).form
                    )
                )


@pytest.mark.django_db
def test_every_field_of_the_project_forms_renders_as_the_templates_do(personas):
    """Relasi's own forms, unbound and bound to junk, whichever widgets they use."""
    checked = 0
    for form_class in _project_forms():
        try:
            unbound = form_class()
            bound = form_class(data=QueryDict("name=%3Cx%3E&email=a%26b&owner=x&date=2026-13-01"))
        except (TypeError, ValueError):  # abstract, or needs arguments (an instance, a user…)
            continue
        for form in (unbound, bound):
            for bound_field in form:
                widget = bound_field.field.widget
                name, value = bound_field.html_name, bound_field.value()
                attrs = bound_field.build_widget_attrs({"id": bound_field.auto_id})
                expected = widget.render(name, value, attrs, renderer=TEMPLATES)
                assert widget.render(name, value, attrs, renderer=FAST) == expected, (
                    form_class,
                    name,
                )
                checked += 1
    assert checked > 300, checked
