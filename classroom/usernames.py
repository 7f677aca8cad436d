"""Usernames suggested from a person's name: "Ana Lima" is ana.lima, or ana.lima2 when taken."""

import re
import unicodedata

from classroom.models import User

BASE_MAX_LENGTH = 30  # short enough to type at a login form; suffixes stay under the column's 150
FALLBACK = "student"

# Cyrillic (Russian, Ukrainian, Belarusian) and Greek letters in Latin, as passports of those
# countries spell names (simplified, no diacritics), so "Мария Иванова" can sign in as
# maria.ivanova on any keyboard. Scripts without a common Latin spelling (CJK...) give "".
_LATIN = {
    **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziiklmnoprstufye", strict=True)),
    "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ь": "",
    "ю": "iu", "я": "ia", "є": "ie", "і": "i", "ґ": "g", "ў": "u",
    **dict(zip("αβγδεζηικλμνξοπρστυφως", "avgdeziiklmnxoprstyfos", strict=True)),
    "θ": "th", "χ": "ch", "ψ": "ps",
}  # fmt: skip
_TO_LATIN = str.maketrans(_LATIN)


def _latin(name: str) -> str:
    """The name with accents dropped (ё, й and ї lose theirs too: e, i, i) and Cyrillic and
    Greek letters spelled in Latin."""
    bare = "".join(c for c in unicodedata.normalize("NFD", name.lower()) if not unicodedata.combining(c))
    return bare.replace("ου", "ou").translate(_TO_LATIN)


def split_name(name: str) -> tuple[str, str]:
    """One "Your name" box into (first name, last name): the first word, and the rest."""
    first, _, last = " ".join(name.split()).partition(" ")
    return first, last


def username_base(name: str) -> str:
    """Lowercase ASCII words of the name joined by dots; accents dropped, Cyrillic and Greek
    spelled in Latin, other scripts give ""."""
    ascii_name = unicodedata.normalize("NFKD", _latin(name)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    base = ""
    for word in words:
        longer = f"{base}.{word}" if base else word
        if len(longer) > BASE_MAX_LENGTH:
            break
        base = longer
    return base or (words[0][:BASE_MAX_LENGTH] if words else "")


def free_username(name: str) -> str:
    """The base of the name, or the same with the first free number (2, 3, ...) after it.
    Free ignores case, as the sign-up form does ("Sam" and "sam" are one username)."""
    base = username_base(name) or FALLBACK
    taken = {
        username.lower()
        for username in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"
