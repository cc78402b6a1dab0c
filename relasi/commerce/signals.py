"""Signals for the apps above commerce (loyalty): sent inside the transaction of the change,
so a receiver's writes commit or roll back with it. `reason` is "created", "updated",
"status", "payment", "return" or "deleted"; receivers recompute from the order as it is now."""

from django.dispatch import Signal

order_changed = Signal()  # kwargs: order, reason, actor


def changed(actor: object, order: object, reason: str) -> None:
    order_changed.send(sender=type(order), order=order, reason=reason, actor=actor)
