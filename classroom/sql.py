"""Every piece of hand-written SQL in Agora, each next to a test that compares it with the ORM.

The ORM builds a query's SQL anew each time: about 0.2 ms of Python for a session or a
user by id, 0.5 ms for an assignment with its brief and group, more than running them
takes. For the queries in front of every thread view (the session, the user, the
assignment with the viewer's role), the SQL is written once from the models' own metadata,
and each value goes through the converters the ORM would apply (SQLite returns dates as
text, for one), so the instances are the same. bench/README.md says what each one saves;
a query stays here only while `make bench` shows it pays.
"""

import functools
from datetime import datetime

from django.db import connection
from django.db.models import Model


class Columns:
    """A model's columns in a SELECT under a table alias, and how to make an instance of them."""

    def __init__(self, model: type[Model], alias: str) -> None:
        fields = model._meta.concrete_fields
        self.model = model
        self.table = f"{connection.ops.quote_name(model._meta.db_table)} {alias}"
        self.sql = ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}" for field in fields)
        self.bare = ", ".join(connection.ops.quote_name(field.column) for field in fields)  # for RETURNING
        self.names = [field.attname for field in fields]
        self.converters = []
        for index, field in enumerate(fields):
            expression = field.get_col(alias)
            found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
            if found:
                self.converters.append((index, found, expression))

    def instance(self, row: tuple, start: int = 0) -> Model:
        """The instance whose columns begin at `start` in `row`."""
        values = list(row[start : start + len(self.names)])
        for index, converters, expression in self.converters:
            for convert in converters:
                values[index] = convert(values[index], expression, connection)
        return self.model.from_db(connection.alias, self.names, values)


@functools.cache
def columns(model: type[Model], alias: str) -> Columns:
    # Made once per process: the converters depend on the database backend and its
    # settings, which are the same for every thread's connection.
    return Columns(model, alias)


