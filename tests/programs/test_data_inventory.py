"""Every field that holds a request or its case is on the approved data inventory."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

from privacy.crypto import EncryptedTextField
from programs.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseNote,
    Message,
    PlanProposal,
    Referral,
    SafetyPlan,
)

CASE_MODELS = [Case, Message, SafetyPlan, PlanProposal, CaseNote, Referral, CaseEvent, CaseAccess]
INVENTORY = Path(settings.BASE_DIR) / "docs" / "data-inventory.md"
IDENTIFYING = {"ip", "address", "agent", "ua", "user", "cookie", "session", "referrer", "device"}


def _fields(model):
    return [*model._meta.concrete_fields, *model._meta.many_to_many]


def _inventory() -> dict[str, str]:
    rows = {}
    for line in INVENTORY.read_text().splitlines():
        match = re.match(r"\|\s*(\w+\.\w+)\s*\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_case_field_is_listed_on_the_data_inventory_and_nothing_else():
    listed = set(_inventory())
    actual = {f"{m.__name__}.{f.name}" for m in CASE_MODELS for f in _fields(m)}
    assert actual - listed == set(), "add these fields to docs/data-inventory.md"
    assert listed - actual == set(), "remove these rows from docs/data-inventory.md"


def test_free_text_about_a_case_is_always_encrypted():
    for model in CASE_MODELS:
        for field in _fields(model):
            if isinstance(field, models.TextField):
                assert isinstance(field, EncryptedTextField), f"{model.__name__}.{field.name}"


def test_inventory_marks_every_encrypted_field_as_encrypted():
    rows = _inventory()
    for model in CASE_MODELS:
        for field in _fields(model):
            if isinstance(field, EncryptedTextField):
                assert "encrypted" in rows[f"{model.__name__}.{field.name}"]


def test_a_request_has_no_field_that_could_identify_the_requester():
    words = {word for f in _fields(Case) for word in f.name.split("_")}
    assert words & IDENTIFYING == set()
    assert get_user_model() not in {f.related_model for f in _fields(Case)}
