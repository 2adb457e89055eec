"""The intake's fast input path answers exactly what its serializer would, or steps aside."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from api import serializers as s
from api.fastinput import plain_data
from api.views.base import validated

TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "  ", " padded ", "messages", "phone", "urgent", "a\x00b", "\ud800"]),
    st.text(min_size=1995, max_size=2005, alphabet="ab "),
)
SCALAR = st.one_of(TEXT, st.booleans(), st.integers(), st.floats(allow_nan=False), st.none())
VALUE = st.one_of(SCALAR, st.lists(SCALAR, max_size=3), st.lists(TEXT, max_size=32))
PREFERENCES = st.one_of(
    VALUE,
    st.fixed_dictionaries(
        {},
        optional={
            "shared_experience": st.one_of(st.booleans(), SCALAR),
            "gender": TEXT,
            "language": st.one_of(TEXT, st.sampled_from(["en", "fr"])),
            "exclude_unit": SCALAR,
            "other": SCALAR,
        },
    ),
)
BODY = st.fixed_dictionaries(
    {},
    optional={
        "message": st.one_of(TEXT, SCALAR),
        "topics": st.one_of(
            VALUE, st.lists(st.sampled_from(["peer", "sleep", "a b", "-_x9", ""]), max_size=31)
        ),
        "channel": st.one_of(st.sampled_from(["messages", "phone", "fax", "", " phone"]), SCALAR),
        "contact_detail": st.one_of(TEXT, SCALAR),
        "alias": st.one_of(TEXT, st.text(min_size=38, max_size=42)),
        "preferences": PREFERENCES,
        "urgency": st.one_of(st.sampled_from(["routine", "soon", "urgent", "now"]), SCALAR),
        "in_danger": st.one_of(st.booleans(), st.sampled_from(["true", 1, 0, "no"]), SCALAR),
        "unknown": SCALAR,
    },
)

# Mostly valid: the fast path's own ground, one odd value at a time.
NEARLY = st.fixed_dictionaries(
    {"message": st.one_of(st.text(min_size=1, max_size=40), TEXT)},
    optional={
        "topics": st.lists(st.sampled_from(["peer", "sleep", "a b", "-_x9", " x", ""]), max_size=3),
        "channel": st.sampled_from(["messages", "phone", "email", "fax"]),
        "contact_detail": st.one_of(st.text(max_size=20), st.just(" 555 0100 ")),
        "alias": st.text(max_size=42),
        "preferences": st.fixed_dictionaries(
            {},
            optional={
                "shared_experience": st.one_of(st.booleans(), st.just("yes")),
                "gender": st.text(max_size=42),
                "language": st.sampled_from(["en", "fr", " en ", "a-very-long-code"]),
                "exclude_unit": st.text(max_size=5),
            },
        ),
        "urgency": st.sampled_from(["routine", "soon", "urgent", "now"]),
        "in_danger": st.one_of(st.booleans(), st.just(1)),
    },
)


def drf(data):
    serializer = s.RequestInSerializer(data=data)
    return serializer.validated_data if serializer.is_valid() else None


@settings(max_examples=400, deadline=None)
@given(st.one_of(BODY, NEARLY))
def test_the_fast_path_accepts_only_what_the_serializer_accepts_and_reads_it_the_same(data):
    fast = plain_data(s.RequestInSerializer, data)
    if fast is not None:
        assert fast == drf(data)


def test_a_plain_request_takes_the_fast_path():
    data = {
        "message": "  A rough week.  ",
        "topics": ["sleep"],
        "preferences": {"language": "en"},
        "in_danger": True,
    }
    assert plain_data(s.RequestInSerializer, data) == drf(data)
    assert plain_data(s.RequestInSerializer, data)["message"] == "A rough week."


def test_values_the_serializer_would_convert_or_refuse_are_left_to_it():
    for data in (
        {"message": 12},
        {"message": "Hi", "in_danger": "true"},
        {"message": "Hi", "channel": "fax"},
        {"message": ""},
        {"message": "Hi", "preferences": None},
        ["not", "an", "object"],
    ):
        assert plain_data(s.RequestInSerializer, data) is None


def test_a_refused_request_still_gets_the_serializers_errors():
    with pytest.raises(ValidationError) as refused:
        validated(s.RequestInSerializer, {"message": "", "channel": "fax"}, fast=True)
    assert set(refused.value.detail) == {"message", "channel"}
