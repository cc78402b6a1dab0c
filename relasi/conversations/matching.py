"""Who wrote? An inbound message is matched to a person by its normalised address: an e-mail
address (lower-cased) or a phone number (E.164), through the customers' e-mail and phone tables
(every address a person has, not only the primary one). An unknown sender becomes a contact, a
lead or nobody, by the inbox's setting; never a second copy of a person Relasi already has."""

from dataclasses import dataclass
from typing import Any

from relasi.conversations.choices import ChannelKind, UnknownSender
from relasi.customers import phones


@dataclass
class Match:
    customer: Any = None
    lead: Any = None
    created: bool = False


def normalise(channel: str, address: str) -> str:
    """The form addresses are stored and compared in ("" when it is not an address)."""
    text = (address or "").strip()
    if channel == ChannelKind.EMAIL:
        return text.lower() if "@" in text else ""
    if channel in (ChannelKind.WHATSAPP, ChannelKind.SMS):
        found = phones.to_e164(text)
        if found is None and text.isdigit():
            found = phones.to_e164("+" + text)  # a wa_id: the number without "+" (any country)
        if found is None:
            # A number the channel delivered from but libphonenumber does not know (a new
            # range, a short code): still this sender's address, in E.164's shape, so that
            # their messages thread and match; the contact keeps it flagged as unverified.
            digits = text.removeprefix("+")
            if digits.isdigit() and 6 <= len(digits) <= 15:
                found = "+" + digits
        return found or ""
    return text[:254]  # web chat: the visitor's id


def find_customer(channel: str, address: str) -> Any:
    """The person with this address, the oldest one if two share it (a shared family phone)."""
    from relasi.customers.models import Customer, EmailAddress, PhoneNumber

    if not address:
        return None
    ids: Any
    if channel == ChannelKind.EMAIL:
        ids = EmailAddress.objects.filter(email=address).values("customer_id")
    elif channel in (ChannelKind.WHATSAPP, ChannelKind.SMS):
        # A number kept flagged as unverified is still the address this sender writes from.
        ids = PhoneNumber.objects.filter(number=address).values("customer_id")
    else:
        return None
    return Customer.objects.filter(pk__in=ids).order_by("pk").first()


def find_lead(channel: str, address: str) -> Any:
    from relasi.sales.choices import OPEN_LEAD_STATUSES
    from relasi.sales.models import Lead

    if not address or channel == ChannelKind.WEBCHAT:
        return None
    field = "email" if channel == ChannelKind.EMAIL else "phone"
    return (
        Lead.objects.filter(status__in=OPEN_LEAD_STATUSES, **{field: address})
        .order_by("pk")
        .first()
    )


def match(inbox: Any, address: str, name: str = "", *, create: bool = True) -> Match:
    """Find the sender; create a contact or a lead for an unknown one per the inbox's setting."""
    channel = inbox.kind
    customer = find_customer(channel, address)
    if customer is not None:
        return Match(customer=customer)
    lead = find_lead(channel, address)
    if lead is not None:
        return Match(lead=lead)
    if not create or not address or inbox.unknown_sender == UnknownSender.NOTHING:
        return Match()
    if channel == ChannelKind.WEBCHAT:
        return Match()  # a visitor is only a person once they leave an e-mail or a phone
    if inbox.unknown_sender == UnknownSender.LEAD:
        return Match(lead=_new_lead(inbox, channel, address, name), created=True)
    return Match(customer=_new_contact(inbox, channel, address, name), created=True)


def _display_name(channel: str, address: str, name: str) -> tuple[str, str]:
    name = " ".join((name or "").split())[:200]
    if not name:
        name = address.split("@")[0] if channel == ChannelKind.EMAIL else phones.display(address)
    first, _sep, last = name.partition(" ")
    return first[:100], last[:100]


def _new_contact(inbox: Any, channel: str, address: str, name: str) -> Any:
    from relasi.customers import actions
    from relasi.customers.choices import Kind, Source

    first, last = _display_name(channel, address, name)
    data = {"first_name": first, "last_name": last, "source": Source.MESSAGE}
    if inbox.team_id:
        data["team"] = inbox.team
    emails = [{"email": address, "is_primary": True}] if channel == ChannelKind.EMAIL else []
    numbers = [] if channel == ChannelKind.EMAIL else [{"number": address, "is_primary": True}]
    unverified = bool(numbers) and phones.to_e164(address) is None
    if unverified:
        numbers = []  # the form check would refuse it: stored below, flagged, as imports do
    customer = actions.create_customer(None, Kind.PERSON, data, emails=emails, phones_=numbers)
    if unverified:
        from relasi.customers.models import PhoneNumber

        PhoneNumber.objects.create(customer=customer, number=address, is_valid=False)
    return customer


def _new_lead(inbox: Any, channel: str, address: str, name: str) -> Any:
    from relasi.customers.choices import Source
    from relasi.sales.actions.leads import create_lead

    first, last = _display_name(channel, address, name)
    data: dict[str, Any] = {"first_name": first, "last_name": last, "source": Source.MESSAGE}
    data["email" if channel == ChannelKind.EMAIL else "phone"] = address
    return create_lead(None, data)
