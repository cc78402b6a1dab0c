"""Which models accept custom fields (each app registers its own)."""

from django.db import models

_custom_field_models: list[type[models.Model]] = []


def register_custom_fields(model: type[models.Model]) -> type[models.Model]:
    if model not in _custom_field_models:
        _custom_field_models.append(model)
    return model


def custom_field_models() -> list[tuple[str, str]]:
    return [
        (m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in _custom_field_models
    ]
