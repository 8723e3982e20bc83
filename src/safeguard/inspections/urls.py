from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.exercise_list, name="list"),
    path("new/", views.exercise_new, name="new"),
    path("<int:exercise_id>/", views.exercise_detail, name="exercise"),
    path("<int:exercise_id>/sample/", views.exercise_draw, name="draw"),
    path("<int:exercise_id>/cases/<int:case_id>/", views.case_audit, name="case"),
    path("<int:exercise_id>/cases/<int:case_id>/settle/", views.case_settle, name="settle"),
    path("<int:exercise_id>/publish/", views.exercise_publish, name="publish"),
    path("<int:exercise_id>/report/", views.exercise_report, name="report"),
    path("<int:exercise_id>/report.pdf", views.exercise_report_pdf, name="report-pdf"),
    path("<int:exercise_id>/action-plan/", views.action_plan, name="plan"),
    path("<int:exercise_id>/action-plan/recommendations/", views.recommendation_add, name="recommendation-add"),
    path("<int:exercise_id>/action-plan/recommendations/<int:number>/actions/", views.plan_action_add,
         name="action-add"),
    path("<int:exercise_id>/action-plan/actions/<int:action_id>/", views.plan_action_update, name="action-update"),
]
