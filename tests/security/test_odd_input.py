"""Odd input the generated-input test (test_generated_input.py) found ending in a 500: one test each."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/a/99999999999999999999999/", "/a/9223372036854775808/poll/", "/r/9223372036854775808/hide/"]
)
def test_an_id_past_64_bits_in_a_url_is_a_404(path, instructor_client, thread):
    assert instructor_client.get(path).status_code == 404
    assert instructor_client.post(path).status_code == 404


@pytest.mark.django_db
def test_the_largest_64_bit_id_is_still_a_url(instructor_client):
    path = reverse("classroom:thread_detail", args=[2**63 - 1])
    assert instructor_client.get(path).status_code == 404
