"""The answer composer: Write / Preview rendered by the server (htmx or a plain post), a
formatting help, and the focus sent to the new post after posting."""

import json
import re

import pytest
from django.urls import reverse

from classroom.models import Response
from tests.helpers import client_for, create_url, thread_url

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def preview_url(thread) -> str:
    return reverse("classroom:response_preview", args=[thread.pk])


TEXT = "**Sanctions** rarely work *alone*.\n\n- trade\n- [talks](https://example.org)\n\n<script>alert(1)</script>"


def test_preview_renders_the_answer_through_the_posting_pipeline_and_posts_nothing(student, thread):
    response = client_for(student).post(preview_url(thread), {"body": TEXT, "preview": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    shown = re.search(r'<div id="answer-preview".*?</div>\s*</div>', html, re.DOTALL).group(0)
    assert "<strong>Sanctions</strong>" in shown and "<em>alone</em>" in shown
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow ugc">talks</a>' in shown
    assert "<script>" not in shown
    assert 'aria-pressed="true" aria-controls="answer-preview">Preview' in html
    assert "**Sanctions** rarely work" in html  # the text is kept in the (hidden) box
    assert 'class="composer-write" hidden' in html
    assert not Response.objects.exists()
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"agora:focus": {"selector": "#answer-preview"}}


def test_preview_works_with_javascript_off_as_a_whole_page(student, thread):
    response = client_for(student).post(preview_url(thread), {"body": TEXT, "preview": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "<strong>Sanctions</strong>" in html
    assert not Response.objects.exists()


def test_write_brings_the_text_back_to_the_box_with_no_error(student, thread):
    thread.min_words = 50
    thread.save()
    response = client_for(student).post(
        preview_url(thread), {"body": "Too short.", "preview": "0"}, headers=HTMX
    )
    html = response.content.decode()
    assert ">\nToo short.</textarea>" in html or ">Too short.</textarea>" in html
    assert 'id="answer-preview"' not in html
    assert "errorlist" not in html
    assert 'aria-pressed="true">Write' in html.replace(' formnovalidate class="composer-mode"', "")
    assert not Response.objects.exists()


def test_preview_of_nothing_says_there_is_nothing_to_preview(student, thread):
    html = (
        client_for(student)
        .post(preview_url(thread), {"body": "  ", "preview": "1"}, headers=HTMX)
        .content.decode()
    )
    assert "Nothing to preview yet" in html
    assert 'id="answer-preview"' not in html


def test_posting_after_a_preview_posts_once_with_the_same_token(student, thread):
    client = client_for(student)
    html = client.post(
        preview_url(thread),
        {"body": TEXT, "preview": "1", "client_token": "6f1c2a3e-1111-4222-8333-944455556666"},
        headers=HTMX,
    ).content.decode()
    assert 'value="6f1c2a3e-1111-4222-8333-944455556666"' in html
    for _ in range(2):
        client.post(
            create_url(thread),
            {"body": TEXT, "client_token": "6f1c2a3e-1111-4222-8333-944455556666"},
            headers=HTMX,
        )
    assert Response.objects.count() == 1


def test_posting_an_answer_sends_the_focus_to_the_new_answer(student, thread):
    response = client_for(student).post(create_url(thread), {"body": "My considered answer."}, headers=HTMX)
    answer = Response.objects.get()
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "agora:focus": {"selector": f"#response-{answer.pk}"}
    }
    assert f'id="response-{answer.pk}"' in response.content.decode()


def test_posting_without_javascript_lands_on_the_new_answer(student, thread):
    response = client_for(student).post(create_url(thread), {"body": "My considered answer."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#response-{Response.objects.get().pk}")


def test_the_composer_shows_a_formatting_help(student, thread):
    html = client_for(student).get(thread_url(thread)).content.decode()
    help_box = re.search(r'<details class="format-help">.*?</details>', html, re.DOTALL).group(0)
    for sample in (
        "**bold**",
        "*italic*",
        "~~struck out~~",
        "&gt; a quotation",
        "[words](https://example.org)",
    ):
        assert sample in help_box


def test_preview_by_a_student_outside_the_group_is_a_404(outsider, thread):
    response = client_for(outsider).post(preview_url(thread), {"body": TEXT, "preview": "1"}, headers=HTMX)
    assert response.status_code == 404


def test_preview_by_another_teacher_is_a_404(other_instructor, thread):
    response = client_for(other_instructor).post(preview_url(thread), {"body": TEXT, "preview": "1"})
    assert response.status_code == 404


def test_preview_by_an_anonymous_visitor_goes_to_the_login(client, thread):
    response = client.post(preview_url(thread), {"body": TEXT, "preview": "1"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Response.objects.exists()


def test_the_write_and_preview_buttons_post_to_the_preview_view(student, thread):
    html = client_for(student).get(thread_url(thread)).content.decode()
    buttons = re.findall(r'<button type="submit" name="preview"[^>]*>', html)
    assert len(buttons) == 2
    assert all(f'formaction="{preview_url(thread)}"' in button for button in buttons)


def test_post_answer_posts_even_with_a_preview_value_in_the_form(student, thread):
    """A browser sends no button's value but the one pressed; a client that sends all still posts."""
    client_for(student).post(create_url(thread), {"body": "My considered answer.", "preview": "0"})
    assert Response.objects.count() == 1


def test_preview_needs_a_post(student, thread):
    assert client_for(student).get(preview_url(thread)).status_code == 405
