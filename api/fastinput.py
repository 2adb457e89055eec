"""A fast path for input serializers that sees only plain, valid input.

DRF builds a serializer's fields afresh for every instance (a deep copy of the declared
ones), which costs more than the rest of its validation for a small JSON body. `plain_data`
reads the declared fields once and checks the input against them directly, but only for
input it can prove valid: JSON strings, booleans, lists and objects that meet every rule of
their field. For anything else (a wrong type, a value a field would refuse or convert, a
field kind it does not know) it answers None and the serializer itself validates, so every
error, and every conversion DRF would make (numbers to strings, "true" to True, ...), is
exactly DRF's. Its answers equal the serializer's validated data (tests/api/test_fast_input).
"""

from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from rest_framework import fields as f
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

_NOT_PLAIN = object()
_KNOWN_STRING_VALIDATORS = (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)


def _string(field, value):
    if type(value) is not str:
        return _NOT_PLAIN
    if field.trim_whitespace:
        value = value.strip()
    if value == "":
        return "" if field.allow_blank else _NOT_PLAIN
    if "\x00" in value or not _encodes(value):
        return _NOT_PLAIN
    if field.max_length is not None and len(value) > field.max_length:
        return _NOT_PLAIN
    if field.min_length is not None and len(value) < field.min_length:
        return _NOT_PLAIN
    for validator in field.validators:
        if type(validator) is RegexValidator and not validator.inverse_match:
            if not validator.regex.search(value):
                return _NOT_PLAIN
        elif type(validator) not in _KNOWN_STRING_VALIDATORS:
            return _NOT_PLAIN
    return value


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which DRF refuses
        return False
    return True


def _value(field, value):
    kind = type(field)
    if kind in (f.BooleanField, f.ChoiceField) and field.validators:
        return _NOT_PLAIN
    if kind is f.BooleanField:
        return value if type(value) is bool else _NOT_PLAIN
    if kind in (f.CharField, f.SlugField):
        return _string(field, value)
    if kind is f.ChoiceField:
        if type(value) is str and value != "" and value in field.choice_strings_to_values:
            return field.choice_strings_to_values[value]
        return _NOT_PLAIN
    if kind is f.ListField:
        if type(value) is not list or not all(
            isinstance(v, (MaxLengthValidator, MinLengthValidator)) for v in field.validators
        ):
            return _NOT_PLAIN
        if not value and not field.allow_empty:
            return _NOT_PLAIN
        if field.max_length is not None and len(value) > field.max_length:
            return _NOT_PLAIN
        if field.min_length is not None and len(value) < field.min_length:
            return _NOT_PLAIN
        items = [_value(field.child, item) for item in value]
        return _NOT_PLAIN if any(item is _NOT_PLAIN for item in items) else items
    if isinstance(field, serializers.Serializer):
        return _object(field, value)
    return _NOT_PLAIN


def _object(serializer, data):
    if type(data) is not dict or type(serializer).validate is not serializers.Serializer.validate:
        return _NOT_PLAIN
    if serializer.validators:
        return _NOT_PLAIN
    result = {}
    for name, field in serializer.fields.items():
        if field.read_only or field.source != name or getattr(field, "allow_null", False):
            return _NOT_PLAIN
        if hasattr(serializer, f"validate_{name}"):
            return _NOT_PLAIN
        if name not in data:
            if field.required:
                return _NOT_PLAIN
            if field.default is f.empty:
                continue
            result[name] = field.default() if callable(field.default) else field.default
            continue
        if data[name] is None:
            return _NOT_PLAIN
        value = _value(field, data[name])
        if value is _NOT_PLAIN:
            return _NOT_PLAIN
        result[name] = value
    return result


_templates: dict[type, serializers.Serializer] = {}


def plain_data(serializer_class, data) -> dict | None:
    """The serializer's validated data for plain, valid input; None to let it validate."""
    template = _templates.get(serializer_class)
    if template is None:
        # One instance per class, kept for its fields' settings; never given data.
        template = _templates[serializer_class] = serializer_class()
    result = _object(template, data)
    return None if result is _NOT_PLAIN else result
