"""The channel adapters (one sender per channel); importing this package registers them."""

from relasi.conversations.adapters import email, sms, sms_twilio, webchat, whatsapp  # noqa: F401
