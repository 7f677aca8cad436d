"""Accounts: a password reset that tells the truth about the mail."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect

from classroom.forms import PasswordResetForm


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page; when the mail could not go out, the next page says so."""

    form_class = PasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.use_https = self.request.is_secure()  # the link in the mail, behind the TLS proxy too
        response = super().form_valid(form)
        if form.mail_failed:
            return redirect("password_reset_unsent")
        return response
