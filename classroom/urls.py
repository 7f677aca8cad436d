"""Top-level URLs: the classroom screens, the brief library, accounts, admin, health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from classroom.views import health, home

classroom_patterns = (
    [
        path("", home.home, name="home"),
    ],
    "classroom",
)

urlpatterns = [
    path("", include(classroom_patterns)),
    path("briefs/", include("briefs.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]
