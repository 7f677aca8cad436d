"""The translation catalogs stay whole: current with the code, every string translated in every
shipped language with all its plural forms, the same placeholders as the English, and compiled.

These fail while a catalog is unfinished: a language ships complete or not at all. How to add a
string or a language: docs/translations.md.
"""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "classroom" / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ["django", "djangojs"]
PLURAL_FORMS = {"es": 2, "fr": 2, "de": 2, "ru": 3, "uk": 3}  # GNU gettext's rules
# What a copy of the project leaves out: nothing in these is scanned for strings.
NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "staticfiles", "sent-mail", "node_modules", "__pycache__", "screenshots",
    "test-results", "results", "db.sqlite3*", ".pytest_cache", ".ruff_cache", "*.mo",
)  # fmt: skip
# %(name)s, %s, %d..., and %% (a literal percent sign, no placeholder).
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifrx%])")


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header and the entries of a .po file (obsolete #~ entries left out)."""
    entries: list[Entry] = []
    entry, part, flags = None, None, set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = None, line
        if keyword in ("msgctxt", "msgid") and (entry is None or entry.msgstr):
            entry = Entry(msgid="", flags=flags, line=number)
            entries.append(entry)
            flags = set()
        if keyword is not None:
            part = keyword
        value = unquote(rest)
        if part == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif part == "msgid":
            entry.msgid += value
        elif part == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif part == "msgstr":
            entry.msgstr[0] = entry.msgstr.get(0, "") + value
        elif part.startswith("msgstr["):
            index = int(part[7:-1])
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
    header = entries[0] if entries and entries[0].msgid == "" else Entry(msgid="")
    return header, [e for e in entries if e.msgid != ""]


def catalog(language: str, domain: str, root: Path = ROOT) -> Path:
    return root / "classroom" / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


def need_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is missing ({', '.join(missing)}): the catalogs cannot be checked. "
            "Install it (Debian/Ubuntu: apt-get install gettext)."
        )


def shown(entries: list[Entry], limit: int = 15) -> str:
    lines = [f"  line {e.line}: {e.msgid[:90]!r}" for e in entries[:limit]]
    more = f"\n  … and {len(entries) - limit} more" if len(entries) > limit else ""
    return "\n".join(lines) + more


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory) -> Path:
    """scripts/messages (what `make messages` runs) on a copy of the project: the catalogs as
    they would be now."""
    need_gettext()
    copy = tmp_path_factory.mktemp("project") / "agora"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED, symlinks=True)
    done = subprocess.run(
        ["sh", "scripts/messages", sys.executable],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "classroom.settings"},
    )
    assert done.returncode == 0, f"scripts/messages failed:\n{done.stderr[-3000:]}"
    return copy


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", SHIPPED)
def test_the_catalogs_are_current_with_the_code(fresh_catalogs, language, domain):
    path = catalog(language, domain)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make messages`."
    now = {e.key for e in read_po(catalog(language, domain, fresh_catalogs))[1]}
    kept = {e.key for e in read_po(path)[1]}
    new, gone = sorted(now - kept, key=str), sorted(kept - now, key=str)
    assert not new and not gone, (
        f"{path.relative_to(ROOT)} is out of date with the code: run `make messages` and commit.\n"
        f"Not in the catalog yet ({len(new)}): {[k[1][:60] for k in new[:10]]}\n"
        f"No longer in the code ({len(gone)}): {[k[1][:60] for k in gone[:10]]}"
    )


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_is_translated_with_all_its_plural_forms(language, domain):
    path = catalog(language, domain)
    header, entries = read_po(path)
    plural_forms = re.search(r"^Plural-Forms:.*nplurals=(\d+)", header.msgstr.get(0, ""), re.M)
    assert plural_forms and int(plural_forms.group(1)) == PLURAL_FORMS[language], (
        f"{path.relative_to(ROOT)}: the header's Plural-Forms must say nplurals={PLURAL_FORMS[language]}"
    )
    assert "fuzzy" not in header.flags, f"{path.relative_to(ROOT)}: the header is marked fuzzy"
    forms = range(PLURAL_FORMS[language])
    fuzzy = [e for e in entries if "fuzzy" in e.flags]
    untranslated = [
        e
        for e in entries
        if "fuzzy" not in e.flags
        and not all(e.msgstr.get(n) for n in (forms if e.msgid_plural is not None else [0]))
    ]
    assert not fuzzy, f"{path.relative_to(ROOT)}: {len(fuzzy)} fuzzy (unchecked) entries:\n{shown(fuzzy)}"
    assert not untranslated, (
        f"{path.relative_to(ROOT)}: {len(untranslated)} of {len(entries)} strings are not translated "
        f"(or miss a plural form):\n{shown(untranslated)}"
    )


def placeholders(text: str) -> list[str]:
    return sorted(
        f"%({name})" if name else f"%{kind}" for name, kind in PLACEHOLDER.findall(text) if kind != "%"
    )


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders_of_the_english(language, domain):
    path = catalog(language, domain)
    wrong = []
    for entry in read_po(path)[1]:
        # xgettext flags Python's format strings, but not every JavaScript one: look at both.
        english_text = entry.msgid + (entry.msgid_plural or "")
        if not ({"python-format", "javascript-format"} & entry.flags or placeholders(english_text)):
            continue
        for index, text in entry.msgstr.items():
            if not text:
                continue  # untranslated: the test above says so
            english = entry.msgid if entry.msgid_plural is None or index == 0 else entry.msgid_plural
            if entry.msgid_plural is not None:
                # Any form may say the count (or not, as "one" in a language that writes a word).
                allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
                if not set(placeholders(text)) <= allowed:
                    wrong.append(f"  line {entry.line} [{index}]: {text!r} for {english!r}")
            elif placeholders(text) != placeholders(english):
                wrong.append(f"  line {entry.line}: {text!r} for {english!r}")
    assert not wrong, f"{path.relative_to(ROOT)}: placeholders differ from the English:\n" + "\n".join(wrong)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", SHIPPED)
def test_the_compiled_catalog_is_the_po_compiled(tmp_path, language, domain):
    need_gettext()
    path = catalog(language, domain)
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled.relative_to(ROOT)} is missing: run `make messages` and commit it."
    fresh = tmp_path / "fresh.mo"
    done = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"{path.relative_to(ROOT)} does not compile:\n{done.stderr}"
    assert fresh.read_bytes() == compiled.read_bytes(), (
        f"{compiled.relative_to(ROOT)} is older than its .po: run `make messages` and commit it."
    )
