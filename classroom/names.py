"""Usernames and names that cannot pass for somebody else's.

Every path that creates or renames an account checks here: sign-up and the admin through
User.clean(), the createinstructor command through full_clean(), the roster import
through classroom.roster (one row) and classroom.actions.import_roster (against the
accounts that exist).

A username is kept in NFKC (fullwidth "ａｎａ" is "ana"), is written in one script
(Latin "a" next to a Cyrillic "а" in one username is refused) and may not look like an
existing username: both are reduced to a skeleton (NFKC, look-alike letters and digits
case-folded, look-alike letters and digits mapped to one Latin letter) and equal skeletons
are one name. The table of
look-alikes below is a small, deliberate subset of Unicode's confusables (UTS #39): the
Cyrillic and Greek letters that are drawn like Latin ones, and 0/O, 1/I/l. Comparing
against every username is a scan of one column, fine for a school's few thousand accounts.

First and last names may be in any script, but may not carry the characters that change
the direction of the text around them (a name with U+202E would print the rest of its
line backwards); templates also print names inside <bdi>.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Embeddings and overrides (U+202A-E), isolates (U+2066-9), marks (U+200E/F, U+061C).
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

# Each lower-case letter on the left, or its capital, is drawn like the Latin letter under it.
# Usernames are compared case-insensitively, so the table cannot map "I" to "l" (it would
# make "i" and "l" one letter); "1" is mapped to "l" and "0" to "o".
_LOOK_ALIKES = [
    ("авеѕіјкмнорстхуүԁһԛԝӏѵ", "abesijkmhopctxyydhqwlv"),  # Cyrillic
    ("αβεζηικμνορτυχ", "abezhikmnoptyx"),  # Greek
    ("01", "ol"),
]
LOOK_ALIKES = {
    ord(char): latin for chars, latins in _LOOK_ALIKES for char, latin in zip(chars, latins, strict=True)
}

# Scripts that are written together in one name (Japanese mixes kana and kanji).
_SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "CJK": "CJK"}

USERNAME_TAKEN = _("This username is taken, or looks too much like one that is. Choose another.")
MIXED_SCRIPTS = _("Write the username in one alphabet: it mixes letters of different scripts.")
DIRECTION_IN_NAME = _("Names cannot contain characters that change the direction of the text.")


def normalise_username(username: str) -> str:
    """The form a username is kept in (as Django's AbstractBaseUser.normalize_username)."""
    return unicodedata.normalize("NFKC", username)


def skeleton(username: str) -> str:
    """What a username looks like: two usernames with one skeleton cannot be told apart."""
    return normalise_username(username).casefold().translate(LOOK_ALIKES)


def scripts_of(text: str) -> set[str]:
    """The scripts of the letters in text ("LATIN", "CYRILLIC", ...); digits and signs have none."""
    scripts = set()
    for char in text:
        if unicodedata.category(char).startswith("L"):
            script = unicodedata.name(char, "UNKNOWN").split()[0]
            scripts.add(_SCRIPT_FAMILIES.get(script, script))
    return scripts


def username_problem(username: str) -> str:
    """Why a (normalised) username may not be used whoever else exists, or ""."""
    if len(scripts_of(username)) > 1:
        return MIXED_SCRIPTS
    return ""


def name_problem(name: str) -> str:
    """Why a first or last name may not be used, or ""."""
    if DIRECTION_CONTROLS & set(name):
        return DIRECTION_IN_NAME
    return ""


def username_clashes(username: str, *, exclude_pk: int | None = None) -> bool:
    """Whether an existing account's username looks like this one (its own excepted)."""
    from classroom.models import User

    wanted = skeleton(username)
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    return any(skeleton(other) == wanted for other in others.values_list("username", flat=True).iterator())


def skeletons_in_use() -> set[str]:
    """The skeletons of every existing username (for checking many new ones at once)."""
    from classroom.models import User

    return {skeleton(name) for name in User.objects.values_list("username", flat=True).iterator()}


def check_user(user: object) -> None:
    """Raise a ValidationError naming each field of a user (new or changed) that is refused."""
    errors: dict[str, str] = {}
    for field in ("first_name", "last_name"):
        if problem := name_problem(getattr(user, field)):
            errors[field] = problem
    username = user.username
    if username and _username_changed(user):
        if problem := username_problem(username):
            errors["username"] = problem
        elif username_clashes(username, exclude_pk=user.pk):
            errors["username"] = ValidationError(USERNAME_TAKEN, code="unique")
    if errors:
        raise ValidationError(errors)


def _username_changed(user: object) -> bool:
    # An account kept under a name from before these rules is not refused for its other fields.
    if user.pk is None:
        return True
    stored = type(user).objects.filter(pk=user.pk).values_list("username", flat=True).first()
    return stored != user.username
