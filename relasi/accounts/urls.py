from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from relasi.accounts import admin_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("2fa/verify/", views.two_factor_verify, name="2fa_verify"),
    path("2fa/setup/", views.two_factor_setup, name="2fa_setup"),
    path("2fa/disable/", views.two_factor_disable, name="2fa_disable"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("email/", views.email_change, name="email_change"),
    path("sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path(
        "password-reset/",
        views.ThrottledPasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done")
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.RevokingPasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("users/<int:pk>/end-sessions/", admin_views.user_sessions_end, name="user_sessions_end"),
    *admin_views.UserViewSet().urls("users"),
    *admin_views.TeamViewSet().urls("teams"),
    *admin_views.RoleViewSet().urls("roles"),
]
