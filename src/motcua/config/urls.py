from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from motcua.config.api import api

admin.site.site_header = _("motcua administration")
admin.site.site_title = _("motcua")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("motcua.accounts.urls")),
    path("tai-khoan/", include("allauth.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
