from django.urls import path

from motcua.backoffice import views, views_desk

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("hang-doi/<slug:queue>/", views.queue, name="queue"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", views_desk.act, name="act"),
]
