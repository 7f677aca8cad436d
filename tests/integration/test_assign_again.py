"""Assign again: a discussion's rules copied to new groups or a new brief; a teacher's saved
rule presets, picked when assigning. Each as every role; forbidden objects are 404s."""

import re

import pytest
from django.urls import reverse

from classroom.actions import save_rule_preset
from classroom.models import Assignment, RulePreset
from tests.factories import AssignmentFactory, BriefFactory, GroupFactory
from tests.helpers import client_for
from tests.integration.test_assignments import assign_data, rules_data

pytestmark = pytest.mark.django_db

ASSIGN_URL = reverse("classroom:assignment_create")
PRESET_URL = reverse("classroom:rule_preset_create")


def delete_url(preset) -> str:
    return reverse("classroom:rule_preset_delete", args=[preset.pk])


def field_value(html: str, name: str) -> str:
    match = re.search(rf'<input type="number" name="{name}" value="([^"]*)"', html)
    assert match, f"no number field {name}"
    return match.group(1)


def checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html).group(0)
    return " checked" in tag


@pytest.fixture
def debate(group, instructor):
    return AssignmentFactory(
        group=group,
        brief=BriefFactory(title="Embassies reopen"),
        anonymous_to_peers=True,
        post_first=False,
        min_words=120,
        replies_required=3,
        points=25,
        stance=True,
        steelman=True,
        reveal_quorum=60,
    )


def test_assign_again_fills_in_the_discussions_rules_and_brief(instructor, debate):
    html = client_for(instructor).get(f"{ASSIGN_URL}?rules_from={debate.pk}").content.decode()
    assert "The rules of “Embassies reopen” in Period 3 are filled in below." in html
    assert field_value(html, "min_words") == "120"
    assert field_value(html, "replies_required") == "3"
    assert field_value(html, "points") == "25"
    assert field_value(html, "reveal_quorum") == "60"
    assert checked(html, "anonymous_to_peers") and checked(html, "stance") and checked(html, "steelman")
    assert not checked(html, "post_first")
    assert f'value="{debate.brief.pk}" checked' in html


def test_assigning_again_to_another_group_creates_a_thread_with_the_same_rules(instructor, debate):
    other = GroupFactory(name="Period 5", instructors=[instructor])
    client = client_for(instructor)
    html = client.get(f"{ASSIGN_URL}?rules_from={debate.pk}").content.decode()
    data = assign_data(debate.brief, [other], min_words=field_value(html, "min_words"), points="25")
    data.update(replies_required="3", reveal_quorum="60", stance="on", steelman="on", anonymous_to_peers="on")
    data.pop("post_first")
    assert client.post(ASSIGN_URL, data).status_code == 302
    copy = Assignment.objects.get(group=other)
    assert (copy.min_words, copy.replies_required, copy.points, copy.reveal_quorum) == (120, 3, 25, 60)
    assert copy.anonymous_to_peers and copy.stance and copy.steelman and not copy.post_first


def test_the_threads_teacher_tools_its_rules_page_and_its_report_offer_assign_again(instructor, debate):
    client = client_for(instructor)
    link = f'href="{ASSIGN_URL}?rules_from={debate.pk}"'
    assert link in client.get(debate.get_absolute_url()).content.decode()
    assert link in client.get(reverse("classroom:assignment_edit", args=[debate.pk])).content.decode()
    assert link in client.get(reverse("classroom:assignment_report", args=[debate.pk])).content.decode()


def test_a_student_does_not_see_assign_again(student, debate):
    assert "rules_from" not in client_for(student).get(debate.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["other_instructor", "student", "outsider"])
def test_assign_again_from_a_thread_one_does_not_teach_is_a_404(request, role, debate):
    person = request.getfixturevalue(role)
    assert client_for(person).get(f"{ASSIGN_URL}?rules_from={debate.pk}").status_code == 404


def test_assign_again_from_a_thread_that_does_not_exist_is_a_404(instructor):
    assert client_for(instructor).get(f"{ASSIGN_URL}?rules_from=999999").status_code == 404


def test_assign_again_with_a_bad_id_is_ignored_not_a_500(instructor):
    assert client_for(instructor).get(f"{ASSIGN_URL}?rules_from=abc").status_code == 200


def test_anonymous_visitor_is_sent_to_log_in(client, debate):
    response = client.get(f"{ASSIGN_URL}?rules_from={debate.pk}")
    assert response.status_code == 302 and "login" in response["Location"]


# ---- presets ------------------------------------------------------------------------


