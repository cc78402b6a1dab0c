"""Administration of users, teams and roles (module 'admin')."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl
from django.views.decorators.http import require_POST

from relasi.accounts import actions
from relasi.accounts.forms import RoleForm, TeamForm, UserForm
from relasi.accounts.models import Role, Team, User
from relasi.core import records
from relasi.core.views import require
from relasi.core.viewsets import Column, RecordViewSet


class UserViewSet(RecordViewSet):
    model = User
    module = "admin"
    url_name = "user"
    form_class = UserForm
    scoped = False
    default_order = "username"
    select_related = ("role", "team", "manager")
    detail_template = "accounts/user_detail.html"
    columns = [
        Column("username", gl("Username"), link=True, order="username"),
        Column("name", gl("Name"), accessor="get_full_name"),
        Column("email", gl("E-mail"), order="email"),
        Column("role", gl("Role")),
        Column("team", gl("Team")),
        Column("manager", gl("Manager")),
        Column("is_active", gl("Active")),
        Column("totp_enabled", gl("2FA")),
    ]
    detail_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "phone",
        "role",
        "team",
        "manager",
        "language",
        "is_active",
        "totp_enabled",
        "last_login",
    ]
    bulk_actions: list = []

    def create(self, actor: Any, form: Any) -> User:
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        return actions.create_user(actor, data, form.cleaned_data.get("password") or None)

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> User:
        return actions.update_user(actor, obj, {k: form.cleaned_data[k] for k in form.Meta.fields})

    def delete(self, actor: Any, obj: Any) -> None:
        # Users are deactivated, never deleted: their records and audit trail keep their name.
        actions.update_user(actor, obj, {"is_active": False})


class TeamViewSet(RecordViewSet):
    model = Team
    module = "admin"
    url_name = "team"
    form_class = TeamForm
    scoped = False
    default_order = "name"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("description", gl("Description")),
    ]
    detail_fields = ["name", "description"]
    bulk_actions: list = []


class RoleViewSet(RecordViewSet):
    model = Role
    module = "admin"
    url_name = "role"
    form_class = RoleForm
    scoped = False
    default_order = "name"
    form_template = "accounts/role_form.html"
    detail_template = "accounts/role_detail.html"
    columns = [
        Column("name", gl("Name"), link=True, order="name"),
        Column("visibility", gl("Record visibility"), accessor="get_visibility_display"),
        Column("require_2fa", gl("2FA required")),
        Column("may_view_sensitive", gl("Sensitive fields")),
    ]
    detail_fields = [
        "name",
        "slug",
        "description",
        "visibility",
        "require_2fa",
        "max_discount_percent",
        "may_view_sensitive",
    ]
    bulk_actions: list = []

    def form_data(self, form: Any) -> tuple[dict[str, Any], Any]:
        data, tags = super().form_data(form)
        data["permissions"] = form.instance.permissions
        return data, tags

    def update(self, actor: Any, obj: Any, form: Any, version: int | None) -> Role:
        data, _tags = self.form_data(form)
        role = records.update_record(actor, obj, data)
        from relasi.core import audit

        audit.security_event("role.changed", user=actor, role=role.slug)
        return role


@login_required
@require_POST
def user_sessions_end(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "admin", "change")
    user = get_object_or_404(User, pk=pk)
    n = actions.end_sessions(request.user, user, request=request)
    messages.success(request, _("%(n)d sessions ended.") % {"n": n})
    return redirect("accounts:user_detail", pk=pk)
