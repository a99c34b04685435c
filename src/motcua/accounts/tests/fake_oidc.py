"""A local OpenID Connect provider for tests: the national identity provider (VNeID-style) is a
remote system we cannot reach, so the login is tested against this fake, which speaks the real
protocol over real HTTP — discovery, the authorization-code flow with ``state`` and ``nonce``,
client authentication at the token endpoint, an RS256-signed ID token with its JWKS, and
userinfo. Codes are single-use and tied to the redirect URI, as in OpenID Connect Core 1.0."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeOidcProvider:
    def __init__(self, *, client_id: str, client_secret: str, claims: dict[str, Any]):
        self.client_id, self.client_secret = client_id, client_secret
        self.claims = dict(claims)
        self.deny = False  # the person cancels on the provider's page
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.log: list[tuple[str, str]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                provider._handle(self, "GET")

            def do_POST(self) -> None:
                provider._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- protocol ---------------------------------------------------------------------------

    def _send(self, handler, status: int, body: Any = None, headers: dict | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if body is not None:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler, method: str) -> None:
        parts = urlsplit(handler.path)
        self.log.append((method, parts.path))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if method == "GET" and parts.path == "/.well-known/openid-configuration":
            return self._send(handler, 200, self.configuration())
        if method == "GET" and parts.path == "/jwks":
            numbers = self.key.public_key().public_numbers()
            jwk = {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256"}
            jwk.update(n=_b64(numbers.n), e=_b64(numbers.e))
            return self._send(handler, 200, {"keys": [jwk]})
        if method == "GET" and parts.path == "/authorize":
            return self._authorize(handler, query)
        if method == "POST" and parts.path == "/token":
            length = int(handler.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
            return self._token(handler, form)
        if method == "GET" and parts.path == "/userinfo":
            token = (handler.headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in self.tokens:
                return self._send(handler, 401, {"error": "invalid_token"})
            return self._send(handler, 200, self.tokens[token])
        return self._send(handler, 404, {"error": "not_found"})

    def configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "profile", "email", "phone"],
        }

    def _authorize(self, handler, query: dict[str, str]) -> None:
        redirect_uri, state = query.get("redirect_uri", ""), query.get("state", "")
        valid = (
            query.get("client_id") == self.client_id
            and query.get("response_type") == "code"
            and "openid" in query.get("scope", "").split()
            and redirect_uri.startswith("http")
        )
        if not valid:
            return self._send(handler, 400, {"error": "invalid_request"})
        if self.deny:
            answer = {"error": "access_denied", "state": state}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"redirect_uri": redirect_uri, "nonce": query.get("nonce")}
            answer = {"code": code, "state": state}
        sep = "&" if "?" in redirect_uri else "?"
        return self._send(
            handler, 302, headers={"Location": redirect_uri + sep + urlencode(answer)}
        )

    def _client_ok(self, handler, form: dict[str, str]) -> bool:
        basic = handler.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            user, _sep, secret = base64.b64decode(basic[6:]).decode().partition(":")
            return (user, secret) == (self.client_id, self.client_secret)
        return (form.get("client_id"), form.get("client_secret")) == (
            self.client_id,
            self.client_secret,
        )

    def _token(self, handler, form: dict[str, str]) -> None:
        if not self._client_ok(handler, form):
            return self._send(handler, 401, {"error": "invalid_client"})
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return self._send(handler, 400, {"error": "invalid_grant"})
        now = int(time.time())
        claims = dict(self.claims)
        payload = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, **claims}
        if grant["nonce"]:
            payload["nonce"] = grant["nonce"]
        id_token = jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "k1"})
        access = secrets.token_urlsafe(24)
        self.tokens[access] = claims
        return self._send(
            handler,
            200,
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )
