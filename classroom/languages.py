"""Which language a person reads Agora in: their own choice (User.language), else the
browser's; and the language mail is written in when no request is there to ask."""

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation

# The claim an LTI 1.3 launch names the person's language in (a BCP 47 tag, such as "es-MX").
LTI_PRESENTATION_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


def supported(code: str | None) -> str:
    """One of settings.LANGUAGES for a language tag ("ru-RU" → "ru"), or "" for none we ship."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.replace("_", "-").lower())
    except LookupError:
        return ""


def active() -> str:
    """The language of the request being answered (LocaleMiddleware: cookie, then browser):
    a new account starts in it."""
    return supported(translation.get_language())


def of_lti_launch(launch_data: dict | None) -> str:
    """The language the LMS shows the person, from the launch's presentation claim ("" if none)."""
    presentation = (launch_data or {}).get(LTI_PRESENTATION_CLAIM)
    if not isinstance(presentation, dict) or not isinstance(presentation.get("locale"), str):
        return ""
    return supported(presentation["locale"])


def of_user(user) -> str:
    """The language a person reads mail in: their own, else the site's (mail has no browser)."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def speaking_to(user) -> AbstractContextManager:
    """Render a mail or notification for `user` in their language, wherever it runs (the task
    worker has no request, so nothing else would choose it)."""
    return translation.override(of_user(user))
