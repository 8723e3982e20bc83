from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.queue, name="home"),
    path("queue/", views.queue, name="queue"),
    path("queue/assign/", views.bulk_assign, name="bulk-assign"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="alert-acknowledge"),
    path("alerts/<int:alert_id>/assign/", views.assign, name="alert-assign"),
    path("alerts/<int:alert_id>/resolve/", views.resolve, name="alert-resolve"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/chronology/", views.person_chronology, name="person-chronology"),
    path("people/<int:person_id>/network/", views.person_network, name="person-network"),
    path("people/<int:person_id>/network.json", views.person_network_json, name="person-network-json"),
    path("people/<int:person_id>/records/", views.person_records, name="person-records"),
    path("places/<int:place_id>/", views.place, name="place"),
    path("search/", views.search, name="search"),
    path("reveal/", views.reveal, name="reveal"),
    path("account/", views.account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
]
