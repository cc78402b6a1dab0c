"""The central customer database: people and organisations (one `Customer` table, two proxy
models), their e-mails, phones, addresses, memberships, relationships, lifecycle history,
groups, notes, attachments and contact permissions."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.core.crypto import BlindIndexField, EncryptedField, SealedFieldsMixin
from relasi.core.models import BaseRecord, TimestampedModel
from relasi.customers.choices import (
    AddressKind,
    BlacklistReason,
    Channel,
    CustomerType,
    EmailLabel,
    Gender,
    IncomeBand,
    Kind,
    Language,
    Lifecycle,
    PhoneLabel,
    RelationshipKind,
    Source,
)
from relasi.customers.validators import not_in_future


class CustomerQuerySet(models.QuerySet["Customer"]):
    def people(self) -> "CustomerQuerySet":
        return self.filter(kind=Kind.PERSON)

    def organizations(self) -> "CustomerQuerySet":
        return self.filter(kind=Kind.ORGANIZATION)


class Customer(SealedFieldsMixin, BaseRecord):
    """A person or an organisation the business has (or may have) a relationship with.

    One table for both keeps one timeline, one search index, one duplicate scan and one foreign
    key for every later app (deals, tickets, orders, loyalty)."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    customer_type = models.CharField(
        _("customer type"), max_length=10, choices=CustomerType.choices, default=CustomerType.B2C
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=Lifecycle.choices,
        default=Lifecycle.PROSPECT,
        db_index=True,
    )
    lifecycle_changed_at = models.DateTimeField(_("stage since"), default=timezone.now)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        db_index=False,  # a partial index below: most customers were referred by nobody
    )
    # Demographics (people)
    date_of_birth = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[not_in_future]
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    income_band = models.CharField(
        _("income band"), max_length=10, choices=IncomeBand.choices, blank=True
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    # Psychographics, as free tag lists
    interests = models.JSONField(_("interests"), default=list, blank=True)
    activities = models.JSONField(_("activities"), default=list, blank=True)
    opinions = models.JSONField(_("opinions"), default=list, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ID
    )
    # Organisations
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    tax_id = models.CharField(_("tax ID (NPWP)"), max_length=30, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    # Sensitive (UU PDP "specific" data): Fernet tokens, never plaintext (relasi/core/crypto.py).
    # Read only through crypto.reveal(); looked up only through their blind index.
    national_id = EncryptedField(_("NIK"), blind_index="national_id_index")
    national_id_index = BlindIndexField()
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedField(_("bank account number"), blind_index="bank_account_index")
    bank_account_index = BlindIndexField()
    # Free text about the customer that is not a dated note (an imported "Catatan" column,
    # how they were met); dated notes are `Note` rows, hence not the name "notes".
    background = models.TextField(_("background notes"), blank=True, max_length=10000)
    # Denormalised for lists, search and duplicate checks (kept by actions)
    primary_email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    primary_phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True, db_index=True)
    province = models.CharField(_("province"), max_length=100, blank=True, db_index=True)
    search_text = models.TextField(editable=False, blank=True)
    # Blacklist
    is_blacklisted = models.BooleanField(_("blacklisted"), default=False, db_index=True)
    blacklist_reason = models.CharField(
        _("blacklist reason"), max_length=20, choices=BlacklistReason.choices, blank=True
    )
    blacklist_note = models.CharField(_("blacklist note"), max_length=300, blank=True)
    blacklisted_at = models.DateTimeField(_("blacklisted on"), null=True, blank=True)
    blacklisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["kind", "name", "id"], name="customer_kind_name_idx"),
            # Own / team visibility lists: filter by owner or team, page by (name, id).
            models.Index(fields=["owner", "kind", "name", "id"], name="customer_owner_name_idx"),
            models.Index(fields=["team", "kind", "name", "id"], name="customer_team_name_idx"),
            models.Index(fields=["created_at", "id"], name="customer_created_idx"),
            # Partial: with a full index on a mostly-NULL column, SQLite's statistics say "one
            # value matches every row" and it scans the table for "referred_by = X" (measured:
            # 0.5 s at 1M customers on the 360° page).
            models.Index(
                fields=["referred_by"],
                condition=models.Q(referred_by__isnull=False),
                name="customer_referred_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_blacklisted=True, blacklist_reason=""),
                name="customer_blacklist_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        name = (
            "customers:person_detail"
            if self.kind == Kind.PERSON
            else "customers:organization_detail"
        )
        return reverse(name, args=[self.pk])

    @property
    def is_person(self) -> bool:
        return self.kind == Kind.PERSON


class PersonManager(models.Manager["Person"]):
    def get_queryset(self) -> models.QuerySet["Person"]:
        return super().get_queryset().filter(kind=Kind.PERSON)


class OrganizationManager(models.Manager["Organization"]):
    def get_queryset(self) -> models.QuerySet["Organization"]:
        return super().get_queryset().filter(kind=Kind.ORGANIZATION)


class Person(Customer):
    """A customer who is a person (B2C, or a contact at a B2B organisation)."""

    objects = PersonManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.kind = Kind.PERSON
        super().save(*args, **kwargs)


class Organization(Customer):
    """A customer that is a company or institution (B2B)."""

    objects = OrganizationManager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.kind = Kind.ORGANIZATION
        super().save(*args, **kwargs)


class CustomerChild(models.Model):
    """Rows that belong to one customer; their visibility is the customer's."""

    access_via = "customer"

    class Meta:
        abstract = True


