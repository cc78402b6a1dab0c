from typing import Any

from relasi.customers import actions
from relasi.customers.models import Customer


def person(owner: Any, first: str = "Siti", last: str = "Rahayu", **kw: Any) -> Customer:
    emails = kw.pop("emails", [f"{first}.{last}@example.test".lower()])
    phones = kw.pop("phones", [])
    return actions.create_customer(
        owner,
        "person",
        {"first_name": first, "last_name": last, **kw},
        emails=emails,
        phones_=phones,
    )


def organization(owner: Any, name: str = "PT Maju Jaya", **kw: Any) -> Customer:
    return actions.create_customer(owner, "organization", {"name": name, **kw})
