from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = "Classroom"

    def ready(self) -> None:
        from django.db import connections

        from classroom import epochs

        epochs.connect()
        # Django's system checks ask SQLite whether it has JSON (for the JSONFields of the task
        # rows and the notification settings) by opening the database: a command refusing bad
        # input on a missing file would print that traceback instead of its one line. Every
        # SQLite this project runs on (3.38+, and Python's own builds) has JSON built in.
        for alias in connections:
            if connections[alias].vendor == "sqlite":
                connections[alias].features.__dict__["supports_json_field"] = True
