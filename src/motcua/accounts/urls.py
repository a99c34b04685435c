from django.urls import path

from motcua.accounts import views

app_name = "accounts"
urlpatterns = [
    path("ho-so/", views.profile, name="profile"),
]
