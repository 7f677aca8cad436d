"""Usernames that cannot pass for another, and names that cannot turn a page around (classroom/names.py)."""

import pytest

from classroom import names
from classroom.roster import parse_roster


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ana", "ANA"),
        ("ana", "\uff41\uff4e\uff41"),  # fullwidth
        ("bob", "\u0412\u041e\u0412"),  # Cyrillic capitals
        ("pepe", "\u0440\u0435\u0440\u0435"),  # Cyrillic
        ("ola", "\u03bfla"),  # Greek omicron
        ("bo1", "bol"),
        ("b0b", "bob"),
    ],
)
def test_look_alike_usernames_have_one_skeleton(one, other):
    assert names.skeleton(one) == names.skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("ana", "anna"), ("ali", "all"), ("\u0430\u043d\u0430", "ana")])
def test_different_usernames_keep_different_skeletons(one, other):
    assert names.skeleton(one) != names.skeleton(other)


def test_nfkc_makes_fullwidth_letters_plain():
    assert names.normalise_username("\uff41\uff4e\uff41") == "ana"


@pytest.mark.parametrize("username", ["\u0430na", "an\u03b1", "sam\u0441"])
def test_a_username_mixing_latin_with_cyrillic_or_greek_is_refused(username):
    assert names.username_problem(username) == names.MIXED_SCRIPTS


@pytest.mark.parametrize(
    "username",
    ["ana", "ana_2.b", "\u0430\u043d\u044f", "\u3072\u3089\u30ab\u30bf\u6f22", "\u0627\u062d\u0645\u062f"],
)
def test_a_username_in_one_script_is_fine(username):
    assert names.username_problem(username) == ""


@pytest.mark.parametrize("control", sorted(names.DIRECTION_CONTROLS))
def test_a_name_with_a_direction_control_is_refused(control):
    assert names.name_problem(f"Ana{control}Smith") == names.DIRECTION_IN_NAME


def test_names_in_any_script_without_controls_are_fine():
    assert names.name_problem("Zoë Ōshima-Łukasz \u0623\u062d\u0645\u062f") == ""


def test_roster_refuses_a_mixed_script_username_and_a_name_with_an_override_naming_the_line():
    rows, errors = parse_roster("username,name\n\u0430na,Ana A\nben,\u202eBen B\ncleo,Cleo C\n")
    assert [row.username for row in rows] == ["cleo"]
    assert [(error.line, error.message) for error in errors] == [
        (2, f"“\u0430na”: {names.MIXED_SCRIPTS}"),
        (3, names.DIRECTION_IN_NAME),
    ]


def test_roster_keeps_usernames_in_nfkc_and_counts_look_alikes_in_one_file_as_one():
    rows, errors = parse_roster("username\n\uff41\uff4e\uff41\nANA\nb0b\nbob\n")
    assert [row.username for row in rows] == ["ana", "b0b"]
    assert [str(error) for error in errors] == [
        "line 3: “ANA” is already on line 2",
        "line 5: “bob” is already on line 4",
    ]
