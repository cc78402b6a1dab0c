"""Reading segments: members visible to a user, counts, and the people-list filter hook."""

from typing import Any

from django.db.models import QuerySet

from relasi.core.access import visible_to
from relasi.customers.models import Person
from relasi.marketing import rules
from relasi.marketing.models import Segment


def members(user: Any, rule: dict[str, Any]) -> QuerySet:
    """The people matching `rule` that `user` may see (a rep sees their own part of it)."""
    return rules.members(rule, visible_to(user, Person.objects.all()))


def count(user: Any, rule: dict[str, Any]) -> int:
    return members(user, rule).count()


def visible_segments(user: Any) -> QuerySet[Segment]:
    return visible_to(user, Segment.objects.all())


def filter_people(user: Any, queryset: QuerySet, segment_id: Any) -> QuerySet:
    """`?segment=<id>` on the people list (and its export and API): a segment the user cannot
    see narrows to nobody, as an unknown one does."""
    if user is None or not user.has_module_perm("marketing", "view"):
        return queryset.none()
    try:
        segment = visible_segments(user).get(pk=int(segment_id))
    except (Segment.DoesNotExist, ValueError, TypeError):
        return queryset.none()
    return queryset.filter(rules.compile_rule(segment.rule))


def choices_for(user: Any) -> list[tuple[str, str]]:
    if user is None or not user.has_module_perm("marketing", "view"):
        return []
    return [(str(pk), name) for pk, name in visible_segments(user).values_list("pk", "name")]
