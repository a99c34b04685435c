from django.urls import include, path

from motcua.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedures, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("co-quan/", views.agencies, name="agencies"),
    path("co-quan/<str:code>/", views.agency, name="agency"),
    path("tra-cuu/", views.track, name="track"),
    path("", include("motcua.portal.urls_mine")),
    path("", include("motcua.portal.urls_submit")),
]
