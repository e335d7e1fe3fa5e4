from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from alliance import dashboard, languages, views
from initiatives.api import api

# Staff sign in through allauth (rate limits, second factor); the admin's own login form is never used.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
# The admin's start page is the secretariat's dashboard (templates/admin/index.html).
admin.site.index = dashboard.with_dashboard(admin.site.index)  # type: ignore[method-assign]
admin.site.site_header = _("Alliance register: secretariat")
admin.site.site_title = _("Alliance register")
admin.site.index_title = _("Administration")
# The changelists need the width (the endorsements list has seven columns and five filters); the
# breadcrumbs and the index lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False

handler500 = "alliance.resilience.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", views.healthz, name="healthz"),
    path("language/<str:code>/", languages.switch_language, name="switch_language"),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("initiatives.urls")),
    path("", include("members.urls")),
    path("", include("subscriptions.urls")),
    path("", include("programme.urls")),
)
