from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("review/", views.review_queue, name="review"),
    path("review/<int:review_id>/", views.review_pair, name="review-pair"),
    path("persons/<int:person_id>/split/", views.split, name="split"),
]
