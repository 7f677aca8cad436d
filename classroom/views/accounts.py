"""Accounts: a person's profile, a password reset that tells the truth about the mail, and
the page a teacher's set-password link opens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from classroom.actions import record_set_password_link_used, set_time_zone, update_profile
from classroom.forms import PasswordResetForm, ProfileForm, TimeZoneForm
from classroom.middleware import activate_language
from classroom.tokens import set_password_link_tokens


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page; when the mail could not go out, the next page says so."""

    form_class = PasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.use_https = self.request.is_secure()  # the link in the mail, behind the TLS proxy too
        response = super().form_valid(form)
        if form.mail_failed:
            return redirect("password_reset_unsent")
        return response


class SetPasswordLinkConfirmView(auth_views.PasswordResetConfirmView):
    """The page a teacher's set-password link opens: Django's, with the link's own tokens."""

    token_generator = set_password_link_tokens
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"from_teacher": True}

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        record_set_password_link_used(student=form.user)
        return response


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
    }
    form = ProfileForm(request.POST or None, initial=initial, email_required=user.is_instructor)
    if request.method == "POST" and form.is_valid():
        update_profile(user=user, **form.cleaned_data)
        activate_language(request)  # the message below already in the language just chosen
        messages.success(request, _("Your profile is saved."))
        return redirect("classroom:profile_edit")
    zone_form = TimeZoneForm(initial={"time_zone": user.time_zone}, current=user.time_zone)
    return render(request, "classroom/profile_edit.html", {"form": form, "zone_form": zone_form})


@require_http_methods(["POST"])
def profile_time_zone(request: HttpRequest) -> HttpResponse:
    """The profile page's time zone form; a refused name changes nothing and says why."""
    user = request.user
    zone_form = TimeZoneForm(request.POST, current=user.time_zone)
    if zone_form.is_valid():
        set_time_zone(user=user, time_zone=zone_form.cleaned_data["time_zone"])
        messages.success(
            request, _("Times are now shown in %(zone)s.") % {"zone": user.time_zone or settings.TIME_ZONE}
        )
        return redirect("classroom:profile_edit")
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
    }
    form = ProfileForm(initial=initial, email_required=user.is_instructor)
    return render(request, "classroom/profile_edit.html", {"form": form, "zone_form": zone_form})
