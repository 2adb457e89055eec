import re

import pytest
from django.urls import reverse

from programs.models import SupportRequest

pytestmark = pytest.mark.django_db


def _start_form(client, program):
    response = client.post(
        reverse("programs:request", args=[program.slug]), {"step": "limits", "acknowledged": "on"}
    )
    assert response.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)
    return token


def test_requester_gets_a_receipt_code_and_reads_the_conversation(client, program):
    token = _start_form(client, program)
    response = client.post(
        reverse("programs:request", args=[program.slug]),
        {
            "step": "details",
            "form_token": token,
            "acknowledged": "True",
            "message": "Rough week after the call-out.",
            "urgency": "routine",
            "channel": "messages",
        },
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    code = re.search(r"<code>([0-9A-Z-]+)</code>", response.content.decode()).group(1)
    assert SupportRequest.objects.count() == 1
    response = client.post(
        reverse("programs:status", args=[program.slug]), {"receipt_code": code, "action": "lookup"}
    )
    assert "Rough week after the call-out." in response.content.decode()
