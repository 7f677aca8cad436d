"""The language a brief is written in: a BCP 47 code such as "ru", "es-mx" or "zh-hans".

Django's table of languages (django.conf.locale.LANG_INFO) is the list of codes we know, and
says which are written right to left. Pure: no database.
"""

import re

from django.conf import settings
from django.conf.locale import LANG_INFO

# language[-script][-region][-variant…]: the shape of a BCP 47 tag, without extensions.
TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
_PRIMARY = {code.split("-")[0]: code for code, info in LANG_INFO.items() if "name" in info}


def normalise_language(code: str) -> str | None:
    """The code as stored (lowercase, hyphens), or None when it names no language we know."""
    code = code.strip().replace("_", "-").lower()
    if not TAG.fullmatch(code):
        return None
    info = LANG_INFO.get(code, {})
    if "fallback" in info:  # "zh-cn" is written "zh-hans"
        return info["fallback"][0]
    return code if code in LANG_INFO or code.split("-")[0] in _PRIMARY else None


def text_language(code: str) -> str:
    """The language of a text marked `code`: blank means the site's own language."""
    return code or settings.LANGUAGE_CODE


def is_right_to_left(code: str) -> bool:
    code = text_language(code)
    info = LANG_INFO.get(code) or LANG_INFO.get(_PRIMARY.get(code.split("-")[0], ""), {})
    return bool(info.get("bidi"))


def language_choices() -> list[tuple[str, str]]:
    """Every language Django names, by its own name ("Русский (Russian)"), in that order."""
    named = [
        (code, f"{info['name_local']} ({info['name']})") for code, info in LANG_INFO.items() if "name" in info
    ]
    return sorted(named, key=lambda choice: choice[1].casefold())
