"""The JavaScript catalog: one cacheable file per language, loaded by the page before app.js
and never by a poll."""

import re

from django.test import Client
from django.urls import reverse

from tests.factories import make_response


def catalog_src(html: str) -> str:
    found = re.search(
        r'<script src="(/i18n/js/[^"]+)" defer></script>\s*<script src="[^"]*app[^"]*\.js"', html
    )
    assert found, "the catalog is not loaded just before app.js"
    return found.group(1)


def test_the_page_loads_the_catalog_of_its_language_before_app_js(student_client, student):
    assert catalog_src(student_client.get(reverse("classroom:home")).content.decode()).startswith(
        "/i18n/js/en/"
    )
    student.language = "ru"
    student.save()
    assert catalog_src(student_client.get(reverse("classroom:home")).content.decode()).startswith(
        "/i18n/js/ru/"
    )


def test_the_catalog_is_public_and_kept_by_the_browser_for_a_year(db):
    src = catalog_src(Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="uk").content.decode())
    assert src.startswith("/i18n/js/uk/")
    response = Client().get(src)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript") and response["Content-Language"] == "uk"
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "") and not response.cookies  # one file for everyone
    assert b"django.gettext" in response.content or b"gettext" in response.content


def test_a_language_agora_does_not_ship_has_no_catalog(db):
    assert Client().get(reverse("js_catalog", args=["xx", "abc"])).status_code == 404


def test_a_poll_brings_no_catalog(student_client, thread, student, peer):
    page = student_client.get(reverse("classroom:thread_detail", args=[thread.pk])).content.decode()
    poll = re.search(r'hx-get="([^"]*/poll/[^"]*)"', page).group(1).replace("&amp;", "&")
    make_response(thread, peer)
    fragment = student_client.get(poll, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "/i18n/js/" not in fragment.content.decode()
