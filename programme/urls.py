from django.urls import path

from programme import views

app_name = "programme"

urlpatterns = [
    path("programme/", views.programme, name="programme"),
    path("programme/meetings.ics", views.meetings_ics, name="meetings_ics"),
]
