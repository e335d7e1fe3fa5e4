from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("delegate/", views.delegate_space, name="delegate"),
    path("delegate/accreditation/", views.accreditation_request, name="accreditation_request"),
    path("delegate/accreditation/renew/", views.accreditation_renewal, name="accreditation_renewal"),
    path("delegate/accreditations/<int:pk>/evidence/", views.evidence, name="evidence"),
]
