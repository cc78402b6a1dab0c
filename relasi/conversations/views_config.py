"""Inboxes (channel accounts) for administrators, on the generic configuration viewsets.

The channel settings (IMAP host, WhatsApp phone-number id, SMS gateway URL) go to `config`,
the secrets (passwords, tokens, the app secret) to the sealed store: the form never shows a
secret back, an empty secret field keeps the stored one, and the audit trail names the secrets
that changed, never their values."""

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as gl

from relasi.conversations.models import Inbox
from relasi.core import audit, records
from relasi.core.choices import AuditAction
from relasi.core.viewsets import Column
from relasi.service.views.config import ConfigViewSet

# (key, label, channels it applies to)
CONFIG_FIELDS = [
    ("imap_host", gl("IMAP server"), "email"),
    ("imap_port", gl("IMAP port"), "email"),
    ("imap_user", gl("IMAP user"), "email"),
    ("imap_folders", gl("IMAP folders (comma-separated)"), "email"),
    ("imap_sent_folder", gl("Sent folder"), "email"),
    ("smtp_host", gl("SMTP server (empty: Relasi's own)"), "email"),
    ("smtp_port", gl("SMTP port"), "email"),
    ("smtp_user", gl("SMTP user"), "email"),
    ("phone_number_id", gl("WhatsApp phone-number id"), "whatsapp"),
    ("graph_url", gl("Graph API URL"), "whatsapp"),
    (
        "reminder_template",
        gl("Reminder template (approved; parameters: name, title, time)"),
        "whatsapp",
    ),
    (
        "optin_template",
        gl("Opt-in template (approved; parameters: first name, purpose)"),
        "whatsapp",
    ),
    (
        "reply_templates",
        gl(
            "Templates agents may send after 24 hours (approved; separated by ';', each "
            "'name, language code, number of parameters', e.g. 'follow_up, id, 1')"
        ),
        "whatsapp",
    ),
    ("gateway", gl("SMS gateway (empty: twilio)"), "sms"),
    ("gateway_url", gl("SMS gateway URL"), "sms"),
    ("account_sid", gl("Twilio account SID"), "sms"),
    ("messaging_service_sid", gl("Twilio messaging service SID (instead of a sender)"), "sms"),
    ("sender_id", gl("SMS sender id"), "sms"),
    ("allowed_origins", gl("Sites that may embed the chat (comma-separated)"), "webchat"),
]
SECRET_FIELDS = [
    ("imap_password", gl("IMAP password"), "email"),
    ("smtp_password", gl("SMTP password"), "email"),
    ("access_token", gl("WhatsApp access token"), "whatsapp"),
    ("app_secret", gl("WhatsApp app secret (signs webhooks)"), "whatsapp"),
    ("verify_token", gl("Webhook verify token"), "whatsapp"),
    ("api_key", gl("SMS gateway API key"), "sms"),
    ("auth_token", gl("Twilio auth token (signs webhooks)"), "sms"),
]
MODEL_FIELDS = [
    "name",
    "kind",
    "address",
    "team",
    "queue",
    "unknown_sender",
    "language",
    "first_response_minutes",
    "resolution_minutes",
    "active",
]


class InboxForm(forms.ModelForm):
    class Meta:
        model = Inbox
        fields = MODEL_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = self.instance.config or {}
        stored = set(self.instance.get_secrets()) if self.instance.pk else set()
        for key, label, channel in CONFIG_FIELDS:
            self.fields[f"cfg_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=300,
                initial=config.get(key, ""),
                help_text=channel_note(channel),
            )
        self.fields["cfg_bot"] = forms.BooleanField(
            label=gl("Chatbot"),
            required=False,
            initial=config.get("bot") is True,
            help_text=gl(
                "Web chat and WhatsApp only: the bot answers from the published public "
                "knowledge base until it hands the conversation over or an agent replies."
            ),
        )
        for key, label, channel in SECRET_FIELDS:
            note = channel_note(channel)
            if key in stored:
                note = f"{note} {gl('Stored; leave empty to keep it.')}"
            self.fields[f"secret_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=500,
                widget=forms.PasswordInput(render_value=False),
                help_text=note,
            )

    def config_values(self) -> dict[str, Any]:
        from relasi.conversations.bot import CHANNELS

        values: dict[str, Any] = {
            key: self.cleaned_data.get(f"cfg_{key}", "").strip()
            for key, _l, _c in CONFIG_FIELDS
            if self.cleaned_data.get(f"cfg_{key}", "").strip()
        }
        if self.cleaned_data.get("cfg_bot") and self.cleaned_data.get("kind") in CHANNELS:
            values["bot"] = True
        return values

    def secret_values(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"secret_{key}"]
            for key, _l, _c in SECRET_FIELDS
            if self.cleaned_data.get(f"secret_{key}")
        }


