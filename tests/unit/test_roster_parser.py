"""parse_roster: a class list as CSV text into rows, or errors that name the line. No database."""

import pytest

from classroom.roster import MAX_ROWS, RosterError, RosterRow, parse_roster, split_name


def only_row(text: str) -> RosterRow:
    rows, errors = parse_roster(text)
    assert errors == []
    assert len(rows) == 1
    return rows[0]


def messages(text: str) -> list[str]:
    return [str(error) for error in parse_roster(text)[1]]


# ---- headers -----------------------------------------------------------------------------


def test_username_name_email_columns_give_a_row_with_its_line():
    assert only_row("username,name,email\nsam,Sam Student,sam@school.example\n") == RosterRow(
        line=2, username="sam", first_name="Sam", last_name="Student", email="sam@school.example"
    )


@pytest.mark.parametrize(
    "header",
    [
        "Username,Name,Email",
        "USERNAME,NAME,EMAIL",
        " username , name , email ",
        "User Name,Full Name,E-mail",
        "username,full_name,Email Address",
    ],
)
def test_header_case_spaces_and_common_spellings_are_understood(header):
    row = only_row(f"{header}\nsam,Sam Student,sam@school.example\n")
    assert (row.username, row.first_name, row.last_name, row.email) == (
        "sam",
        "Sam",
        "Student",
        "sam@school.example",
    )


@pytest.mark.parametrize(
    "header",
    ["username,first_name,last_name", "Username,First Name,Last Name", "login,firstname,surname"],
)
def test_first_and_last_name_columns(header):
    row = only_row(f"{header}\nada,Ada,Lovelace\n")
    assert (row.first_name, row.last_name) == ("Ada", "Lovelace")


def test_columns_may_come_in_any_order():
    row = only_row("email,name,username\nada@school.example,Ada Lovelace,ada\n")
    assert (row.username, row.first_name, row.email) == ("ada", "Ada", "ada@school.example")


def test_username_column_alone_is_enough():
    rows, errors = parse_roster("username\nsam\nlena\n")
    assert errors == []
    assert [(r.username, r.first_name, r.last_name, r.email) for r in rows] == [
        ("sam", "", "", ""),
        ("lena", "", "", ""),
    ]


def test_unknown_columns_are_ignored():
    row = only_row("username,class,name\nsam,3B,Sam Student\n")
    assert (row.username, row.first_name) == ("sam", "Sam")


def test_first_and_last_name_win_over_name():
    row = only_row("username,name,first_name,last_name\nsam,Ignored Name,Sam,Student\n")
    assert (row.first_name, row.last_name) == ("Sam", "Student")


def test_missing_username_column_is_an_error_on_line_1():
    rows, errors = parse_roster("name,email\nSam Student,sam@school.example\n")
    assert rows == []
    assert errors == [RosterError(1, "the first line must name the columns, with at least “username”")]


def test_empty_text_is_an_error_on_line_1():
    assert [e.line for e in parse_roster("")[1]] == [1]


def test_header_without_students_is_an_error():
    assert messages("username,name,email\n") == ["line 2: no students found below the header line"]


# ---- encodings and delimiters --------------------------------------------------------------


def test_byte_order_mark_is_ignored():
    row = only_row("\ufeffusername,name\nsam,Sam Student\n")
    assert row.username == "sam"


def test_windows_line_endings():
    rows, errors = parse_roster("username,name\r\nsam,Sam Student\r\nlena,Lena Late\r\n")
    assert errors == []
    assert [(r.line, r.username, r.last_name) for r in rows] == [(2, "sam", "Student"), (3, "lena", "Late")]


def test_semicolon_delimiter():
    rows, errors = parse_roster("username;name;email\nsam;Sam Student;sam@school.example\nlena;Lena Late;\n")
    assert errors == []
    assert [(r.username, r.first_name, r.email) for r in rows] == [
        ("sam", "Sam", "sam@school.example"),
        ("lena", "Lena", ""),
    ]


def test_tab_delimiter():
    rows, errors = parse_roster("username\tname\temail\nsam\tSam Student\tsam@school.example\n")
    assert errors == []
    assert (rows[0].username, rows[0].last_name, rows[0].email) == ("sam", "Student", "sam@school.example")


def test_semicolon_file_with_commas_inside_names():
    rows, errors = parse_roster(
        "username;name;email\nsam;Student, Sam;sam@school.example\nlena;Late, Lena;lena@school.example\n"
    )
    assert errors == []
    assert [(r.username, r.first_name, r.last_name) for r in rows] == [
        ("sam", "Sam", "Student"),
        ("lena", "Lena", "Late"),
    ]


