"""Security headers the framework does not set on every response (SECURITY.md checks 21, 29)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Personal data must not linger in shared or browser caches.
            response["Cache-Control"] = "no-store, private"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class JsonCharsetMiddleware:
    """Every JSON answer says `application/json; charset=utf-8`, as docs/api.md promises:
    ninja's own answers do, but Django's JsonResponse (error pages, the health check, fast list
    paths, the session policy's 401) leaves the charset out. Outermost, so it sees them all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if (
            content_type.split(";")[0].strip() == "application/json"
            and "charset" not in content_type
        ):
            response["Content-Type"] = "application/json; charset=utf-8"
        return response
