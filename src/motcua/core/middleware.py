from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SiteLocaleMiddleware(LocaleMiddleware):
    """Pages are Vietnamese unless the visitor chose English (the language cookie set by the
    switch), whatever the phone's own language; the API follows ``Accept-Language`` as API
    clients expect."""

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response that has none of its own (downloads set a
    stricter one). The portal runs no script and no inline style at all, so its policy allows
    only its own files; forms may post only to the site itself and to the configured OpenID
    Connect provider (its login redirects there). Two pages built by libraries need more and
    get it by path prefix: the Django admin (inline styles) and the API's Swagger page (its
    inline start-up script and the CDN it loads from)."""

    def __init__(self, get_response):
        self.get_response = get_response
        base: dict[str, list[str]] = {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "frame-ancestors": ["'none'"],
            "form-action": ["'self'", *settings.MOTCUA_CSP_FORM_ACTION],
        }
        admin = {**base, "style-src": ["'self'", "'unsafe-inline'"]}
        cdn = "https://cdn.jsdelivr.net"
        docs = {
            **base,
            "script-src": ["'self'", "'unsafe-inline'", cdn],
            "style-src": ["'self'", "'unsafe-inline'", cdn],
            "img-src": ["'self'", "data:", "https://django-ninja.dev"],
        }
        self.default = _policy(base)
        self.by_prefix = [("/admin/", _policy(admin)), ("/api/v1/docs", _policy(docs))]

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = self.default
            for prefix, special in self.by_prefix:
                if request.path_info.startswith(prefix):
                    policy = special
                    break
            response["Content-Security-Policy"] = policy
        return response