def test_quoted_field_with_a_comma_stays_one_field():
    row = only_row('username,name,email\nsam,"Student, Sam",sam@school.example\n')
    assert (row.first_name, row.last_name, row.email) == ("Sam", "Student", "sam@school.example")


def test_quoted_field_with_doubled_quotes():
    row = only_row('username,name\nsam,"Sam ""Sammy"" Student"\n')
    assert (row.first_name, row.last_name) == ('Sam "Sammy"', "Student")


def test_cells_are_trimmed():
    row = only_row("username,name,email\n  sam  ,  Sam   Student , sam@school.example  \n")
    assert (row.username, row.first_name, row.last_name, row.email) == (
        "sam",
        "Sam",
        "Student",
        "sam@school.example",
    )


def test_blank_lines_are_skipped_and_lines_still_counted():
    rows, errors = parse_roster("username\n\nsam\n,\n\nlena\n")
    assert errors == []
    assert [(r.line, r.username) for r in rows] == [(3, "sam"), (6, "lena")]


def test_short_rows_leave_missing_cells_empty():
    row = only_row("username,name,email\nsam\n")
    assert (row.username, row.first_name, row.email) == ("sam", "", "")


def test_accented_names_are_kept():
    row = only_row("username,name\nzoe,Zoë Ångström-Núñez\n")
    assert (row.first_name, row.last_name) == ("Zoë", "Ångström-Núñez")


# ---- name splitting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sam Student", ("Sam", "Student")),
        ("Maria de la Cruz", ("Maria de la", "Cruz")),
        ("Plato", ("Plato", "")),
        ("  Sam   Student  ", ("Sam", "Student")),
        ("Student, Sam", ("Sam", "Student")),
        ("de la Cruz, Maria José", ("Maria José", "de la Cruz")),
        ("", ("", "")),
    ],
)
def test_split_name(name, expected):
    assert split_name(name) == expected


# ---- errors name their line ----------------------------------------------------------------


def test_bad_email_is_an_error_naming_the_line():
    rows, errors = parse_roster("username,email\nsam,sam@school.example\nlena,not-an-address\n")
    assert [r.username for r in rows] == ["sam"]
    assert errors == [RosterError(3, "“not-an-address” is not an email address")]


@pytest.mark.parametrize("username", ["bad user", "semi:colon", "x" * 151, "naïve/slash"])
def test_invalid_username_is_an_error_naming_the_line(username):
    rows, errors = parse_roster(f'username\nok\n"{username}"\n')
    assert [r.username for r in rows] == ["ok"]
    assert len(errors) == 1
    assert errors[0].line == 3
    assert "is not a valid username" in errors[0].message


def test_usernames_may_use_letters_digits_and_at_dot_plus_dash_underscore():
    assert only_row("username\nsam.o_neil\n").username == "sam.o_neil"
    assert only_row("username\na+b-c@d.e\n").username == "a+b-c@d.e"


def test_duplicate_username_is_an_error_naming_both_lines_whatever_the_case():
    rows, errors = parse_roster("username\nsam\nlena\nSAM\n")
    assert [r.username for r in rows] == ["sam", "lena"]
    assert errors == [RosterError(4, "“SAM” is already on line 2")]


def test_row_without_username_is_an_error():
    assert messages("username,name\n,Nameless Person\n") == ["line 2: no username"]


def test_overlong_name_is_an_error():
    assert messages(f"username,first_name\nsam,{'x' * 151}\n") == [
        "line 2: the name is longer than 150 characters"
    ]


def test_every_bad_row_is_reported_not_only_the_first():
    text = "username,email\nok,ok@school.example\nbad one,\ntwo,nope\nok,\n"
    assert [e.line for e in parse_roster(text)[1]] == [3, 4, 5]


def test_error_in_a_quoted_multiline_row_names_the_line_it_starts_on():
    text = 'username,name,email\nsam,"Sam\nStudent",not-an-address\nlena,Lena,\n'
    rows, errors = parse_roster(text)
    assert [(r.line, r.username) for r in rows] == [(4, "lena")]
    assert [e.line for e in errors] == [2]


def test_more_than_the_maximum_rows_is_an_error():
    text = "username\n" + "\n".join(f"s{n}" for n in range(MAX_ROWS + 5)) + "\n"
    rows, errors = parse_roster(text)
    assert len(rows) == MAX_ROWS
    assert errors == [RosterError(MAX_ROWS + 2, f"more than {MAX_ROWS} students; split the file")]


def test_roster_error_reads_as_a_sentence():
    assert str(RosterError(7, "no username")) == "line 7: no username"
