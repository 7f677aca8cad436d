"""The brief library pages, for each role."""

import pytest
from django.urls import reverse

from tests.factories import BriefFactory, TagFactory

LIST_URL = reverse("briefs:brief_list")


def test_anonymous_visitor_is_sent_to_login_from_library(client, db):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_visitor_is_sent_to_login_from_brief(client, brief):
    response = client.get(brief.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_student_gets_404_for_library(student_client, db):
    assert student_client.get(LIST_URL).status_code == 404


def test_student_gets_404_for_brief(student_client, brief):
    assert student_client.get(brief.get_absolute_url()).status_code == 404


def test_instructor_sees_library_with_titles_and_questions(instructor_client, db):
    BriefFactory(title="Arctic talks resume", question="Who gains from Arctic shipping?")
    response = instructor_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arctic talks resume" in html
    assert "Who gains from Arctic shipping?" in html
    assert "<html" in html


def test_library_search_matches_summary_and_question_words(instructor_client, db):
    BriefFactory(title="Embassy row", summary="Diplomats argue over embassy staff.")
    BriefFactory(title="Grain deal", summary="Ships carry grain across the Black Sea.")
    html = instructor_client.get(LIST_URL, {"q": "grain black"}).content.decode()
    assert "Grain deal" in html
    assert "Embassy row" not in html
    assert "1 brief" in html


def test_library_search_with_no_match_says_so(instructor_client, brief):
    html = instructor_client.get(LIST_URL, {"q": "zeppelin"}).content.decode()
    assert "No briefs found" in html


def test_library_filters_by_tag(instructor_client, db):
    energy = TagFactory(name="Energy", slug="energy")
    tagged = BriefFactory(title="Pipeline politics")
    tagged.tags.add(energy)
    BriefFactory(title="Chess diplomacy")
    html = instructor_client.get(LIST_URL, {"tag": "energy"}).content.decode()
    assert "Pipeline politics" in html
    assert "Chess diplomacy" not in html


def test_library_htmx_search_returns_only_the_results_partial(instructor_client, brief):
    response = instructor_client.get(LIST_URL, {"q": brief.title}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="brief-results"' in html
    assert brief.title in html
    assert "HX-Request" in response["Vary"]


def test_library_paginates_twenty_per_page_and_keeps_the_search(instructor_client, db):
    for n in range(45):
        BriefFactory(title=f"Trade brief {n:02d}", summary=f"Trade summary {n}.")
    first = instructor_client.get(LIST_URL, {"q": "trade"}).content.decode()
    assert first.count('class="brief-card"') == 20
    assert "Page 1 of 3" in first
    assert "q=trade&amp;page=2" in first
    last = instructor_client.get(LIST_URL, {"q": "trade", "page": 3}).content.decode()
    assert last.count('class="brief-card"') == 5


def test_library_hides_archived_briefs(instructor_client, db):
    from django.utils import timezone

    BriefFactory(title="Old news", archived_at=timezone.now())
    assert "Old news" not in instructor_client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("count", [5, 40])
def test_library_query_count_does_not_grow_with_briefs(
    instructor_client, db, django_assert_max_num_queries, count
):
    tag = TagFactory()
    for _ in range(count):
        BriefFactory().tags.add(tag)
    with django_assert_max_num_queries(6):
        assert instructor_client.get(LIST_URL).status_code == 200


def test_each_library_card_has_an_assign_button_for_its_brief(instructor_client, db):
    brief = BriefFactory(title="Arctic talks resume")
    html = instructor_client.get(LIST_URL).content.decode()
    assign = f'href="{reverse("classroom:assignment_create")}?brief={brief.slug}" role="button"'
    assert assign in html
    assert 'Assign<span class="visually-hidden"> “Arctic talks resume”</span>' in html


def test_library_list_shows_a_hundred_briefs_a_page_one_line_each_and_keeps_the_search(instructor_client, db):
    for n in range(130):
        BriefFactory(title=f"Trade brief {n:03d}", summary=f"Trade summary {n}.")
    BriefFactory(title="Chess diplomacy", summary="Players met.")
    html = instructor_client.get(LIST_URL, {"q": "trade", "view": "list"}).content.decode()
    assert html.count("<tr>") == 1 + 100  # the head row and a hundred briefs
    assert 'class="brief-card"' not in html
    assert "Chess diplomacy" not in html
    assert "Page 1 of 2" in html
    assert "q=trade&amp;view=list&amp;page=2" in html
    assert '<input type="hidden" name="view" value="list">' in html  # a new search stays a list
    assert '<a href="?q=trade">Cards</a>' in html
    assert '<a href="?q=trade&amp;view=list" aria-current="page">List</a>' in html
    assert html.count(f'href="{reverse("classroom:assignment_create")}?brief=') == 100


def test_library_list_with_an_unknown_view_shows_the_cards(instructor_client, brief):
    html = instructor_client.get(LIST_URL, {"view": "<script>"}).content.decode()
    assert 'class="brief-card"' in html
    assert "<script>" not in html


@pytest.mark.parametrize("count", [5, 40])
def test_library_list_query_count_does_not_grow_with_briefs(
    instructor_client, db, django_assert_max_num_queries, count
):
    tag = TagFactory()
    for _ in range(count):
        BriefFactory().tags.add(tag)
    with django_assert_max_num_queries(6):
        assert instructor_client.get(LIST_URL, {"view": "list"}).status_code == 200


def test_instructor_sees_brief_with_question_set_apart(instructor_client, db):
    brief = BriefFactory(
        summary="Officials met in Istanbul.",
        commentary="Small steps can matter.",
        question="Will the embassies reopen?",
    )
    html = instructor_client.get(brief.get_absolute_url()).content.decode()
    assert "Officials met in Istanbul." in html
    assert "Small steps can matter." in html
    assert 'class="brief-question"' in html
    assert "Will the embassies reopen?" in html


def test_brief_text_is_escaped_not_rendered_as_html(instructor_client, db):
    brief = BriefFactory(summary="<script>alert(1)</script> Ministers met.")
    html = instructor_client.get(brief.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_brief_is_404_for_instructor(instructor_client, db):
    assert instructor_client.get(reverse("briefs:brief_detail", args=["no-such-brief"])).status_code == 404


def test_library_rejects_post(instructor_client, db):
    assert instructor_client.post(LIST_URL).status_code == 405
