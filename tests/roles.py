"""Everyone a test needs, made in one place: the people around one class, and a client for each.

The class is `group` ("Period 3"): taught by `instructor` with `co_instructor`; `student`
(Sam) is a member, and so are `peer` and `other_peer` when a test asks for them.
`other_instructor` and `outsider` have nothing to do with it; `invited_student` is
`other_instructor`'s student whom `instructor` invited to `group`; `admin` runs the site.
`people` names them by role for the tests that go through every role.

tests/conftest.py registers this module (pytest_plugins), so any test asks for a person
by name; a test file keeps a fixture of its own only for somebody genuinely different.
"""

from collections.abc import Iterator, Mapping

import pytest

from tests.factories import PASSWORD, GroupFactory, InstructorFactory, UserFactory
from tests.helpers import client_for, peer_in


@pytest.fixture
def password() -> str:
    """Everyone's password, except the peers' (they have none)."""
    return PASSWORD


# ---- the people ---------------------------------------------------------------------------


@pytest.fixture
def instructor(db):
    """Tess Teacher ("teacher"): the instructor who owns `group`."""
    return InstructorFactory(username="teacher", first_name="Tess", last_name="Teacher")


@pytest.fixture
def co_instructor(group):
    """Cora Colleague ("coteacher"): teaches `group` alongside `instructor`."""
    co = InstructorFactory(username="coteacher", first_name="Cora", last_name="Colleague")
    group.instructors.add(co)
    return co


@pytest.fixture
def other_instructor(db):
    """Omar Other ("otherteacher"): an instructor who does not teach `group`."""
    return InstructorFactory(username="otherteacher", first_name="Omar", last_name="Other")


@pytest.fixture
def student(db):
    """Sam Student ("sam"): the member of `group` whose view most tests take."""
    return UserFactory(username="sam", first_name="Sam", last_name="Student")


@pytest.fixture
def peer(group):
    """A classmate of `student` in `group`, with a name that appears nowhere else."""
    return peer_in(group)


@pytest.fixture
def other_peer(group):
    """A second classmate in `group`, with a name that appears nowhere else either."""
    return peer_in(group, username="vx_other", first_name="Valdemar", last_name="Xanthopoulos")


@pytest.fixture
def outsider(db):
    """Olly Outsider ("olly"): a student in no group of the instructor's."""
    return UserFactory(username="olly", first_name="Olly", last_name="Outsider")


@pytest.fixture
def invited_student(group, instructor, other_instructor):
    """Ivadne Pemberthwaite ("ivy"): `other_instructor`'s student, invited to `group` by `instructor`
    (a roster named her), not a member until she accepts. Her name and email appear nowhere else."""
    from classroom.models import Invitation

    ivy = UserFactory(
        username="ivy", first_name="Ivadne", last_name="Pemberthwaite", email="ivadne.p@mail.example"
    )
    GroupFactory(name="Omar's seminar", instructors=[other_instructor], students=[ivy])
    Invitation.objects.create(group=group, invitee=ivy, invited_by=instructor)
    return ivy


@pytest.fixture
def invitation(invited_student, group):
    """The invitation of `invited_student` to `group`."""
    return invited_student.invitations.get(group=group)


@pytest.fixture
def admin(db):
    """The site's administrator ("admin"): staff and superuser, in no group."""
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def anonymous():
    """Nobody: a visitor who has not logged in (client_for(anonymous) has no session)."""
    return None


# Students with plain names for the browser tests, which log in as them by username. They
# are in no group: each test puts them in the class it needs.


@pytest.fixture
def ann(db):
    """Ann Archer ("ann"): a student who logs in through the form."""
    return UserFactory(username="ann", first_name="Ann", last_name="Archer")


@pytest.fixture
def ben(db):
    """Ben Baker ("ben"): a student who logs in through the form."""
    return UserFactory(username="ben", first_name="Ben", last_name="Baker")


@pytest.fixture
def cara(db):
    """Cara Clark ("cara"): a student who logs in through the form."""
    return UserFactory(username="cara", first_name="Cara", last_name="Clark")


@pytest.fixture
def group(instructor, student):
    """The class: "Period 3", owned by `instructor`, with `student` as a member."""
    return GroupFactory(name="Period 3", instructors=[instructor], students=[student])


# ---- everyone by role ---------------------------------------------------------------------

# Role names as the role-matrix tests say them, and the fixture of each.
ROLES = {
    "anonymous": "anonymous",
    "outsider": "outsider",
    "member": "student",
    "classmate": "peer",
    "invited": "invited_student",
    "other_instructor": "other_instructor",
    "co_instructor": "co_instructor",
    "owner": "instructor",
    "admin": "admin",
}


class People(Mapping):
    """people["owner"] is the `instructor` fixture, and so on; each is made when first asked for."""

    def __init__(self, request):
        self.request = request

    def __getitem__(self, role: str):
        return self.request.getfixturevalue(ROLES[role])

    def __iter__(self) -> Iterator[str]:
        return iter(ROLES)

    def __len__(self) -> int:
        return len(ROLES)


@pytest.fixture
def people(request) -> People:
    """Everyone by role name (see ROLES); "anonymous" is None."""
    return People(request)


@pytest.fixture
def as_role(client, people):
    """as_role("member") is the test's `client`, logged in as that role's person (or nobody)."""

    def login(role):
        if people[role] is not None:
            client.force_login(people[role])
        return client

    return login


# ---- logged-in clients: each its own session, so one test can hold several ----------------


def logged_in(person: str):
    """The fixture `<person>_client`: a client of its own, logged in as the fixture `person`."""

    @pytest.fixture(name=f"{person}_client")
    def fixture(request):
        """A client of its own, logged in as the person this fixture is named after."""
        return client_for(request.getfixturevalue(person))

    return fixture


instructor_client = logged_in("instructor")
co_instructor_client = logged_in("co_instructor")
other_instructor_client = logged_in("other_instructor")
student_client = logged_in("student")
peer_client = logged_in("peer")
outsider_client = logged_in("outsider")
invited_student_client = logged_in("invited_student")
admin_client = logged_in("admin")  # in place of pytest-django's: `admin`, logged in
