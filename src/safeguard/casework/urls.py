from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("open/", views.open_case, name="open"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/activity/", views.activity, name="activity"),
    path("<int:pk>/stage/", views.stage, name="stage"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/closure/", views.closure, name="closure"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign-off"),
    path("<int:pk>/people/add/", views.subject_add, name="subject-add"),
    path("<int:pk>/actions/new/", views.action_new, name="action-new"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/bail/new/", views.bail_new, name="bail-new"),
    path("<int:pk>/referrals/new/", views.referral_new, name="referral-new"),
    path("actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("bail/<int:pk>/verify/", views.bail_verify, name="bail-verify"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
]
