"""The channel adapters (one sender per channel); importing this package registers them."""

from relasi.conversations.adapters import email, webchat, whatsapp  # noqa: F401
