from django.urls import include, path

from motcua.portal import views, views_stats, views_verify

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("co-quan/", views.agencies, name="agencies"),
    path("co-quan/<str:code>/", views.agency, name="agency"),
    path("tra-cuu/", views.track, name="track"),
    path("xac-thuc/", views_verify.verify_upload, name="verify"),
    path("xac-thuc/<uuid:public_id>/", views_verify.verify_document, name="verify_document"),
    path("verify/<uuid:public_id>/", views_verify.verify_document),  # issue 7's address
    path("thong-ke/", views_stats.provinces, name="stats"),
    path("thong-ke/<str:code>/", views_stats.agency, name="stats_agency"),
    path("", include("motcua.portal.urls_mine")),
    path("", include("motcua.portal.urls_submit")),
]
