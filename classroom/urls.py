"""Top-level URLs: the classroom screens, the brief library, accounts, admin, health."""

import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.urls.converters import IntConverter
from django.views.generic import TemplateView
from django.views.i18n import set_language

from classroom.throttle import ThrottledLoginView
from classroom.views import (
    accounts,
    assignments,
    groups,
    health,
    home,
    invitations,
    join,
    jscatalog,
    moderation,
    notifications,
    poll,
    report,
    roster,
    thread,
)


class IdConverter(IntConverter):
    """A row's id: an id past what a 64-bit column holds matches no URL, so it is a 404.

    Django's own `int` takes any number of digits, and SQLite raises OverflowError for an
    id past 64 bits; Django refuses to register a converter named `int` again.
    """

    regex = "[0-9]{1,19}"
    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.largest:
            raise ValueError(f"{value} is past the largest id")
        return number


register_converter(IdConverter, "id")

classroom_patterns = (
    [
        path("", home.home, name="home"),
        path("profile/", accounts.profile_edit, name="profile_edit"),
        path("profile/time-zone/", accounts.profile_time_zone, name="profile_time_zone"),
        path("notifications/", notifications.notification_list, name="notification_list"),
        path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
        path("notifications/read/", notifications.notification_read_all, name="notification_read_all"),
        path(
            "notifications/<id:notification_id>/read/",
            notifications.notification_read,
            name="notification_read",
        ),
        path("notifications/settings/", notifications.notification_settings, name="notification_settings"),
        path(
            "notifications/unsubscribe/<str:token>/",
            notifications.notification_unsubscribe,
            name="notification_unsubscribe",
        ),
        path("join/", join.join_start, name="join_start"),
        path("join/<str:code>/", join.join_group, name="join_group"),
        path("groups/new/", groups.group_create, name="group_create"),
        path("groups/<id:group_id>/", groups.group_detail, name="group_detail"),
        path("groups/<id:group_id>/join-code/", groups.join_code_regenerate, name="join_code_regenerate"),
        path("groups/<id:group_id>/archive/", groups.group_archive, name="group_archive"),
        path("groups/<id:group_id>/teachers/", groups.group_instructor_add, name="group_instructor_add"),
        path(
            "groups/<id:group_id>/teachers/<id:instructor_id>/remove/",
            groups.group_instructor_remove,
            name="group_instructor_remove",
        ),
        path(
            "groups/<id:group_id>/students/<id:student_id>/remove/",
            groups.member_remove,
            name="member_remove",
        ),
        path(
            "groups/<id:group_id>/students/<id:student_id>/set-password-link/",
            groups.set_password_link_create,
            name="set_password_link_create",
        ),
        path("assign/", assignments.assignment_create, name="assignment_create"),
        path("assign/presets/", assignments.rule_preset_create, name="rule_preset_create"),
        path(
            "assign/presets/<id:preset_id>/delete/", assignments.rule_preset_delete, name="rule_preset_delete"
        ),
        path("a/<id:assignment_id>/", thread.thread_detail, name="thread_detail"),
        path("a/<id:assignment_id>/settings/", assignments.assignment_edit, name="assignment_edit"),
        path("a/<id:assignment_id>/lock/", assignments.thread_lock, name="thread_lock"),
        path(
            "a/<id:assignment_id>/brief-version/",
            assignments.assignment_brief_version,
            name="assignment_brief_version",
        ),
        path("a/<id:assignment_id>/report/", report.assignment_report, name="assignment_report"),
        path("a/<id:assignment_id>/feedback/<id:student_id>/", report.feedback_save, name="feedback_save"),
        path("a/<id:assignment_id>/grades.csv", report.grades_export, name="grades_export"),
        path("a/<id:assignment_id>/responses.csv", report.responses_export, name="responses_export"),
        path("groups/<id:group_id>/students/import/", roster.roster_import, name="roster_import"),
        path(
            "groups/<id:group_id>/invitations/<id:invitation_id>/withdraw/",
            invitations.invitation_withdraw,
            name="invitation_withdraw",
        ),
        path(
            "invitations/<id:invitation_id>/accept/", invitations.invitation_accept, name="invitation_accept"
        ),
        path(
            "invitations/<id:invitation_id>/decline/",
            invitations.invitation_decline,
            name="invitation_decline",
        ),
        path("groups/<id:group_id>/dashboard/", report.group_dashboard, name="group_dashboard"),
        path("groups/<id:group_id>/gradebook/", report.group_gradebook, name="group_gradebook"),
        path(
            "groups/<id:group_id>/gradebook.csv",
            report.group_gradebook_export,
            {"layout": "agora"},
            name="group_gradebook_export",
        ),
        path(
            "groups/<id:group_id>/gradebook-canvas.csv",
            report.group_gradebook_export,
            {"layout": "canvas"},
            name="group_gradebook_canvas",
        ),
        path(
            "groups/<id:group_id>/gradebook-moodle.csv",
            report.group_gradebook_export,
            {"layout": "moodle"},
            name="group_gradebook_moodle",
        ),
        path(
            "groups/<id:group_id>/responses.csv",
            report.group_responses_export,
            name="group_responses_export",
        ),
        path("a/<id:assignment_id>/responses/", thread.response_create, name="response_create"),
        path("a/<id:assignment_id>/preview/", thread.response_preview, name="response_preview"),
        path("a/<id:assignment_id>/poll/", poll.thread_poll, name="thread_poll"),
        path("a/<id:assignment_id>/stance/", thread.stance_save, name="stance_save"),
        path("r/<id:response_id>/", thread.response_detail, name="response_detail"),
        path("r/<id:response_id>/reply/", thread.response_reply, name="response_reply"),
        path("r/<id:response_id>/edit/", thread.response_edit, name="response_edit"),
        path("r/<id:response_id>/delete/", thread.response_delete, name="response_delete"),
        path("r/<id:response_id>/fair/", thread.steelman_fair, name="steelman_fair"),
        path("r/<id:response_id>/hide/", moderation.response_hide, name="response_hide"),
        path("r/<id:response_id>/unhide/", moderation.response_unhide, name="response_unhide"),
        path("r/<id:response_id>/highlight/", moderation.response_highlight, name="response_highlight"),
        path("r/<id:response_id>/pin/", moderation.response_pin, name="response_pin"),
        path("a/<id:assignment_id>/log/", moderation.moderation_log, name="moderation_log"),
        path("a/<id:assignment_id>/extensions/<id:student_id>/", moderation.due_extend, name="due_extend"),
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
    path("lti/", include("classroom.lti.urls")),
    path("healthz", health.healthz, name="healthz"),
    # The language switcher on the login and join pages posts here before anyone signs in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The strings of Agora's JavaScript in one language; the version changes with them.
    path("i18n/js/<str:language>/<str:version>.js", jscatalog.js_catalog, name="js_catalog"),
]

if os.environ.get("AGORA_BENCH") == "1":
    # Served only while `make bench` runs the app: the framework's floor to compare pages with.
    urlpatterns.append(path("bench/floor", health.bench_floor, name="bench_floor"))
    # The same thread's rows in a plain Django template: what a response costs without our decisions.
    urlpatterns.append(path("bench/plain/<id:assignment_id>", health.bench_plain, name="bench_plain"))
    # And the same rows written by Jinja2, the engine of the response card.
    urlpatterns.append(
        path("bench/plain-jinja/<id:assignment_id>", health.bench_plain_jinja, name="bench_plain_jinja")
    )
