"""Content-Security-Policy (STYLE.md: no inline script or style on the portal) and the other
security headers, on the pages a citizen sees and on those built by libraries."""

from __future__ import annotations

import pytest
from django.http import HttpResponse

PAGES = ["/", "/thu-tuc/", "/tra-cuu/", "/tai-khoan/login/", "/tai-khoan/signup/", "/khong-co/"]


def _directives(header: str) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize("path", PAGES)
def test_portal_pages_allow_only_their_own_files(client, portal, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    body = response.content.decode()
    assert "<script" not in body and " style=" not in body and "<style" not in body
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_api_documentation_page_gets_what_swagger_needs_and_no_more(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert "https://cdn.jsdelivr.net" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    # and the JSON API itself keeps the strict policy
    strict = _directives(client.get("/api/v1/health")["Content-Security-Policy"])
    assert strict["script-src"] == ["'self'"]


def test_the_admin_may_use_inline_styles_but_not_inline_scripts(admin_client):
    response = admin_client.get("/admin/")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]


def test_the_identity_provider_is_a_permitted_form_target(settings, client, db):
    """The OIDC login form posts to the site, which redirects to the provider; Chromium applies
    form-action to that redirect, so the provider's origin is allowed (and nothing else)."""
    from motcua.core.middleware import ContentSecurityPolicyMiddleware

    settings.MOTCUA_CSP_FORM_ACTION = ["https://sso.dichvucong.example"]
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    policy = _directives(middleware(client.get("/").wsgi_request)["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'", "https://sso.dichvucong.example"]