def fetch_one(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def role_case(group_id_column: str) -> str:
    """A user's role in the group whose id is in `group_id_column`: 2 teaches, 1 belongs,
    0 neither. Its two parameters are the user's id, twice. The ORM spends about 3 ms
    compiling the same two Exists() subqueries, which take 0.03 ms to run."""
    from classroom.models import Group, Membership

    teachers = Group.instructors.through._meta.db_table
    members = Membership._meta.db_table
    return (
        f"CASE WHEN EXISTS (SELECT 1 FROM {teachers} WHERE group_id = {group_id_column} AND user_id = %s)"  # noqa: S608
        f" THEN 2 WHEN EXISTS (SELECT 1 FROM {members} WHERE group_id = {group_id_column} AND student_id = %s)"
        " THEN 1 ELSE 0 END"
    )  # table and column names come from our models, the user id is a parameter


def role_in_group(group_id: int, user_id: int) -> int:
    """role_case() for one group: 2 teaches, 1 belongs, 0 neither."""
    row = fetch_one(f"SELECT {role_case('%s')}", [group_id, user_id, group_id, user_id])  # noqa: S608
    return row[0] if row else 0


def assignment_with_role(assignment_id: int, user_id: int | None) -> tuple | None:
    """(assignment, brief, group, role code, the user's seat or None, the group's member count,
    whether the user has feedback in the thread) in one query, as every thread view starts here.
    The seat, the count and the feedback flag come along because the page needs them and they
    change under no key of their own: read here, they cost no query of their own after every
    new thread (or feedback) version."""
    from briefs.models import Brief
    from classroom.models import Assignment, Group, Participation

    parts = [columns(Assignment, "a"), columns(Brief, "b"), columns(Group, "g"), columns(Participation, "p")]
    row = fetch_one(
        f"SELECT {', '.join(part.sql for part in parts)}, {reader_case()}"  # noqa: S608
        f" FROM {parts[0].table} JOIN {parts[1].table} ON b.id = a.brief_id"
        f" JOIN {parts[2].table} ON g.id = a.group_id"
        f" LEFT JOIN {parts[3].table} ON p.assignment_id = a.id AND p.student_id = %s WHERE a.id = %s",
        [user_id, user_id, user_id, user_id, assignment_id],
    )  # names come from our models; the ids are parameters
    if row is None:
        return None
    starts = _offsets(parts)
    assignment, brief, group = (part.instance(row, at) for part, at in zip(parts[:3], starts, strict=False))
    seat = parts[3].instance(row, starts[3]) if row[starts[3]] is not None else None  # its id: NULL, no seat
    return assignment, brief, group, row[-3], seat, row[-2], bool(row[-1])


def reader_case() -> str:
    """The reader's role in the thread `a`'s group (role_case()), the group's member count, and
    whether the reader has feedback in the thread. Its three parameters are the user's id."""
    from classroom.models import Feedback, Membership

    quote = connection.ops.quote_name
    members, feedback = quote(Membership._meta.db_table), quote(Feedback._meta.db_table)
    return (
        f"{role_case('a.group_id')}, (SELECT COUNT(*) FROM {members} m WHERE m.group_id = a.group_id),"  # noqa: S608
        f" CASE WHEN EXISTS (SELECT 1 FROM {feedback} f WHERE f.assignment_id = a.id AND f.student_id = %s)"
        " THEN 1 ELSE 0 END"
    )  # names come from our models


def changed_families(assignment_id: int, since: int) -> list[Model]:
    """Every response of the families (an answer and its replies) in which something changed
    after thread version `since`, each with its author, in one query: what a page reads after
    a post (classroom.readmodel.thread_rows). The ORM spends about a millisecond building this
    query's SQL, several times what running it takes.

    The answers are found by id and the replies by their answer's id (both indexed), each
    against the changed rows' families: the read costs what the changed families hold, however
    long the thread, and any plan reads the thread at most once. Matching COALESCE(parent, id)
    with IN instead let PostgreSQL, on a thread newer than its statistics (every live class),
    read the thread again for each of its rows: 35 ms on a thread of 300 (bench/README.md)."""
    from classroom.models import Response, User

    responses, users = columns(Response, "r"), columns(User, "u")
    quote = connection.ops.quote_name
    table = quote(Response._meta.db_table)
    pk, parent, thread, version, author = (
        quote(Response._meta.get_field(name).column)
        for name in ("id", "parent", "assignment", "version", "author")
    )
    families = (
        f"SELECT COALESCE(c.{parent}, c.{pk}) FROM {table} c WHERE c.{thread} = %s AND c.{version} > %s"  # noqa: S608
    )
    select = (
        f"SELECT {responses.sql}, {users.sql} FROM {responses.table}"  # noqa: S608
        f" JOIN {users.table} ON u.{quote(User._meta.pk.column)} = r.{author}"
    )
    rows = fetch_all(
        f"{select} WHERE r.{pk} IN ({families}) UNION ALL {select} WHERE r.{parent} IN ({families})",
        [assignment_id, since, assignment_id, since],
    )  # names come from our models; the ids and the version are parameters
    found = []
    for row in rows:
        response = responses.instance(row)
        response.author = users.instance(row, len(responses.names))
        found.append(response)
    found.sort(key=lambda response: (response.created_at, response.pk))
    return found


def fetch_all(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def user_by_id(user_id: int) -> Model | None:
    from classroom.models import User

    user_columns = columns(User, "u")
    row = fetch_one(f"SELECT {user_columns.sql} FROM {user_columns.table} WHERE u.id = %s", [user_id])  # noqa: S608
    return user_columns.instance(row) if row else None


def session_data(table: str, session_key: str, now: datetime) -> str | None:
    """The encoded data of an unexpired session, or None."""
    row = fetch_one(
        f"SELECT session_data FROM {connection.ops.quote_name(table)}"  # noqa: S608
        " WHERE session_key = %s AND expire_date > %s",
        [session_key, connection.ops.adapt_datetimefield_value(now)],
    )
    return row[0] if row else None


def bump_version(assignment_id: int) -> Model | None:
    """Take the thread's next version and return its row as it is now, in one statement.

    The UPDATE locks the row until the transaction ends, so writers to one thread queue
    here; a SELECT ... FOR UPDATE and then an UPDATE would read the thread twice."""
    from classroom.models import Assignment

    thread = columns(Assignment, "a")
    table = connection.ops.quote_name(Assignment._meta.db_table)
    row = fetch_one(
        f"UPDATE {table} SET version = version + 1 WHERE id = %s RETURNING {thread.bare}",  # noqa: S608
        [assignment_id],
    )
    return thread.instance(row) if row else None


def count_hit(key: str, expires_at: datetime) -> int:
    """Count one hit on a throttle counter and return its count, this hit included.

    One INSERT ... ON CONFLICT DO UPDATE ... RETURNING (SQLite 3.35+, PostgreSQL), so
    two workers counting the same key at once both count: the ORM has no single
    statement for it, and an UPDATE, then an INSERT where no row was updated, then a
    SELECT would race in the gap between them without a transaction around all three."""
    from classroom.models import ThrottleCount

    quote = connection.ops.quote_name
    table = quote(ThrottleCount._meta.db_table)
    key_column, count_column, expires_column = (
        quote(ThrottleCount._meta.get_field(name).column) for name in ("key", "count", "expires_at")
    )
    row = fetch_one(
        f"INSERT INTO {table} ({key_column}, {count_column}, {expires_column}) VALUES (%s, 1, %s)"  # noqa: S608
        f" ON CONFLICT ({key_column}) DO UPDATE SET {count_column} = {table}.{count_column} + 1"
        f" RETURNING {count_column}",
        [key, connection.ops.adapt_datetimefield_value(expires_at)],
    )  # names come from our model; the key and time are parameters
    return row[0]


def _offsets(parts: list[Columns]) -> list[int]:
    starts, start = [], 0
    for part in parts:
        starts.append(start)
        start += len(part.names)
    return starts


def response_with_role(response_id: int, user_id: int | None) -> tuple | None:
    """(response, its author, its assignment, brief, group, the user's role code, the user's
    seat or None, the group's member count, whether the user has feedback there) in one query:
    assignment_with_role() for the views that start from a response (reply, edit, delete).
    The ORM's select_related read, then the role and the seat, took three."""
    from briefs.models import Brief
    from classroom.models import Assignment, Group, Participation, Response, User

    parts = [
        columns(Response, "r"),
        columns(User, "u"),
        columns(Assignment, "a"),
        columns(Brief, "b"),
        columns(Group, "g"),
        columns(Participation, "p"),
    ]
    row = fetch_one(
        f"SELECT {', '.join(part.sql for part in parts)}, {reader_case()}"  # noqa: S608
        f" FROM {parts[0].table} JOIN {parts[1].table} ON u.id = r.author_id"
        f" JOIN {parts[2].table} ON a.id = r.assignment_id"
        f" JOIN {parts[3].table} ON b.id = a.brief_id"
        f" JOIN {parts[4].table} ON g.id = a.group_id"
        f" LEFT JOIN {parts[5].table} ON p.assignment_id = a.id AND p.student_id = %s WHERE r.id = %s",
        [user_id, user_id, user_id, user_id, response_id],
    )  # names come from our models; the ids are parameters
    if row is None:
        return None
    starts = _offsets(parts)
    response, author, assignment, brief, group = (
        part.instance(row, at) for part, at in zip(parts[:5], starts, strict=False)
    )
    seat = parts[5].instance(row, starts[5]) if row[starts[5]] is not None else None
    return response, author, assignment, brief, group, row[-3], seat, row[-2], bool(row[-1])


def post_state(
    assignment_id: int, author_id: int, client_token: object, parent_id: int | None
) -> tuple[Model | None, int, Model | None, Model | None, int, str | None]:
    """What posting needs to know once it holds the thread's lock, in one query:
    (the author's seat or None, the alias a new seat takes, the response already stored for this
    submit (author and client token) or None, the response replied to as it is now or None,
    the author's live answers in the thread, the body of their latest answer or None).

    Read after the lock is taken (classroom.actions._bump_version), in a statement of its own:
    on PostgreSQL a statement sees what was committed when it began, so a read folded into the
    locking UPDATE would miss a post that committed while this one waited for the lock."""
    from classroom.models import Assignment, Participation, Response

    seats, stored, replied = columns(Participation, "p"), columns(Response, "t"), columns(Response, "q")
    quote = connection.ops.quote_name
    thread = f"{quote(Assignment._meta.db_table)} a"
    responses = quote(Response._meta.db_table)
    seat_table = quote(Participation._meta.db_table)
    token = Response._meta.get_field("client_token").get_db_prep_value(client_token, connection)
    answers = f"FROM {responses} x WHERE x.assignment_id = a.id AND x.author_id = %s AND x.parent_id IS NULL"
    row = fetch_one(
        f"SELECT {seats.sql}, {stored.sql}, {replied.sql},"  # noqa: S608
        f" (SELECT COALESCE(MAX(s.alias), 0) + 1 FROM {seat_table} s WHERE s.assignment_id = a.id),"
        f" (SELECT COUNT(*) {answers} AND x.deleted_at IS NULL),"
        f" (SELECT x.body {answers} ORDER BY x.created_at DESC, x.id DESC LIMIT 1)"
        f" FROM {thread} LEFT JOIN {seats.table} ON p.assignment_id = a.id AND p.student_id = %s"
        f" LEFT JOIN {stored.table} ON t.author_id = %s AND t.client_token = %s"
        f" LEFT JOIN {replied.table} ON q.id = %s WHERE a.id = %s",
        [author_id, author_id, author_id, author_id, token, parent_id, assignment_id],
    )  # names come from our models; the ids and the token are parameters
    parts = [seats, stored, replied]
    starts = _offsets(parts)
    seat, earlier, parent = (
        part.instance(row, at) if row[at] is not None else None
        for part, at in zip(parts, starts, strict=True)
    )
    return seat, row[-3], earlier, parent, row[-2], row[-1]
