"""Parse the plain-text brief format described in docs/brief-format.md. Pure: no database.

Each brief is a run of lines ending with its question (the first line ending in
"?", or a question mark of another script). Before the question: an optional headline,
the summary, an optional commentary. A line "Language: ru" between briefs sets the
language of the briefs after it. `parse_briefs()` returns every brief it could read and every error,
each naming its line; callers import nothing when there is any error.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext

from briefs.languages import normalise_language

TITLE_MAX = 200
TITLE_DERIVED_MAX = 90  # about a line of a heading on a laptop
FIELD_MAX = 5000
TEXT_MAX_LINES = 100_000
# A headline is a line that does not end like a sentence.
SENTENCE_END = (".", "!", '"', "”", ")", "。", "！", "」", "』")
# A question ends in "?", or in the question mark of Chinese and Japanese, Arabic or Greek
# (U+037E; Greek text usually has the ";" it looks like, which ends a question only in a
# brief marked Greek: elsewhere it is a semicolon).
QUESTION_END = ("?", "？", "؟", "\u037e")
GREEK_QUESTION_END = ";"
# "Language: ru" on a line of its own, between briefs: the language of the briefs after it.
LANGUAGE_LINE = re.compile(r"language:\s*(\S*)", re.IGNORECASE)
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "col",
        "lt",
        "sgt",
        "rep",
        "sen",
        "gov",
        "pres",
        "no",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


@dataclass(frozen=True)
class ParsedBrief:
    line: int  # line number of the brief's first line
    title: str
    summary: str
    commentary: str
    question: str
    has_headline: bool
    language: str = ""  # a code from briefs.languages; "" is the site's language

    @property
    def content_hash(self) -> str:
        return content_hash(self.summary, self.question)


@dataclass(frozen=True)
class ParseError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParseResult:
    briefs: list[ParsedBrief] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def content_hash(summary: str, question: str) -> str:
    """Identity of a brief for idempotent import: whitespace does not count."""
    key = normalise_space(summary) + "\n" + normalise_space(question)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# Sentence rules. A brief's sentences are numbered by one rule (Brief.sentence_rule), and
# answers quote a sentence by its number, so a rule never changes once shipped: a better
# rule is a new number, used by new briefs and new versions, and briefs.migrations /
# classroom.migrations move existing briefs to it only where no quote would move.
SENTENCE_RULE_LATIN = 1  # the first rule: a sentence starts at A-Z or a digit
SENTENCE_RULE_UNICODE = 2  # any script: a capital or uncased letter, CJK marks, more abbreviations
SENTENCE_RULE = SENTENCE_RULE_UNICODE  # what new briefs use


def split_sentences(text: str, rule: int = SENTENCE_RULE) -> list[str]:
    """Split prose into sentences by `rule`, keeping "U.S." and "Mr." inside theirs.

    Each sentence is a slice of `text` with its outer whitespace trimmed, so joined back
    they are the text.
    """
    if rule == SENTENCE_RULE_LATIN:
        return _split_sentences_latin(text)
    if rule == SENTENCE_RULE_UNICODE:
        return _split_sentences_unicode(text)
    raise ValueError(f"unknown sentence rule {rule}")


def _split_sentences_latin(text: str) -> list[str]:
    """Rule 1, frozen: a sentence starts only at A-Z or a digit."""
    sentences: list[str] = []
    start = 0
    for match in re.finditer(r'[.!?]["”’)]*(?=\s+["“‘(]?[A-Z0-9])', text):
        word = text[start : match.start() + 1].split()[-1].rstrip(".").lower()
        initials = re.fullmatch(r"(?:[a-z]\.)*[a-z]", word)  # "U.S.", "e.g."
        if word in ABBREVIATIONS or (initials and not _starts_a_sentence(text, match.end())):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


# After initials ("the U.S. He said…"), these words begin a new sentence; names and titles
# ("U.S. President", "U.S. Secretary") do not.
SENTENCE_STARTERS = frozenset(
    "A An And As At But He Her His However I In It Its Meanwhile On She So Still That The Their "
    "There These They This Those We While Yet".split()
)


def _starts_a_sentence(text: str, position: int) -> bool:
    following = text[position:].split(maxsplit=1)
    return bool(following) and following[0].strip('"“‘(,') in SENTENCE_STARTERS


# Rule 2's abbreviations, lowercase and without their dot, in the shipped languages and Greek.
# One-letter ones ("M. Dupont", "z. B.", "т. е.") are initials and need no entry.
ABBREVIATIONS_UNICODE = ABBREVIATIONS | frozenset(
    # Spanish: Sra., EE. UU., p. ej., pág., núm., art.
    "sra srta dra ud uds ee uu ej pág núm art avda aprox "
    # French: Mme, Mlle, p. ex., cf., env., vol., chap.
    "mme mlle mm me pr ex cf env vol chap "
    # German: Nr., bzw., ca., vgl., evtl., ggf., inkl., Abs., Hrsg., Str.
    "nr bzw ca vgl evtl ggf inkl abs hrsg str "
    # Russian and Ukrainian: гг., им./ім., ул./вул., просп., проф., акад., доц., ст., св., тов.
    "гг им ім ул вул просп проф акад доц ст св тов "
    # Greek: κα (Mrs), δρ (Dr)
    "κα δρ".split()
)
# Abbreviations that often end a sentence ("and so on."): a capital after them starts the next.
# "т. д." and "т. п." (Russian, Ukrainian "and so on") end in one letter; "и др.", "та ін.".
CLOSING_ABBREVIATIONS = frozenset(["etc", "usw", "др", "ін"])
CLOSING_AFTER_T = frozenset(["д", "п"])
# "am 3. Oktober" (German dates): a day's number with a dot before a month is not an end.
GERMAN_MONTHS = frozenset(
    "januar februar märz april mai juni juli august september oktober november dezember".split()
)
# A sentence mark, then closing quotes and brackets (a French « … » may close after a space),
# where a space follows. In Chinese and Japanese, 。！？ end a sentence with no space after.
SENTENCE_MARK = re.compile(
    r"(?P<cjk>[。！？]+[」』”’）》〉】\"']*)"
    r"|[.!?…\u037e\u061f\u0964]+(?:[\"”’»)\]“‘]|\s»)*(?=\s)"
)
# What starts the next sentence: spaces, opening punctuation (Spanish ¿ ¡, quotes, a brackets,
# a dialogue dash), then its first letter or digit.
NEXT_START = re.compile(r"\s+[¿¡«\"“„‘‚(\[—–-]*\s?([^\W_])")


def _split_sentences_unicode(text: str) -> list[str]:
    """Rule 2: any script. A sentence ends at . ! ? … (or the Greek, Arabic, Devanagari marks)
    followed by a space and a word that does not start with a lowercase letter: a capital in
    Latin, Cyrillic and Greek, a digit, or a letter of a script without case. Chinese and
    Japanese 。！？ end one with no space after."""
    sentences: list[str] = []
    start = 0
    for match in SENTENCE_MARK.finditer(text):
        if not match.group("cjk") and not _ends_here(text, start, match):
            continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _ends_here(text: str, start: int, match: re.Match) -> bool:
    following = NEXT_START.match(text, match.end())
    if not following or following.group(1).islower():
        return False
    mark = match.group().rstrip('"”’»)]“‘ \t\n')
    if mark != ".":
        return True  # "!", "?", "…", "...": no abbreviation ends with them
    words = text[start : match.start() + 1].split()
    word = words[-1].lstrip('(«"“„‘¿¡[').rstrip(".").lower()
    before = words[-2].lower() if len(words) > 1 else ""
    if word in CLOSING_ABBREVIATIONS or (word in CLOSING_AFTER_T and before == "т."):
        return True
    if word in ABBREVIATIONS_UNICODE:
        return False
    if re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", word):  # "U.S.", "e.g.", "π.χ.", "J."
        return _starts_a_sentence(text, match.end())
    next_word = text[following.start(1) :].split(maxsplit=1)[0].strip(".,;:").lower()
    return not (word.isdigit() and len(word) <= 2 and next_word in GERMAN_MONTHS)


# Where a clause ends inside a sentence: a comma, semicolon, colon or a dash between spaces.
# Chinese and Japanese commas (，、；：) need no space after them.
CLAUSE_END = re.compile(r"[,;:](?=\s)|\s[—–-](?=\s)|[，、；：]")
# Pairs that a title must not leave open ("the plan (announced on Monday" reads as broken).
PAIRS = {"(": ")", "“": "”", "«": "»", "[": "]"}
# A clause shorter than this says too little to be a title: a longer cut at a word reads better.
CLAUSE_MIN = 30


# Words a cut phrase must not end on ("…is unlikely to"). Any script's one- and two-letter
# lowercase words ("в", "и", "à", "de", "of") count; longer ones only in English for now.
DANGLING = frozenset("the and for but nor with from that than into onto".split())


def _dangles(word: str) -> bool:
    return word.islower() and (len(word) <= 2 or word in DANGLING)


def _balanced(text: str) -> bool:
    if text.count('"') % 2:
        return False
    return all(text.count(opening) == text.count(closing) for opening, closing in PAIRS.items())


def derive_title(summary: str, limit: int = TITLE_DERIVED_MAX) -> str:
    """A title for a brief without a headline: its summary's first sentence, else as many of
    its first clauses as fit, else its first words. Never an ellipsis: a title is a heading,
    and a heading that trails off reads as a mistake.

    Works on any script with spaces between words (accented Latin, Cyrillic, Greek), and on
    Chinese and Japanese, whose sentences and clauses end at their own marks (。，、); a run
    of text with no space and no clause mark in the first `limit` characters is cut there.
    """
    sentences = split_sentences(" ".join(summary.split()))
    first = sentences[0] if sentences else ""
    if not re.search(r"(?:\b\w\.){2,}$", first):  # "the U.S." keeps its dot
        first = first.rstrip(".!。！")
    if len(first) <= limit:
        return first
    window = first[: limit + 1]
    clauses = [m.start() for m in CLAUSE_END.finditer(window) if m.start() <= limit]
    for end in reversed(clauses):
        phrase = first[:end].rstrip()
        if len(phrase) >= CLAUSE_MIN and _balanced(phrase):
            return phrase
    if " " in window:
        # No clause fits: cut between words, and leave no dangling punctuation or open pair.
        phrase = window.rsplit(" ", 1)[0].rstrip(",;:—–- ")
        while " " in phrase and (not _balanced(phrase) or _dangles(phrase.rsplit(" ", 1)[1])):
            phrase = phrase.rsplit(" ", 1)[0].rstrip(",;:—–- ")
        return phrase
    return first[:limit]


def _brief_from_run(
    run: list[tuple[int, str]], question: tuple[int, str], language: str = ""
) -> ParsedBrief | ParseError:
    question_line, question_text = question
    count = len(run)
    if count == 0:
        return ParseError(question_line, "a question with no summary before it")
    if count > 3:
        return ParseError(
            run[0][0],
            f"{count} lines before the question on line {question_line}; a brief has at most "
            "a headline, a summary and a commentary (did an earlier question lose its '?')",
        )
    texts = [text for _, text in run]
    headline = ""
    if count == 3 or (count == 2 and not texts[0].endswith(SENTENCE_END)):
        headline = texts.pop(0)
    summary = texts[0]
    commentary = texts[1] if len(texts) > 1 else ""
    if len(headline) > TITLE_MAX:
        return ParseError(run[0][0], f"the headline is longer than {TITLE_MAX} characters")
    for line, text in run:
        if len(text) > FIELD_MAX:
            return ParseError(line, f"the line is longer than {FIELD_MAX} characters")
    if len(question_text) > FIELD_MAX:
        return ParseError(question_line, f"the question is longer than {FIELD_MAX} characters")
    return ParsedBrief(
        line=run[0][0],
        title=headline or derive_title(summary),
        summary=summary,
        commentary=commentary,
        question=question_text,
        has_headline=bool(headline),
        language=language,
    )


def _unknown_language(code: str) -> str:
    return gettext(
        "“%(code)s” is not a language code; write one such as “es”, “ru” or “zh-hans”, "
        "or “Language:” alone for the site's language"
    ) % {"code": code}


def parse_briefs(text: str) -> ParseResult:
    """Read every brief in `text`; see the module docstring for the format."""
    result = ParseResult()
    text = text.removeprefix("\ufeff")
    if (nul := text.find("\x00")) >= 0:
        # PostgreSQL cannot store one, and no text editor writes one: this is not a text file.
        line = len(re.findall(r"\r\n|\r|\n", text[:nul])) + 1
        result.errors.append(ParseError(line, "a NUL character (\\x00); save the briefs as plain UTF-8 text"))
        return result
    # Only \n, \r\n and \r end a line. str.splitlines() also breaks on form feeds,
    # U+2028 and the like, which would split a field and misnumber every later line.
    lines = re.split(r"\r\n|\r|\n", text)
    if lines[-1] == "":
        lines.pop()  # a final line break does not start another line
    if len(lines) > TEXT_MAX_LINES:
        result.errors.append(ParseError(TEXT_MAX_LINES + 1, f"more than {TEXT_MAX_LINES} lines"))
        return result
    run: list[tuple[int, str]] = []
    seen: set[str] = set()
    language = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if not run and (directive := LANGUAGE_LINE.fullmatch(line)):
            code = directive.group(1)
            language = normalise_language(code) if code else ""
            if language is None:
                result.errors.append(ParseError(number, _unknown_language(code)))
                language = ""
            continue
        if not (line.endswith(QUESTION_END) or (language == "el" and line.endswith(GREEK_QUESTION_END))):
            run.append((number, line))
            continue
        parsed = _brief_from_run(run, (number, line), language)
        run = []
        if isinstance(parsed, ParseError):
            result.errors.append(parsed)
        elif parsed.content_hash not in seen:  # the same brief twice in one file counts once
            seen.add(parsed.content_hash)
            result.briefs.append(parsed)
    if run:
        result.errors.append(
            ParseError(
                run[0][0],
                "text after the last question; every brief must end with its question (a line ending in '?')",
            )
        )
    if not result.briefs and not result.errors:
        result.errors.append(ParseError(1, "no briefs found; a brief ends with a line ending in '?'"))
    return result
