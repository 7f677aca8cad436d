from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "classroom"
    verbose_name = "Classroom"

    def ready(self) -> None:
        from briefs.actions import brief_retitled
        from classroom import epochs
        from classroom.actions import threads_retitled

        epochs.connect()
        brief_retitled.connect(threads_retitled, dispatch_uid="classroom.threads_retitled")
