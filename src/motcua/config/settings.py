"""Django settings for motcua. Every value that varies between installations comes from
``motcua.config.env``; nothing else in this file reads the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from motcua.config.env import ImproperEnvironment, env

BASE_DIR = Path(__file__).resolve().parent.parent  # src/motcua

MOTCUA_ENV = env("MOTCUA_ENV")
if MOTCUA_ENV not in {"development", "production"}:
    raise ImproperEnvironment("MOTCUA_ENV must be 'development' or 'production'")
PRODUCTION = MOTCUA_ENV == "production"
DEBUG = not PRODUCTION

DATA_DIR = Path(env("MOTCUA_DATA_DIR")).resolve()

_INSECURE_DEV_KEY = "django-insecure-motcua-development-only-never-in-production"
SECRET_KEY = env("SECRET_KEY") or _INSECURE_DEV_KEY
if PRODUCTION and (SECRET_KEY == _INSECURE_DEV_KEY or len(SECRET_KEY) < 50):
    raise ImproperEnvironment(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "motcua.core",
    "motcua.accounts",
    "motcua.org",
    "motcua.catalog",
    "motcua.notifications",
    "motcua.dossiers",
    "motcua.feedback",
    "motcua.documents",
    "motcua.reports",
    "motcua.portal",
    "motcua.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "motcua.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "motcua.backoffice.middleware.OfficialSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
            ],
            "builtins": ["motcua.core.templatetags.motcua"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
_database_url = env("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "motcua.sqlite3",
            "OPTIONS": {
                # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers queue instead of failing on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": ""},  # in-memory test database
            # Keep the connection (and its PRAGMAs) across requests: opening the file per
            # request cost ~1 ms of CPU on every call (bench/api_latency.py --conn-max-age).
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
_redis_url = env("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Everyone signs in on the site's login page (allauth: rate limits, the second factor); the
# admin's own login form is closed (backoffice.middleware). ModelBackend serves permissions.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",  # e-mail or phone number
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

# django-allauth (docs/accounts.md). Sign-up needs an e-mail address, verified by a link before
# the first login; a phone number is added afterwards from the account pages (verified by an SMS
# code) and can then be used to sign in as well.
ACCOUNT_ADAPTER = "motcua.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "motcua.accounts.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "motcua.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"  # kept for the admin, generated by the adapter
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link opened by a mail scanner confirms nothing
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[motcua] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults (10 a minute from one address, 5 per 5 minutes for one account),
    # with the per-address limit tightened to 20 per 5 minutes.
    "login_failed": "20/5m/ip,5/5m/key",
    # accounts made from one address: a commune office helping citizens shares one address
    "signup": "20/h/ip",
}
# Second factors: an app's codes (TOTP, works on every phone) or a security key / passkey
# (WebAuthn), with recovery codes as the fallback. Keys are a second factor only: no passwordless
# sign-in and no sign-up with a passkey.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "motcua"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
# The relying party is the host the page was served from (allauth's adapter). Browsers offer
# WebAuthn only in a secure context (https, or http://localhost in development and tests);
# outside production the origin check is relaxed so that a development server on another
# port or name still works. Production checks the origin against the host.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never link to an account by an unverified claim
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
_oidc_server_url = env("MOTCUA_OIDC_SERVER_URL")
if _oidc_server_url:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": "vneid",
            "name": env("MOTCUA_OIDC_NAME"),
            "client_id": env("MOTCUA_OIDC_CLIENT_ID"),
            "secret": env("MOTCUA_OIDC_CLIENT_SECRET"),
            "settings": {"server_url": _oidc_server_url},
        }
    )

MOTCUA_OIDC_ID_NUMBER_CLAIM = env("MOTCUA_OIDC_ID_NUMBER_CLAIM")
# Forms may post to the site and, since its login redirects there, the identity provider.
MOTCUA_CSP_FORM_ACTION: list[str] = []
if _oidc_server_url:
    from urllib.parse import urlsplit

    _oidc = urlsplit(_oidc_server_url)
    MOTCUA_CSP_FORM_ACTION.append(f"{_oidc.scheme}://{_oidc.netloc}")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]  # ours first, then allauth (vi)
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True  # stored in UTC, shown in TIME_ZONE
FORMAT_MODULE_PATH = ["motcua.config.formats"]

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# --- motcua ---------------------------------------------------------------------------------
MOTCUA_DEFAULT_PROVINCE = env("MOTCUA_DEFAULT_PROVINCE")
MOTCUA_PAGE_SIZE = env("MOTCUA_SEARCH_PAGE_SIZE")
NINJA_PAGINATION_PER_PAGE = MOTCUA_PAGE_SIZE
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "motcua": {"handlers": ["console"], "level": env("MOTCUA_LOG_LEVEL"), "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING"},
        # WeasyPrint's and pyHanko's font subsetting notes every table it drops ("FFTM NOT
        # subset") for each document: not news to an operator
        "fontTools.subset": {"level": "ERROR"},
    },
}

# Dossiers (issue 3): see docs/configuration.md and docs/dossiers.md.
MOTCUA_DOSSIER_CODE_AGENCY_ID = env("MOTCUA_DOSSIER_CODE_AGENCY_ID")
MOTCUA_DOSSIER_CODE_START = env("MOTCUA_DOSSIER_CODE_START")
MOTCUA_TIMELINESS_CONVENTION = env("MOTCUA_TIMELINESS_CONVENTION")
MOTCUA_STEP_TIMELINESS = env("MOTCUA_STEP_TIMELINESS")
MOTCUA_SUPPLEMENT_MAX_REQUESTS = env("MOTCUA_SUPPLEMENT_MAX_REQUESTS")
MOTCUA_EXTENSION_MAX = env("MOTCUA_EXTENSION_MAX")
MOTCUA_FORMS_TT03_FROM = env("MOTCUA_FORMS_TT03_FROM")
MOTCUA_UPLOAD_MAX_MB = env("MOTCUA_UPLOAD_MAX_MB")
MOTCUA_UPLOAD_RATE = env("MOTCUA_UPLOAD_RATE")
MOTCUA_STAFF_IDLE_MINUTES = env("MOTCUA_STAFF_IDLE_MINUTES")
MOTCUA_TRUST_ROOTS = env("MOTCUA_TRUST_ROOTS")  # issue 7: docs/documents.md
MOTCUA_TRUST_CRLS = env("MOTCUA_TRUST_CRLS")
MOTCUA_REVOCATION_FETCH = env("MOTCUA_REVOCATION_FETCH")
MOTCUA_VERIFY_RATE = env("MOTCUA_VERIFY_RATE")
MOTCUA_TSA_URL = env("MOTCUA_TSA_URL")
MOTCUA_SIGNING_KEYS = env("MOTCUA_SIGNING_KEYS")  # documents/keys.py
# A dossier submitted through the API carries its files base64-encoded (a third larger) and may
# carry several: allow the request body up to four files of the largest size.
DATA_UPLOAD_MAX_MEMORY_SIZE = MOTCUA_UPLOAD_MAX_MB * 1024 * 1024 * 4 * 4 // 3
MOTCUA_PUBLIC_URL = env("MOTCUA_PUBLIC_URL").rstrip("/")
MOTCUA_PUBLIC_LOOKUP_RATE = env("MOTCUA_PUBLIC_LOOKUP_RATE")
MOTCUA_PUBLIC_LOOKUP_FAIL_RATE = env("MOTCUA_PUBLIC_LOOKUP_FAIL_RATE")
MOTCUA_TRUSTED_PROXIES = env("MOTCUA_TRUSTED_PROXIES")
for _name, _allowed in (
    ("MOTCUA_DOSSIER_CODE_AGENCY_ID", {"legacy", "dvcqg"}),
    ("MOTCUA_TIMELINESS_CONVENTION", {"report06", "index766", "half_day"}),
    ("MOTCUA_STEP_TIMELINESS", {"report06", "index766", "half_day"}),
):
    if globals()[_name] not in _allowed:
        raise ImproperEnvironment(f"{_name} must be one of {sorted(_allowed)}")
MOTCUA_DRAFT_DAYS = env("MOTCUA_DRAFT_DAYS")
