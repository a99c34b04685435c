"""Nộp hồ sơ trực tuyến (mounted in ``portal.urls``)."""

from django.urls import path

from motcua.portal import views_submit as views

P = "nop-ho-so/<str:code>/"
D = P + "<uuid:draft>/"
urlpatterns = [
    path(P, views.start, name="submit_start"),
    path(P + "da-nop/<str:dossier>/", views.done, name="submit_done"),
    path(D + "noi-nop/", views.where, name="submit_where"),
    path(D + "truong-hop/", views.case, name="submit_case"),
    path(D + "nguoi-nop/", views.applicant, name="submit_applicant"),
    path(D + "to-khai/<int:number>/", views.page, name="submit_page"),
    path(D + "giay-to/", views.documents, name="submit_documents"),
    path(D + "kiem-tra/", views.check, name="submit_check"),
    path(D + "cam-doan/", views.declare, name="submit_declare"),
]
