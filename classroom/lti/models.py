"""What Agora keeps about LTI besides django-lti's registrations, users, contexts and links."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiRegistration, LtiResourceLink


class LaunchValue(models.Model):
    """A value of the OIDC login and launch (state, nonce, launch data) for PyLTI1p3, in the
    database so the worker that takes the launch sees what the login's worker stored."""

    key = models.CharField(max_length=255, unique=True)
    # JSON as text: a JSONField makes `manage.py migrate` on a new SQLite file open the
    # database in its system checks, before the project's migrate command has created it.
    value = models.TextField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class PlatformFrame(models.Model):
    """Where a registered platform shows Agora in a frame: the origins its pages are on."""

    registration = models.OneToOneField(LtiRegistration, on_delete=models.CASCADE, related_name="frame")
    origins = models.TextField(
        blank=True,
        help_text=_(
            "Origins of the LMS's pages that show Agora in a frame, one a line "
            "(https://school.instructure.com). The issuer's and login URL's origins are always allowed."
        ),
    )

    def __str__(self) -> str:
        return f"Frame origins of {self.registration}"


class Course(models.Model):
    """An LMS course (an LTI context) is an Agora group."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="agora_course")
    group = models.ForeignKey("classroom.Group", on_delete=models.CASCADE, related_name="lti_courses")

    def __str__(self) -> str:
        return f"{self.context} → {self.group}"


class Link(models.Model):
    """An LMS link (an LTI resource link) opens one thread."""

    resource_link = models.OneToOneField(LtiResourceLink, on_delete=models.CASCADE, related_name="agora_link")
    assignment = models.ForeignKey("classroom.Assignment", on_delete=models.CASCADE, related_name="lti_links")
    # The AGS line item of the link (its launch's endpoint claim), where the thread's scores go.
    lineitem_url = models.URLField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.resource_link} → {self.assignment_id}"


class LaunchTicket(models.Model):
    """A one-time, short-lived ticket that turns a validated launch into a session.

    The launch's POST comes from the platform's site; the ticket lets the next request, a
    GET to Agora itself, log the person in, and lets a browser that keeps no cookies in a
    frame continue in a new window.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    next_url = models.CharField(max_length=500)
    frame_origins = models.TextField(blank=True)  # one origin a line (not JSON: see LaunchValue)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Launch ticket for {self.user_id}"


class ScorePassback(models.Model):
    """The outbox of one student's score for one thread, on its way to the LMS's line item:
    written with the score, sent by a task, kept with its error until it is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("not sent")

    assignment = models.ForeignKey(
        "classroom.Assignment", on_delete=models.CASCADE, related_name="score_passbacks"
    )
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="one_passback_per_student_and_thread"
            )
        ]

    def __str__(self) -> str:
        return f"Score {self.score} of {self.student_id} for {self.assignment_id}: {self.status}"
