"""Assignment and Grade Services: a score saved in Agora goes to the LMS's line item.

Saving feedback writes (or rewrites) the student's outbox row and a task sends it; a
failure stays in the row with its error, shown on the thread's report with a retry button,
so no score is silently lost.
"""

import logging
from datetime import timedelta

import requests
from django.db import transaction
from django.db.models.signals import post_save
from django.tasks import default_task_backend, task
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from classroom.lti.models import Link, ScorePassback
from classroom.models import Feedback

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
]


def graded_link(assignment_id: int) -> Link | None:
    return (
        Link.objects.filter(assignment_id=assignment_id)
        .exclude(lineitem_url="")
        .select_related("resource_link__context__deployment__registration", "assignment")
        .first()
    )


def queue_score(feedback: Feedback) -> ScorePassback | None:
    """Put the student's score in the outbox and send it once the transaction commits."""
    if feedback.score is None or graded_link(feedback.assignment_id) is None:
        return None
    passback, _ = ScorePassback.objects.update_or_create(
        assignment_id=feedback.assignment_id,
        student_id=feedback.student_id,
        defaults={
            "score": feedback.score,
            "status": ScorePassback.Status.PENDING,
            "attempts": 0,
            "last_error": "",
        },
    )
    transaction.on_commit(lambda: send_score.enqueue(passback.pk))
    return passback


def feedback_saved(sender: type, instance: Feedback, **kwargs: object) -> None:
    queue_score(instance)


def connect() -> None:
    post_save.connect(feedback_saved, sender=Feedback, dispatch_uid="lti-score-passback")


def _post_score(passback: ScorePassback, link: Link) -> None:
    registration = link.resource_link.context.deployment.registration
    lti_user = LtiUser.objects.filter(registration=registration, auth_user_id=passback.student_id).first()
    if lti_user is None:
        raise LtiException("the student has no account at this LMS")
    grade = (
        Grade()
        .set_user_id(lti_user.sub)
        .set_score_given(float(passback.score))
        .set_score_maximum(float(link.assignment.points))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(timezone.now().isoformat())
    )
    session = requests.Session()
    connector = ServiceConnector(registration.to_registration(), session)
    service = AssignmentsGradesService(connector, {"scope": SCOPES, "lineitem": link.lineitem_url})
    service.put_grade(grade)


@task
def send_score(passback_id: int) -> str:
    """One passback: tried up to MAX_ATTEMPTS times (later, where the task backend can defer)."""
    passback = ScorePassback.objects.filter(pk=passback_id).exclude(status=ScorePassback.Status.SENT).first()
    if passback is None:
        return "nothing to send"
    link = graded_link(passback.assignment_id)
    while True:
        passback.attempts += 1
        try:
            if link is None:
                raise LtiException("the thread's LMS link has no line item")
            _post_score(passback, link)
        except (LtiException, LtiServiceException, requests.RequestException) as error:
            passback.status, passback.last_error = ScorePassback.Status.FAILED, describe(error)
            passback.save(update_fields=["status", "last_error", "attempts", "updated_at"])
            log.warning(
                "score passback %s failed (attempt %s): %s",
                passback.pk,
                passback.attempts,
                passback.last_error,
            )
            if passback.attempts >= MAX_ATTEMPTS:
                return "failed"
            if default_task_backend.supports_defer:
                later = timezone.now() + timedelta(minutes=2**passback.attempts)
                send_score.using(run_after=later).enqueue(passback.pk)
                return "retry later"
            continue  # a backend that runs tasks at once: try again now
        # Only if no newer score came in meanwhile: that one is on its way already.
        ScorePassback.objects.filter(pk=passback.pk, score=passback.score).update(
            status=ScorePassback.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            attempts=passback.attempts,
        )
        return "sent"


def describe(error: Exception) -> str:
    if isinstance(error, LtiServiceException):
        return f"the LMS answered {error.response.status_code}"
    return str(error)[:500]


@transaction.atomic
def retry_passback(passback: ScorePassback) -> None:
    ScorePassback.objects.filter(pk=passback.pk).update(status=ScorePassback.Status.PENDING, attempts=0)
    transaction.on_commit(lambda: send_score.enqueue(passback.pk))
