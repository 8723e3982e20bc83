from django.urls import path

from . import views

app_name = "infosec"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/<int:use_id>/review/", views.break_glass_review_view, name="break-glass-review"),
    path("retention/", views.retention, name="retention"),
    path("retention/<int:review_id>/decide/", views.retention_decide_view, name="retention-decide"),
    path("people/<int:person_id>/seen/", views.who_has_seen, name="who-has-seen"),
    path("people/<int:person_id>/seen.csv", views.who_has_seen_csv, name="who-has-seen-csv"),
]
