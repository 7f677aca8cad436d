"""Parse a roster CSV (username, name, email) into rows or per-row errors. Pure: no database."""

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from classroom import names

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
MAX_ROWS = 1000
EMAIL_MAX_CHARS = 254  # User.email's column; validate_email lets 320 through
# What spreadsheets call the columns, after lower case and spaces or dashes to "_".
HEADER_ALIASES = {
    "user_name": "username",
    "login": "username",
    "full_name": "name",
    "firstname": "first_name",
    "given_name": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "e_mail": "email",
    "email_address": "email",
    "e_mail_address": "email",
}


def column_key(cell: str) -> str:
    key = "_".join(cell.strip().lower().replace("-", " ").split())
    return HEADER_ALIASES.get(key, key)


@dataclass(frozen=True)
class RosterRow:
    line: int
    username: str
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class RosterError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(problem)s") % {"line": self.line, "problem": self.message}


def split_name(name: str) -> tuple[str, str]:
    """Split a full name: "Ada Lovelace" and "Lovelace, Ada" both give ("Ada", "Lovelace")."""
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return " ".join(first.split()), " ".join(last.split())
    parts = name.split()
    if not parts:
        return "", ""
    return " ".join(parts[:-1]) if len(parts) > 1 else parts[0], parts[-1] if len(parts) > 1 else ""


def parse_roster(text: str) -> tuple[list[RosterRow], list[RosterError]]:
    """Columns by header: username (required), name or first_name + last_name, email."""
    text = text.removeprefix("\ufeff")
    if (nul := text.find("\x00")) >= 0:
        # PostgreSQL cannot store one, and no spreadsheet writes one: this is not a CSV file.
        line = len(re.findall(r"\r\n|\r|\n", text[:nul])) + 1
        return [], [RosterError(line, _("a NUL character (\\x00); export the roster as “CSV UTF-8” again"))]
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[RosterRow] = []
    errors: list[RosterError] = []
    header = [column_key(cell) for cell in next(reader, [])]
    if "username" not in header:
        return [], [RosterError(1, _("the first line must name the columns, with at least “username”"))]
    seen: dict[str, int] = {}
    end = reader.line_num
    for values in reader:
        # A quoted cell may span lines: name the line the row starts on.
        line, end = end + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(
                RosterError(line, _("more than %(most)d students; split the file") % {"most": MAX_ROWS})
            )
            break
        record = {key: (values[i].strip() if i < len(values) else "") for i, key in enumerate(header)}
        username = names.normalise_username(record.get("username", ""))
        first, last = record.get("first_name", ""), record.get("last_name", "")
        if not (first or last) and record.get("name"):
            first, last = split_name(record["name"])
        email = record.get("email", "")
        if not username:
            errors.append(RosterError(line, _("no username")))
            continue
        if not USERNAME.match(username):
            errors.append(
                RosterError(
                    line,
                    _("“%(username)s” is not a valid username (letters, digits, @ . + - _)")
                    % {"username": username},
                )
            )
            continue
        if problem := names.username_problem(username):
            errors.append(
                RosterError(
                    line, _("“%(username)s”: %(problem)s") % {"username": username, "problem": problem}
                )
            )
            continue
        if names.skeleton(username) in seen:
            errors.append(
                RosterError(
                    line,
                    _("“%(username)s” is already on line %(line)d")
                    % {"username": username, "line": seen[names.skeleton(username)]},
                )
            )
            continue
        if len(email) > EMAIL_MAX_CHARS:
            errors.append(
                RosterError(
                    line,
                    _("the email address is longer than %(most)d characters") % {"most": EMAIL_MAX_CHARS},
                )
            )
            continue
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(RosterError(line, _("“%(email)s” is not an email address") % {"email": email}))
                continue
        if len(first) > 150 or len(last) > 150:
            errors.append(RosterError(line, _("the name is longer than 150 characters")))
            continue
        if problem := names.name_problem(first + last):
            errors.append(RosterError(line, problem))
            continue
        seen[names.skeleton(username)] = line
        rows.append(RosterRow(line, username, first, last, email))
    if not rows and not errors:
        errors.append(RosterError(2, "no students found below the header line"))
    return rows, errors
