from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("hang-doi/<slug:queue>/", views.queue, name="queue"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
]
