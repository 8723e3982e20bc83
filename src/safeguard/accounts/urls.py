from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("set-up-authenticator/", views.enrol, name="enrol"),
    path("code/", views.verify, name="verify"),
    path("confirm-it-is-you/", views.reauth, name="reauth"),
]
