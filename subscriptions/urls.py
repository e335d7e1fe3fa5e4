from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("subscriptions/follow/", views.follow, name="follow"),
    path("subscriptions/follow/sent/", views.requested, name="requested"),
    path("subscriptions/confirm/<slug:token>/", views.confirm, name="confirm"),
    path("subscriptions/unsubscribe/<slug:token>/", views.unsubscribe, name="unsubscribe"),
]
