"""Text folded for search, so that "eleccion" finds "elección", "Osterreich" finds
"Österreich" and "ежик" finds "Ёжик": the one place both the stored text and the query
are folded, the same way on SQLite and PostgreSQL (no database extension needed)."""

import unicodedata

# Letters with no decomposition that readers type without their mark (after casefold).
PLAIN_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "ı": "i"})


def fold(text: str) -> str:
    """Compatibility-decomposed (NFKD), without combining marks, case-folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.casefold().translate(PLAIN_LETTERS)
