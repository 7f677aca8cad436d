from http import cookies

from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "classroom.lti"
    label = "agora_lti"
    verbose_name = "LTI"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from classroom.lti import passback

        passback.connect()  # a saved score goes to the LMS (passback.py)
        # Python 3.14's Morsel knows the Partitioned attribute (CHIPS); before it, teach it,
        # so the cookies of a session inside an LMS's iframe can carry it (middleware.py).
        if "partitioned" not in cookies.Morsel._reserved:
            cookies.Morsel._reserved["partitioned"] = "Partitioned"
            cookies.Morsel._flags.add("partitioned")
