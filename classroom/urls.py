"""Top-level URLs: the classroom screens, the brief library, accounts, admin, health."""

import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import TemplateView

from classroom.throttle import ThrottledLoginView
from classroom.views import (
    accounts,
    assignments,
    groups,
    health,
    home,
    join,
    moderation,
    poll,
    report,
    roster,
    thread,
)

classroom_patterns = (
    [
        path("", home.home, name="home"),
        path("profile/", accounts.profile_edit, name="profile_edit"),
        path("join/", join.join_start, name="join_start"),
        path("join/<str:code>/", join.join_group, name="join_group"),
        path("groups/new/", groups.group_create, name="group_create"),
        path("groups/<int:group_id>/", groups.group_detail, name="group_detail"),
        path("groups/<int:group_id>/join-code/", groups.join_code_regenerate, name="join_code_regenerate"),
        path("groups/<int:group_id>/archive/", groups.group_archive, name="group_archive"),
        path(
            "groups/<int:group_id>/students/<int:student_id>/remove/",
            groups.member_remove,
            name="member_remove",
        ),
        path(
            "groups/<int:group_id>/students/<int:student_id>/set-password-link/",
            groups.set_password_link_create,
            name="set_password_link_create",
        ),
        path("assign/", assignments.assignment_create, name="assignment_create"),
        path("a/<int:assignment_id>/", thread.thread_detail, name="thread_detail"),
        path("a/<int:assignment_id>/settings/", assignments.assignment_edit, name="assignment_edit"),
        path("a/<int:assignment_id>/lock/", assignments.thread_lock, name="thread_lock"),
        path(
            "a/<int:assignment_id>/brief-version/",
            assignments.assignment_brief_version,
            name="assignment_brief_version",
        ),
        path("a/<int:assignment_id>/report/", report.assignment_report, name="assignment_report"),
        path("a/<int:assignment_id>/feedback/<int:student_id>/", report.feedback_save, name="feedback_save"),
        path("a/<int:assignment_id>/grades.csv", report.grades_export, name="grades_export"),
        path("a/<int:assignment_id>/responses.csv", report.responses_export, name="responses_export"),
        path("groups/<int:group_id>/students/import/", roster.roster_import, name="roster_import"),
        path("groups/<int:group_id>/dashboard/", report.group_dashboard, name="group_dashboard"),
        path(
            "groups/<int:group_id>/responses.csv",
            report.group_responses_export,
            name="group_responses_export",
        ),
        path("a/<int:assignment_id>/responses/", thread.response_create, name="response_create"),
        path("a/<int:assignment_id>/poll/", poll.thread_poll, name="thread_poll"),
        path("a/<int:assignment_id>/stance/", thread.stance_save, name="stance_save"),
        path("r/<int:response_id>/", thread.response_detail, name="response_detail"),
        path("r/<int:response_id>/reply/", thread.response_reply, name="response_reply"),
        path("r/<int:response_id>/edit/", thread.response_edit, name="response_edit"),
        path("r/<int:response_id>/delete/", thread.response_delete, name="response_delete"),
        path("r/<int:response_id>/fair/", thread.steelman_fair, name="steelman_fair"),
        path("r/<int:response_id>/hide/", moderation.response_hide, name="response_hide"),
        path("r/<int:response_id>/unhide/", moderation.response_unhide, name="response_unhide"),
        path("r/<int:response_id>/highlight/", moderation.response_highlight, name="response_highlight"),
        path("r/<int:response_id>/pin/", moderation.response_pin, name="response_pin"),
        path("a/<int:assignment_id>/log/", moderation.moderation_log, name="moderation_log"),
        path("a/<int:assignment_id>/extensions/<int:student_id>/", moderation.due_extend, name="due_extend"),
    ],
    "classroom",
)

urlpatterns = [
    path("", include(classroom_patterns)),
    path("briefs/", include("briefs.urls")),
    path("accounts/login/", ThrottledLoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/unsent/",
        login_not_required(TemplateView.as_view(template_name="registration/password_reset_unsent.html")),
        name="password_reset_unsent",
    ),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        accounts.SetPasswordLinkConfirmView.as_view(),
        name="set_password_link_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),  # password reset and change
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]

if os.environ.get("AGORA_BENCH") == "1":
    # Served only while `make bench` runs the app: the framework's floor to compare pages with.
    urlpatterns.append(path("bench/floor", health.bench_floor, name="bench_floor"))