class EmailAddress(CustomerChild):
    """One of a customer's e-mail addresses (stored trimmed and lower-cased)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("e-mail"), db_index=True)
    label = models.CharField(
        _("label"), max_length=10, choices=EmailLabel.choices, default=EmailLabel.PERSONAL
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="email_unique_per_customer")
        ]

    def __str__(self) -> str:
        return self.email


class PhoneNumber(CustomerChild):
    """One of a customer's phone numbers, stored in E.164 (+62…); or, when an import kept a
    number that is not valid, as it was written, with `is_valid` false (never dialled, never
    used to match duplicates, shown flagged until someone corrects it)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number (E.164)"), max_length=40, db_index=True)
    # db_default: raw bulk loaders (benchmarks, older import code) that name no column still work
    is_valid = models.BooleanField(_("valid number"), default=True, db_default=True)
    label = models.CharField(
        _("label"), max_length=10, choices=PhoneLabel.choices, default=PhoneLabel.MOBILE
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="phone_unique_per_customer")
        ]

    def __str__(self) -> str:
        return self.number


class Address(CustomerChild):
    """An Indonesian-structured address (RT/RW, kelurahan/desa, kecamatan, kota/kabupaten)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(
        _("type"), max_length=10, choices=AddressKind.choices, default=AddressKind.HOME
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    rt = models.CharField(_("RT"), max_length=5, blank=True)
    rw = models.CharField(_("RW"), max_length=5, blank=True)
    kelurahan = models.CharField(_("kelurahan / desa"), max_length=100, blank=True)
    kecamatan = models.CharField(_("kecamatan"), max_length=100, blank=True)
    city = models.CharField(_("kota / kabupaten"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="ID")
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        rt_rw = f"RT {self.rt}/RW {self.rw}" if self.rt or self.rw else ""
        parts = [
            self.street,
            rt_rw,
            self.kelurahan,
            self.kecamatan,
            self.city,
            self.province,
            self.postal_code,
        ]
        return ", ".join(p for p in parts if p)


class Membership(models.Model):
    """A person's place at an organisation (role / title)."""

    access_via = "person"

    person = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="members")
    title = models.CharField(_("title / role"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="membership_unique"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("organization")), name="membership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"


class Relationship(models.Model):
    """A link between two customers (family, colleague, …); shown on both."""

    access_via = "from_customer"

    from_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_out"
    )
    to_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_in"
    )
    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["from_customer", "to_customer", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_customer=models.F("to_customer")),
                name="relationship_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_customer} – {self.get_kind_display()} – {self.to_customer}"


class LifecycleChange(CustomerChild):
    """One lifecycle stage change, with who and when."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="lifecycle_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Lifecycle.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Lifecycle.choices)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("lifecycle change")
        verbose_name_plural = _("lifecycle changes")

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class Group(BaseRecord):
    """A static list of customers (e.g. 'VIP Jakarta', 'Seminar peserta 2026')."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    members = models.ManyToManyField(
        Customer, through="GroupMembership", related_name="groups", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A customer in a group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="group_memberships"
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "customer"], name="group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer} in {self.group}"


class Note(CustomerChild, TimestampedModel):
    """A note on a customer (sanitised rich text)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.body[:60]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Random names: the original name is kept in the row, never used on disk.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(CustomerChild):
    """A file attached to a customer, stored outside the web root under a random name."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


# --- Duplicates and merges (relasi.customers.duplicates / relasi.customers.merge) -------------


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not a duplicate")


class DuplicateCandidate(models.Model):
    """A pair of customers the scan thinks are the same (customer_a.id < customer_b.id).

    A dismissed pair is kept so later scans never propose it again."""

    customer_a = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="duplicate_candidates_a"
    )
    customer_b = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="duplicate_candidates_b"
    )
    score = models.FloatField(_("score"), db_index=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DuplicateStatus.choices,
        default=DuplicateStatus.OPEN,
        db_index=True,
    )
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        constraints = [
            models.UniqueConstraint(fields=["customer_a", "customer_b"], name="duplicate_pair"),
            models.CheckConstraint(
                condition=models.Q(customer_a__lt=models.F("customer_b")),
                name="duplicate_pair_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_queue_idx")]

    def __str__(self) -> str:
        return f"#{self.customer_a_id} ~ #{self.customer_b_id} ({self.score:.2f})"


class MergeRecord(models.Model):
    """One merge: what the merged customer looked like, which rows moved, which values won.
    Enough to undo it (recreate the merged customer with its id and move its rows back)."""

    access_via = "survivor"

    survivor = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merge_records")
    merged_id = models.PositiveBigIntegerField(_("merged customer id"), db_index=True)
    merged_name = models.CharField(_("merged customer"), max_length=200)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    choices = models.JSONField(_("chosen values"), default=dict, blank=True)
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.survivor_id}"


class DuplicateSettings(models.Model):
    """Administrator settings for duplicate handling (one row)."""

    auto_merge_threshold = models.FloatField(
        _("auto-merge threshold"),
        default=0.95,
        help_text=_("Pairs scoring at or above this (0–1) can be merged in bulk."),
    )

    class Meta:
        verbose_name = _("duplicate settings")
        verbose_name_plural = _("duplicate settings")

    def __str__(self) -> str:
        return str(_("Duplicate settings"))

    @classmethod
    def load(cls) -> "DuplicateSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
