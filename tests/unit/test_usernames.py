"""Usernames suggested from a name, and the name split into first and last."""

import pytest

from classroom.usernames import BASE_MAX_LENGTH, free_username, split_name, username_base
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("Ana Lima", "ana.lima"),
        ("  ana   LIMA ", "ana.lima"),
        ("José María da Silva", "jose.maria.da.silva"),
        ("Zoë O'Brien-Smith", "zoe.o.brien.smith"),
        ("Мария Иванова", "mariia.ivanova"),
        ("Олександр Щербак", "oleksandr.shcherbak"),
        ("Юлія Їжакевич", "iuliia.izhakevich"),
        ("Γιώργος Παπαδόπουλος", "giorgos.papadopoulos"),
        ("王小明", ""),
        ("- . -", ""),
        ("A" * 200, "a" * BASE_MAX_LENGTH),
        ("Bartholomew Maximilian Featherstonehaugh", "bartholomew.maximilian"),
    ],
)
def test_username_base(name, base):
    assert username_base(name) == base


@pytest.mark.parametrize(
    ("name", "parts"),
    [("Ana Lima", ("Ana", "Lima")), (" Ana  Maria   Lima ", ("Ana", "Maria Lima")), ("Cher", ("Cher", ""))],
)
def test_split_name_keeps_the_first_word_as_first_name(name, parts):
    assert split_name(name) == parts


def test_free_username_counts_up_past_taken_ones_in_any_case(db):
    assert free_username("Ana Lima") == "ana.lima"
    UserFactory(username="ana.lima")
    UserFactory(username="ANA.LIMA2")
    UserFactory(username="ana.lima.souza")  # starts alike, takes nothing
    assert free_username("Ana Lima") == "ana.lima3"


def test_free_username_for_a_name_without_a_latin_spelling(db):
    assert free_username("王小明") == "student"
    UserFactory(username="student")
    assert free_username("王小明") == "student2"
