"""The report's line about scores on their way to the LMS, and those it did not take."""

from django import template

from classroom.lti.models import ScorePassback
from classroom.models import Assignment

register = template.Library()


@register.inclusion_tag("lti/_passbacks.html")
def lti_passbacks(assignment: Assignment) -> dict:
    passbacks = list(
        ScorePassback.objects.filter(assignment=assignment)
        .exclude(status=ScorePassback.Status.SENT)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    )
    return {
        "failed": [p for p in passbacks if p.status == ScorePassback.Status.FAILED],
        "pending": sum(1 for p in passbacks if p.status == ScorePassback.Status.PENDING),
    }
