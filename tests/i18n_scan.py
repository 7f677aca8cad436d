"""Finding English left on a translated screen: the shipped catalog's source strings, looked for as whole phrases.

A msgid counts when its translation differs from it (an empty or fuzzy translation shows
the English, so it counts too); one translated as itself ("Agora") does not. Placeholders
(%(name)s) match any short run of text, markup in a msgid is dropped (the screen's text has
none), and very short msgids (≤ 3 characters) are left out: they match too much by chance.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
TAG = re.compile(r"<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)

    @property
    def translated_as_itself(self) -> bool:
        """A word kept on purpose ("Agora"): every form is filled in and equals the source."""
        return all(self.msgstrs) and all(text in (self.msgid, self.msgid_plural) for text in self.msgstrs)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, the header and obsolete (#~) ones left out; enough of the format for Django's."""
    entries, entry, target = [], None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword == "msgctxt" or (keyword == "msgid" and target != "msgctxt"):
                entry = Entry()
                entries.append(entry)
            target = "msgstr" if keyword.startswith("msgstr") else keyword
            if target == "msgstr":
                entry.msgstrs.append("")
        if target == "msgid":
            entry.msgid += value
        elif target == "msgid_plural":
            entry.msgid_plural += value
        elif target == "msgstr":
            entry.msgstrs[-1] += value
    return [entry for entry in entries if entry.msgid]


def load_catalog(path: Path) -> list[Entry]:
    return parse_po(path.read_text(encoding="utf-8"))


def english_phrases(entries: list[Entry], content: list[str] = ()) -> list[str]:
    """The source strings that would still read as English, without those that are also the class's own words."""
    content_lower = [text.lower() for text in content]
    phrases = set()
    for entry in entries:
        if entry.translated_as_itself:
            continue
        for msgid in (entry.msgid, entry.msgid_plural):
            visible = " ".join(TAG.sub("", msgid).split())
            if len(PLACEHOLDER.sub("", visible).strip(" .,:;·()“”")) <= 3:
                continue
            if any(visible.lower() in text for text in content_lower):
                continue
            phrases.add(visible)
    return sorted(phrases)


def phrase_pattern(phrase: str) -> re.Pattern:
    parts = [re.escape(part) for part in PLACEHOLDER.split(phrase)]
    body = r".{1,80}?".join(parts).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<!\w){body}(?!\w)")


def english_on_screen(screen_text: str, phrases: list[str], content: list[str] = ()) -> list[str]:
    """The phrases found on a screen, after the class's own words (brief, names, answers) are taken out of it."""
    for text in sorted(content, key=len, reverse=True):
        if text:
            screen_text = screen_text.replace(text, " ")
    return [phrase for phrase in phrases if phrase_pattern(phrase).search(screen_text)]
