"""makemessages that also extracts `gl(...)`, the short alias modules use for gettext_lazy
(`from django.utils.translation import gettext_lazy as gl`) when `_` is the eager gettext."""

from django.core.management.commands.makemessages import Command as BaseCommand


class Command(BaseCommand):
    xgettext_options = [*BaseCommand.xgettext_options, "--keyword=gl"]
