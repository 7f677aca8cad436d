"""Briefs in other languages through the pages: import and form set the language, pages mark
the brief's text with it, and search finds words with or without their accents."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from briefs.models import Brief
from classroom.models import Assignment, Response, User
from tests.factories import AssignmentFactory, BriefFactory
from tests.helpers import client_for, thread_url
from tests.integration.test_brief_curation import NEW_URL, brief_data, import_text

LIST_URL = reverse("briefs:brief_list")
RUSSIAN = """Language: ru
Москва и Вашингтон договорились возобновить авиасообщение. Первые рейсы начнутся весной. Ёмких договорённостей пока нет.
Что изменится для путешественников?
"""


def test_an_imported_brief_keeps_its_language_and_its_page_marks_the_text(instructor_client):
    import_text(instructor_client, RUSSIAN)
    brief = Brief.objects.get()
    assert brief.language == "ru"
    assert [text for _, _, text in brief.sentences()] == [
        "Москва и Вашингтон договорились возобновить авиасообщение.",
        "Первые рейсы начнутся весной.",
        "Ёмких договорённостей пока нет.",
    ]
    html = instructor_client.get(brief.get_absolute_url()).content.decode()
    assert '<p class="brief-summary" lang="ru" dir="ltr">Москва' in html
    assert '<h1 id="brief-title" lang="ru" dir="ltr">Москва и Вашингтон' in html
    library = instructor_client.get(LIST_URL).content.decode()
    assert '<p class="brief-card-summary" lang="ru" dir="ltr">Москва' in library


def test_the_form_sets_the_language_and_a_change_of_language_keeps_the_version(instructor_client):
    instructor_client.post(NEW_URL, brief_data(language="es", question="¿Qué hará falta?"))
    brief = Brief.objects.get()
    assert brief.language == "es"
    edit = reverse("briefs:brief_edit", args=[brief.slug])
    assert '<option value="es" selected>' in instructor_client.get(edit).content.decode()
    instructor_client.post(edit, brief_data(language="ar", question="¿Qué hará falta?"))
    brief.refresh_from_db()
    assert (brief.language, brief.version, Brief.objects.count()) == ("ar", 1, 1)
    assert 'lang="ar" dir="rtl"' in instructor_client.get(brief.get_absolute_url()).content.decode()


def test_a_language_not_in_the_list_is_refused_with_a_message(instructor_client):
    response = instructor_client.post(NEW_URL, brief_data(language="klingon"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Brief.objects.exists()


def test_a_greek_question_mark_is_accepted_only_for_a_greek_brief(instructor_client):
    response = instructor_client.post(NEW_URL, brief_data(question="Τι θα αλλάξει;"))
    assert "End the question with a question mark." in response.content.decode()
    instructor_client.post(NEW_URL, brief_data(question="Τι θα αλλάξει;", language="el"))
    assert Brief.objects.get().question == "Τι θα αλλάξει;"


def test_a_brief_without_a_language_is_marked_as_the_sites(instructor_client):
    brief = BriefFactory()
    html = instructor_client.get(brief.get_absolute_url()).content.decode()
    assert '<p class="brief-summary" lang="en" dir="ltr">' in html


def test_the_thread_marks_the_brief_with_its_language(student, group):
    brief = BriefFactory(
        summary="Österreich baut die Bahn aus. Über Kosten wurde nicht gesprochen.", language="de"
    )
    thread = AssignmentFactory(brief=brief, group=group)
    html = client_for(student).get(thread_url(thread)).content.decode()
    assert '<p class="brief-summary" lang="de" dir="ltr">' in html
    assert '<h1 id="brief-title" lang="de" dir="ltr">' in html
    assert 'data-quote="summary:1">Über Kosten wurde nicht gesprochen.</span>' in html


def library(client, query: str) -> str:
    return client.get(LIST_URL, {"q": query}).content.decode()


def test_library_search_ignores_accents_and_case(instructor_client):
    BriefFactory(title="Nueva ley", summary="El Gobierno aprobó una ley de elección directa.")
    BriefFactory(title="Bahn", summary="Österreich und die Schweiz bauen ihre Bahn aus.")
    BriefFactory(title="Ёлки", summary="В Москве продают ёлки.")
    BriefFactory(title="Embassy row", summary="Diplomats argue.")
    assert "Nueva ley" in library(instructor_client, "eleccion")
    assert "Nueva ley" in library(instructor_client, "ELECCIÓN aprobo")
    assert "Bahn" in library(instructor_client, "osterreich")
    assert "Bahn" in library(instructor_client, "ÖSTERREICH")
    assert "Ёлки" in library(instructor_client, "елки москве")
    html = library(instructor_client, "eleccion")
    assert "Embassy row" not in html and "Bahn" not in html


def test_a_new_title_is_found_by_search(instructor_client, instructor):
    brief = BriefFactory(title="Old name", summary="Talks resumed.", created_by=instructor)
    response = instructor_client.post(
        reverse("briefs:brief_edit", args=[brief.slug]),
        brief_data(
            title="Négociations", summary=brief.summary, commentary=brief.commentary, question=brief.question
        ),
    )
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.title == "Négociations" and brief.version == 1  # renamed in place
    assert "Négociations" in library(instructor_client, "negociations")


def test_the_assign_page_search_ignores_accents(instructor_client, group):
    BriefFactory(title="Nueva ley", summary="Una ley de elección directa.")
    html = instructor_client.get(reverse("classroom:assignment_create"), {"q": "eleccion"}).content.decode()
    assert "Nueva ley" in html


def test_the_demo_has_a_thread_on_a_brief_in_russian(db):
    call_command("seed_demo", verbosity=0, stdout=StringIO())
    russian = Brief.objects.get(language="ru")
    thread = Assignment.objects.get(brief=russian)
    answer = Response.objects.get(assignment=thread)
    assert (
        answer.quote_text
        == "Россия предложила восстановить прямое авиасообщение с Соединёнными Штатами, прерванное в 2022 году."
    )
    assert len(russian.sentences()) == 4
    html = client_for(User.objects.get(username="chloe")).get(thread_url(thread)).content.decode()
    assert '<p class="brief-summary" lang="ru" dir="ltr">' in html
