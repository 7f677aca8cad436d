"""Every page needs a login; htmx requests from a lost session redirect the whole page."""

from urllib.parse import quote

from django.urls import reverse


def test_plain_request_without_login_redirects_to_login_with_next(client, thread):
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(thread.get_absolute_url())}"


def test_htmx_poll_without_login_redirects_the_whole_page_back_to_the_thread(client, thread):
    page = f"http://testserver{thread.get_absolute_url()}"
    response = client.get(
        reverse("classroom:thread_poll", args=[thread.pk]) + "?v=0",
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(thread.get_absolute_url(), safe='')}"
    assert b"<html" not in response.content


def test_login_and_join_pages_need_no_login(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("classroom:join_start")).status_code == 200
