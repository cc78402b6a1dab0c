"""Customer-portal sign-in: single-use, expiring magic links (only a hash is stored)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relasi.customers.models import Customer


class PortalLoginToken(models.Model):
    """One e-mailed sign-in link for one customer."""

    access_via = "customer"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="portal_login_tokens"
    )
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("portal sign-in link")
        verbose_name_plural = _("portal sign-in links")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"
