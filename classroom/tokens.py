"""The one-time set-password links instructors hand to students who have no email.

Django's PasswordResetTokenGenerator, with its own salt (an emailed reset token does not
open this page, nor this token the emailed one's) and a shorter life. A token hashes the
student's password and last login, so setting a password by any route ends every link.
"""

from datetime import timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int

SET_PASSWORD_LINK_LIFETIME = timedelta(hours=72)


class SetPasswordLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "classroom.tokens.SetPasswordLinkTokenGenerator"

    def check_token(self, user, token: str | None) -> bool:
        if not super().check_token(user, token):
            return False
        made = base36_to_int(token.partition("-")[0])  # well-formed: super() checked it
        return self._num_seconds(self._now()) - made <= SET_PASSWORD_LINK_LIFETIME.total_seconds()


set_password_link_tokens = SetPasswordLinkTokenGenerator()
