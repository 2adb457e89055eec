"""Forms for the anonymous pages. The rules themselves live in programs.services.intake."""

import copy
from types import MappingProxyType

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import CHANNELS_NEEDING_CONTACT, Channel, Urgency
from .services import intake
from .services.intake import (
    MAX_ALIAS_LENGTH,
    MAX_CONTACT_LENGTH,
    MAX_GENDER_LENGTH,
    MAX_MESSAGE_LENGTH,
)

PRIVATE_INPUT = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


class AcknowledgeForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=_("I have read what stays confidential and what does not."),
        error_messages={"required": _("Please confirm you have read this before going on.")},
    )


class _OptionalChoicesField(forms.ModelMultipleChoiceField):
    """Nothing chosen is an empty list, not a query that is built only to find nothing."""

    def clean(self, value):
        if not value and not self.required:
            return []
        return super().clean(value)


class _DeclaredIntakeFields(forms.Form):
    """The request form's fields as declared; IntakeForm fits them to a program (`_fitted`)."""

    message = forms.CharField(
        label=_("What would you like to talk about? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
    )
    topics = _OptionalChoicesField(
        label=_("What is it about? (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose topics from the list."),
            "invalid_pk_value": _("Choose topics from the list."),
            "invalid_list": _("Choose topics from the list."),
        },
    )
    urgency = forms.ChoiceField(
        label=_("How soon would you like to hear from someone?"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how soon you would like to hear from someone."),
            "invalid_choice": _("Choose how soon you would like to hear from someone."),
        },
    )
    in_danger = forms.BooleanField(
        label=_("I am not safe right now."),
        help_text=_(
            "Tick this if you might hurt yourself or someone else, or someone is hurting you. "
            "Your request will still be sent, marked urgent, and we will show you lines "
            "you can call straight away."
        ),
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("How would you like to be contacted?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you would like to be contacted."),
            "invalid_choice": _("This program does not offer that way of meeting."),
        },
    )
    contact_detail = forms.CharField(
        label=_("Phone number or email address"),
        help_text=_(
            "Only needed for phone, email, video or in person. A personal number or address "
            "is best. Leave it empty for anonymous messages."
        ),
        required=False,
        widget=forms.TextInput(attrs={**PRIVATE_INPUT, "maxlength": MAX_CONTACT_LENGTH}),
    )
    alias = forms.CharField(
        label=_("A first name or made-up name to call you (optional)"),
        required=False,
        widget=forms.TextInput(attrs={**PRIVATE_INPUT, "maxlength": MAX_ALIAS_LENGTH}),
    )
    wants_shared_experience = forms.BooleanField(
        label=_("I'd like someone who has been through something similar."), required=False
    )
    preferred_gender = forms.CharField(
        label=_("Gender of the supporter, if it matters to you (optional)"),
        required=False,
        widget=forms.TextInput(attrs={**PRIVATE_INPUT, "maxlength": MAX_GENDER_LENGTH}),
    )
    preferred_language = forms.ModelChoiceField(
        label=_("Language (optional)"),
        queryset=None,  # set for each form (intake_choices), so never copied with the form
        required=False,
        empty_label=_("No preference"),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    excluded_unit = forms.ModelChoiceField(
        label="",
        queryset=None,
        required=False,
        empty_label=_("No preference"),
        error_messages={"invalid_choice": _("Choose from this program's list.")},
    )
    # Honeypot: moved off-screen and hidden from screen readers; bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class IntakeForm(forms.Form):
    """What a requester may tell us. Everything is optional apart from how to be reached."""

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        # The fields fitted to this program (its ways of meeting, topics, languages, units),
        # each form with fields of its own: copies of the fitted ones, sharing their widgets
        # (whose attributes cannot be changed, see `_fitted`). Deep copies, as Django makes
        # of declared fields, cost more than the rest of a post's checks.
        self.fields = {name: _copy(field) for name, field in _fields_for(program).items()}

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        data = super().clean()
        try:
            intake.intake_validate(
                program=self.program,
                message=data.get("message", ""),
                topics=data.get("topics") or (),
                channel=data.get("channel", ""),
                contact_detail=data.get("contact_detail", ""),
                alias=data.get("alias", ""),
                preferred_gender=data.get("preferred_gender", ""),
                excluded_unit=data.get("excluded_unit"),
                urgency=data.get("urgency", ""),
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "message": data["message"],
            "topics": data["topics"],
            "channel": data["channel"],
            "contact_detail": data.get("contact_detail", ""),
            "alias": data["alias"],
            "wants_shared_experience": data["wants_shared_experience"],
            "preferred_gender": data["preferred_gender"],
            "preferred_language": data["preferred_language"],
            "excluded_unit": data.get("excluded_unit"),
            "urgency": data["urgency"],
            "in_danger": data["in_danger"],
        }


def _copy(field):
    """copy.copy(field) for a form field (no __copy__, no slots: a new instance sharing its
    attributes), without the copy module's generic route through __reduce_ex__."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


# Fields fitted once per remembered reading of a program (selectors.program_get_public with
# memo: `memo_read_at`) and language, for each request form to copy. A change to the
# program, its units or help is a new reading, so a new fit; topics and languages stay
# queries, read when the form is checked or shown.
_fitted_fields: dict[tuple, dict] = {}
FITTED_KEPT = 64


def _fields_for(program) -> dict:
    read_at = getattr(program, "memo_read_at", None)
    if read_at is None:
        return _fitted(program)
    key = (program.pk, read_at, translation.get_language())
    fields = _fitted_fields.get(key)
    if fields is None:
        if len(_fitted_fields) >= FITTED_KEPT:
            _fitted_fields.clear()
        fields = _fitted_fields[key] = _fitted(program)
    return fields


def _fitted(program) -> dict:
    fields = copy.deepcopy(_DeclaredIntakeFields.base_fields)
    fields["message"].help_text = _(
        "Share as much or as little as you like, up to %(n)d characters. "
        "Please leave out names, including yours."
    ) % {"n": MAX_MESSAGE_LENGTH}
    choices = selectors.intake_choices(program=program)
    offered = choices["channels"]
    fields["topics"].queryset = choices["topics"]
    fields["preferred_language"].queryset = choices["languages"]
    fields["channel"].choices = [(c.value, c.label) for c in offered]
    if offered:
        fields["channel"].initial = (
            Channel.MESSAGES if program.offers_messages else offered[0].value
        )
    if not any(c in CHANNELS_NEEDING_CONTACT for c in offered):
        del fields["contact_detail"]
    units = choices["units"]
    # A remembered program (selectors.program_get_public with memo) knows its units.
    known = getattr(program, "prefetched_units", None)
    if units.exists() if known is None else known:
        unit = program.unit_label
        fields["excluded_unit"].queryset = units
        fields["excluded_unit"].label = _("Not someone from my %(unit)s (optional)") % {
            "unit": unit
        }
        fields["excluded_unit"].help_text = _(
            "We will not offer your request to supporters from the %(unit)s you choose. "
            "This tells the program which %(unit)s you are in, so leave it at "
            "“No preference” if you would rather not say."
        ) % {"unit": unit}
    else:
        del fields["excluded_unit"]
    for field in fields.values():
        # Shared by every form copied from these fields: a change for one form would show
        # in the next one, so none can be made.
        field.widget.attrs = MappingProxyType(field.widget.attrs)
        # Fitted for one language (`_fields_for`): each lazy text translated once here,
        # not again by every form that is checked or shown.
        if field.label is not None:
            field.label = str(field.label)
        field.help_text = str(field.help_text)
    return fields


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they are about, once each."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        if field in form.fields:
            if field not in form.errors:
                form.add_error(field, errors)
        else:
            form.add_error(None, errors)


class ReceiptCodeForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Your receipt code"),
        help_text=_("Seven groups of four letters and numbers, for example ABCD-1234-…"),
        required=False,
        widget=forms.TextInput(attrs={**PRIVATE_INPUT, "autocapitalize": "characters"}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Up to %(n)d characters.") % {"n": MAX_MESSAGE_LENGTH}


class HelpDirectoryFilterForm(forms.Form):
    """The directory's filters: a plain GET form, each filter optional."""

    kind = forms.ChoiceField(label=_("Kind of help"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, kinds, regions, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *kinds]
        self.fields["region"].choices = [("", _("Any region")), *((r, r) for r in regions)]
        self.fields["language"].choices = [
            ("", _("Any language")),
            *((language.code, language.name) for language in languages),
        ]
