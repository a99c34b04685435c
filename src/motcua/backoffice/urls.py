from django.urls import path

from motcua.backoffice import (
    views,
    views_bulk,
    views_counter,
    views_desk,
    views_leaders,
    views_reports,
    views_sign,
)

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("lanh-dao/", views_leaders.leaders, name="leaders"),
    path("bao-cao/bieu-06/", views_reports.report_form06, name="report_form06"),
    path("bao-cao/bieu-06/ho-so/", views_reports.report_form06_cell, name="report_form06_cell"),
    path(
        "bao-cao/bieu-06.<slug:fmt>",
        views_reports.report_form06_export,
        name="report_form06_export",
    ),
    path("bao-cao/chi-so-766/", views_reports.report_index766, name="report_index766"),
    path("quay/", views_counter.start, name="counter"),
    path("quay/xong/<str:code>/", views_counter.done, name="counter_done"),
    path("quay/<str:token>/", views_counter.checklist, name="counter_checklist"),
    path("hang-doi/<slug:queue>/", views.queue, name="queue"),
    path("ho-so/<str:code>/", views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<slug:action>/", views_desk.act, name="act"),
    path("ho-so/<str:code>/ky-ket-qua/", views_sign.sign_result, name="sign_result"),
    path("ho-so/<str:code>/ket-qua.pdf", views_desk.result_pdf, name="result_pdf"),
    path("ho-so/<str:code>/tai-lieu/<int:component_id>/", views_desk.component, name="component"),
    path("ho-so/<str:code>/bieu-mau/<slug:form>.pdf", views_desk.form_pdf, name="form_pdf"),
    path("hang-doi/chua-phan-cong/phan-cong/", views_bulk.assign, name="bulk_assign"),
]
