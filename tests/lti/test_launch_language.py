"""A person's first launch makes their account in the LMS's language (its launch_presentation
locale), else in the browser's. The teacher launches: a student's account is made by the roster
sync the teacher's launch starts, with no request and so no language (mail then in LANGUAGE_CODE)."""

from lti_tool.models import LtiUser

from tests.lti.conftest import HttpLaunch
from tests.lti_platform import LTI


def launched_language(platform, who: str, presentation: dict, accept_language: str) -> str:
    platform.changes = {LTI + "launch_presentation": presentation}
    launch = HttpLaunch(platform, "link-1", who)
    response = launch.post(headers_extra={"Accept-Language": accept_language})
    assert response.status_code in (200, 302), response.text[:500]
    sub = platform.people[who].sub
    return LtiUser.objects.get(sub=sub).auth_user.language


def test_the_lms_locale_names_the_new_accounts_language(platform):
    language = launched_language(platform, "teacher", {"document_target": "iframe", "locale": "uk-UA"}, "en")
    assert language == "uk"


def test_without_a_locale_the_browsers_language_is_used(platform):
    assert launched_language(platform, "teacher", {"document_target": "iframe"}, "es-MX,es;q=0.8") == "es"


def test_a_locale_agora_does_not_ship_falls_back_to_the_browsers(platform):
    language = launched_language(platform, "teacher", {"document_target": "iframe", "locale": "tlh"}, "de")
    assert language == "de"
