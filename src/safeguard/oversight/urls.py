from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.backlogs, name="backlogs"),
    path("compliance/", views.compliance, name="compliance"),
    path("alerts/", views.alerts, name="alerts"),
    path("partners/", views.partners, name="partners"),
    path("<slug:page>/figures/", views.figure, name="figure"),
    path("<slug:page>/export.<slug:fmt>", views.export_view, name="export"),
]
