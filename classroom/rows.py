"""Model instances read by SQL written once per process, for the queries every request makes.

The ORM builds a query's SQL anew each time: about 0.2 ms of Python for a session or a
user by id, 0.5 ms for an assignment with its brief and group, more than running them
takes. For the queries in front of every thread view (classroom.sessions, classroom.auth,
permissions.assignment_with_role), the SQL is written once from the models' own metadata,
and each value goes through the converters the ORM would apply (SQLite returns dates as
text, for one), so the instances are the same.
"""

import functools

from django.db import connection
from django.db.models import Model


class Columns:
    """A model's columns in a SELECT under a table alias, and how to make an instance of them."""

    def __init__(self, model: type[Model], alias: str) -> None:
        fields = model._meta.concrete_fields
        self.model = model
        self.table = f"{connection.ops.quote_name(model._meta.db_table)} {alias}"
        self.sql = ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}" for field in fields)
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
