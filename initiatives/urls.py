from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="list"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="detail"),
    path("initiatives/<slug:slug>/endorse/", views.endorse, name="endorse"),
    path("initiatives/<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("states/", views.state_list, name="states"),
    path("states/<str:code>/", views.state_detail, name="state"),
    path("events/", views.event_list, name="events"),
    path("endorsements/<str:reference>/", views.receipt, name="receipt"),
]
