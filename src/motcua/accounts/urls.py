from django.urls import path

from motcua.accounts import views, views_organisations

app_name = "accounts"
urlpatterns = [
    path("ho-so/", views.profile, name="profile"),
    path("to-chuc/", views_organisations.organisation_list, name="organisations"),
    path("to-chuc/<int:pk>/", views_organisations.organisation_detail, name="organisation"),
    path(
        "to-chuc/<int:pk>/thanh-vien/<int:member>/thu-hoi/",
        views_organisations.organisation_member_revoke,
        name="organisation_member_revoke",
    ),
]
