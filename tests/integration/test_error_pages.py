"""403, a refused form (CSRF), 404 and 500 are pages of the site that say what happened and what to do."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import Client
from django.urls import path

from classroom.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


@login_not_required
def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-forbidden/", forbidden), path("test-broken/", broken), *site_urlpatterns]


def assert_site_page(response, status: int, *phrases: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert 'class="site-header"' in html and "Agora" in html
    for phrase in phrases:
        assert phrase in html


@pytest.mark.urls(__name__)
def test_forbidden_page_says_whose_page_it_is_and_where_to_go(student_client, settings):
    assert not settings.DEBUG
    assert_site_page(
        student_client.get("/test-forbidden/"),
        403,
        "You cannot open this page",
        "signed in with the right account",
    )


def test_refused_form_says_reload_and_try_again(student, password):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post("/accounts/logout/")
    assert_site_page(
        response, 403, "Your form was not sent", "open too long", "blocks cookies", "reload the page"
    )
    assert "CSRF" not in response.content.decode()


def test_refused_form_without_a_session_also_gets_the_page(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert_site_page(response, 403, "Your form was not sent", "Log in")


def test_missing_page_says_it_does_not_exist_or_is_not_shared(student_client):
    assert_site_page(student_client.get("/no-such-page/"), 404, "Page not found", "Back to your home page")


@pytest.mark.urls(__name__)
def test_server_error_page_says_it_is_not_your_fault_and_to_try_again(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-broken/")
    assert_site_page(response, 500, "Something went wrong on our side", "try again in a minute")


def test_server_error_page_needs_no_context_and_no_database():
    # Rendered as Django renders it, with no request, and in a test that may not touch
    # the database (pytest-django raises on any query): the database may be what failed.
    html = loader.get_template("500.html").render()
    assert 'href="/static/css/app.css"' in html and 'class="site-header"' in html
