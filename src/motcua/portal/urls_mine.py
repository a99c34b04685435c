"""Hồ sơ của tôi — mounted in ``portal.urls`` (namespace ``portal``)."""

from django.urls import path

from motcua.portal import views_mine

urlpatterns = [
    path("ho-so-cua-toi/", views_mine.my_list, name="my_dossiers"),
    path("ho-so-cua-toi/<str:code>/", views_mine.my_detail, name="my_dossier"),
    path(
        "ho-so-cua-toi/<str:code>/bieu-mau/<slug:kind>.pdf",
        views_mine.my_form_pdf,
        name="my_dossier_form",
    ),
    path("ho-so-cua-toi/<str:code>/ket-qua.pdf", views_mine.my_result, name="my_dossier_result"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", views_mine.my_supply, name="my_dossier_supply"),
    path("ho-so-cua-toi/<str:code>/rut/", views_mine.my_withdraw, name="my_dossier_withdraw"),
    path("ho-so-cua-toi/<str:code>/danh-gia/", views_mine.my_rate, name="my_dossier_rate"),
]