def channel_note(channel: str) -> str:
    labels = {
        "email": gl("E-mail only."),
        "whatsapp": gl("WhatsApp only."),
        "sms": gl("SMS only."),
        "webchat": gl("Web chat only; empty: any site may embed it."),
    }
    return str(labels[channel])


def save_channel_settings(actor: Any, inbox: Inbox, form: InboxForm) -> None:
    secrets = inbox.get_secrets()
    changed = sorted(k for k, v in form.secret_values().items() if secrets.get(k) != v)
    secrets.update(form.secret_values())
    inbox.config = form.config_values()
    inbox.set_secrets(secrets)
    Inbox.objects.filter(pk=inbox.pk).update(
        config=inbox.config, sealed_secrets=inbox.sealed_secrets
    )
    if changed:
        audit.record(actor, AuditAction.UPDATE, inbox, changes={"secrets changed": changed})


class InboxViewSet(ConfigViewSet):
    model = Inbox
    url_name = "inbox"
    form_class = InboxForm
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("kind", gl("Channel"), accessor="get_kind_display"),
        Column("address", gl("Address")),
        Column("team", gl("Team")),
        Column("queue", gl("Routing queue")),
        Column("active", gl("Active")),
        Column("last_sync_at", gl("Last sync")),
        Column("last_error", gl("Last error")),
    ]
    detail_fields = [*MODEL_FIELDS, "last_sync_at", "last_error"]

    def form_data(self, form: forms.ModelForm) -> tuple[dict[str, Any], Any]:
        data = {k: v for k, v in form.cleaned_data.items() if k in MODEL_FIELDS}
        return data, None

    def create(self, actor: Any, form: forms.ModelForm) -> Any:
        data, _tags = self.form_data(form)
        with transaction.atomic():
            inbox = records.create_record(actor, Inbox, data)
            save_channel_settings(actor, inbox, form)  # type: ignore[arg-type]
        return inbox

    def update(self, actor: Any, obj: Any, form: forms.ModelForm, version: int | None) -> Any:
        data, _tags = self.form_data(form)
        with transaction.atomic():
            inbox = records.update_record(actor, obj, data)
            save_channel_settings(actor, inbox, form)  # type: ignore[arg-type]
        return inbox

    def detail_context(self, request: Any, obj: Any) -> dict[str, Any]:
        from relasi.core import links

        rows = [(label, obj.config.get(key, "") or "—") for key, label, _c in CONFIG_FIELDS
                if obj.config.get(key)]  # fmt: skip
        if obj.config.get("bot") is True:
            rows.append((gl("Chatbot"), gl("on")))
        stored = obj.get_secrets()
        rows += [(label, gl("stored")) for key, label, _c in SECRET_FIELDS if key in stored]
        if obj.kind == "whatsapp":
            hook = links.absolute(f"/conversations/hooks/whatsapp/{obj.widget_key}/")
            rows.append((gl("Webhook URL"), hook))
        if obj.kind == "sms":
            from relasi.conversations.adapters import sms

            rows.append((gl("Webhook URL"), sms.inbound_url(obj)))
            rows.append((gl("Status callback URL"), sms.status_callback_url(obj)))
        if obj.kind == "webchat":
            from django.templatetags.static import static

            src = links.absolute(static("conversations/widget.js"))
            tag = f'<script src="{src}" data-relasi-key="{obj.widget_key}" async></script>'
            rows.append((gl("Embed code"), tag))
        return {"extra_rows": rows}