def test_saving_the_rules_of_the_assign_form_as_a_preset_and_picking_it(instructor, group, brief):
    client = client_for(instructor)
    data = assign_data(brief, [group], min_words="80", points="15", preset_name="  Debate,   anonymous ")
    response = client.post(PRESET_URL, data, follow=True)
    preset = RulePreset.objects.get(owner=instructor)
    assert preset.name == "Debate, anonymous"
    assert preset.rules["min_words"] == 80 and preset.rules["points"] == 15
    assert "opens_at" not in preset.rules and "due_at" not in preset.rules
    assert not Assignment.objects.exists()  # saving rules assigns nothing
    assert (
        response.redirect_chain[-1][0]
        == f"{ASSIGN_URL}?preset={preset.pk}&brief={brief.slug}&group={group.pk}"
    )
    html = response.content.decode()
    assert "Rules saved as the preset “Debate, anonymous”." in html
    assert "The rules of your preset “Debate, anonymous” are filled in below." in html
    assert field_value(html, "min_words") == "80"
    assert f'<option value="{preset.pk}" selected>Debate, anonymous</option>' in html


def test_saving_under_the_same_name_replaces_the_rules(instructor, group, brief):
    client = client_for(instructor)
    client.post(PRESET_URL, assign_data(brief, [group], min_words="80", preset_name="Debate"))
    response = client.post(
        PRESET_URL, assign_data(brief, [group], min_words="30", preset_name="Debate"), follow=True
    )
    assert RulePreset.objects.get().rules["min_words"] == 30
    assert "Rules updated as the preset “Debate”." in response.content.decode()


def test_a_preset_without_a_name_is_refused_with_a_message_and_nothing_saved(instructor, group, brief):
    response = client_for(instructor).post(PRESET_URL, assign_data(brief, [group], preset_name="   "))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the preset a name" in html
    assert "80" not in re.findall(r'name="min_words" value="(\d+)"', html)
    assert field_value(html, "min_words") == "40"  # what was typed stays
    assert not RulePreset.objects.exists()


def test_a_preset_with_bad_rules_is_refused_with_the_rules_error_and_nothing_saved(instructor, group, brief):
    response = client_for(instructor).post(
        PRESET_URL, assign_data(brief, [group], min_words="-4", preset_name="Broken")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in html
    assert "Pick the brief" not in html and "Pick at least one group" not in html
    assert not RulePreset.objects.exists()


def test_saving_a_preset_needs_no_brief_or_group(instructor):
    client_for(instructor).post(PRESET_URL, {**rules_data(), "preset_name": "Plain"})
    assert RulePreset.objects.get().name == "Plain"


@pytest.mark.parametrize("role", ["student", "outsider"])
def test_a_student_cannot_save_a_preset(request, role, group, brief):
    response = client_for(request.getfixturevalue(role)).post(
        PRESET_URL, assign_data(brief, [group], preset_name="Mine")
    )
    assert response.status_code in (403, 404)
    assert not RulePreset.objects.exists()


def test_a_teachers_presets_are_their_own(instructor, other_instructor):
    preset, _ = save_rule_preset(owner=instructor, name="Debate", rules=rules_for_preset())
    other = client_for(other_instructor)
    assert other.get(f"{ASSIGN_URL}?preset={preset.pk}").status_code == 404
    assert "Debate" not in other.get(ASSIGN_URL).content.decode()
    assert other.post(delete_url(preset)).status_code == 404
    assert RulePreset.objects.filter(pk=preset.pk).exists()


def test_the_owner_deletes_a_preset(instructor):
    preset, _ = save_rule_preset(owner=instructor, name="Debate", rules=rules_for_preset())
    response = client_for(instructor).post(delete_url(preset), follow=True)
    assert "The preset “Debate” is deleted." in response.content.decode()
    assert not RulePreset.objects.exists()


def test_deleting_a_preset_needs_a_post(instructor):
    preset, _ = save_rule_preset(owner=instructor, name="Debate", rules=rules_for_preset())
    assert client_for(instructor).get(delete_url(preset)).status_code == 405
    assert RulePreset.objects.exists()


def test_the_assign_page_lists_presets_in_a_fixed_number_of_queries(
    instructor, group, django_assert_max_num_queries
):
    client = client_for(instructor)
    client.get(ASSIGN_URL)
    for n in range(5):
        save_rule_preset(owner=instructor, name=f"Preset {n}", rules=rules_for_preset())
    with django_assert_max_num_queries(14):
        html = client.get(ASSIGN_URL).content.decode()
    assert html.count('class="action action-danger">Delete') == 5


def rules_for_preset() -> dict:
    from classroom.actions import PRESET_RULES, AssignmentRules

    defaults = AssignmentRules(opens_at=None, due_at=None)
    return {name: getattr(defaults, name) for name in PRESET_RULES}
