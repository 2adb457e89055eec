"""Plain-text emails read as written: "&" stays "&", never the HTML "&amp;"."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from programs.models import Program
from programs.services import intake
from programs.tasks import send_staff_email
from tests.factories import make_member, make_program

pytestmark = pytest.mark.django_db

NAME = "Northfield Fire & Rescue"
EMAIL_TEMPLATES = sorted(Path(settings.BASE_DIR, "templates", "emails").glob("*.txt"))


@pytest.fixture
def northfield(db):
    program = make_program("northfield")
    Program.objects.filter(pk=program.pk).update(name=NAME)
    program.refresh_from_db()
    return program


def test_a_new_request_email_names_the_program_as_written(
    northfield, django_capture_on_commit_callbacks
):
    make_member(northfield, "coordinator", email="coord@northfield.example")
    with django_capture_on_commit_callbacks(execute=True):
        intake.case_submit(program=northfield, message="A hard week.")
    [message] = mail.outbox
    assert message.subject == f"A new request in {NAME}"
    assert f"arrived in {NAME}." in message.body
    assert "&amp;" not in message.subject + message.body


@pytest.mark.parametrize("template", EMAIL_TEMPLATES, ids=lambda p: p.stem)
def test_every_plain_text_email_template_leaves_text_unescaped(northfield, template):
    user = make_member(northfield, "coordinator", email="coord@northfield.example")
    context = {
        "program": NAME,
        "program_slug": "northfield",
        "requirement": 'Psychological "first aid" & <debriefing>',
        "months": 3,
        "urgent": True,
    }
    send_staff_email.enqueue(user_ids=[user.pk], template=template.stem, context=context)
    [message] = mail.outbox
    text = message.subject + "\n" + message.body
    assert NAME in text
    for escaped in ("&amp;", "&quot;", "&lt;", "&gt;", "&#x27;", "&#39;"):
        assert escaped not in text, template.name
