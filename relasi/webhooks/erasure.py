"""Erasing a person (privacy.erasure) empties the events kept for the feed and for redelivery
that describe them: the person's own record (its payload holds the name fields one by one,
which the generic sweep, matching full names and addresses, does not see) and the records the
other steps erased (their conversations, messages, tickets...). The events stay, with their
type and time, so the feed's cursor and the delivery log keep their shape."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from relasi.privacy import erasure
from relasi.privacy.erasure import Context

ERASED = {"erased": True}


@erasure.register("webhooks")
def _events(ctx: Context) -> None:
    from relasi.customers.models import Customer
    from relasi.webhooks.models import Event

    pk = ctx.customer.pk
    by_type: dict[int, set[str]] = defaultdict(set)
    by_type[ContentType.objects.get_for_model(Customer).pk].add(str(pk))
    for ct, object_id in ctx.targets:
        by_type[ct].add(object_id)
    q = Q(data__customer=pk) | Q(data__customer_id=pk) | Q(data__customer__id=pk)
    for ct, ids in by_type.items():
        q |= Q(content_type_id=ct, object_id__in=sorted(ids))
    ctx.count("webhooks.event", erasure._update(Event.objects.filter(q), data=ERASED))
