from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, Language, Urgency
from .services.intake import MAX_ALIAS_LENGTH, MAX_CONTACT_LENGTH, MAX_MESSAGE_LENGTH


class AcknowledgeForm(forms.Form):
    acknowledged = forms.BooleanField(
        label=_("I have read what stays confidential and what does not."),
        error_messages={"required": _("Please confirm you have read this before going on.")},
    )


class SupportRequestForm(forms.Form):
    """What a requester may tell us. Everything is optional apart from how to be reached."""

    acknowledged = forms.BooleanField(widget=forms.HiddenInput, required=True)
    message = forms.CharField(
        label=_("What would you like to talk about? (optional)"),
        help_text=_("Share as much or as little as you like. Please leave out names."),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(
        label=_("How soon would you like to hear from someone?"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    in_danger = forms.BooleanField(
        label=_("I am not safe right now."),
        help_text=_("If you tick this, we will show you crisis lines you can call now."),
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("How would you like to be contacted?"), widget=forms.RadioSelect
    )
    contact_detail = forms.CharField(
        label=_("Phone number or email address (only for phone, email, video or in person)"),
        help_text=_("A personal number or address is best. Leave empty for anonymous messages."),
        required=False,
        max_length=MAX_CONTACT_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    alias = forms.CharField(
        label=_("A first name or made-up name to call you (optional)"),
        required=False,
        max_length=MAX_ALIAS_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    wants_shared_experience = forms.BooleanField(
        label=_("I'd like someone who has been through something similar."), required=False
    )
    preferred_gender = forms.CharField(
        label=_("Gender of the supporter, if it matters to you (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    preferred_language = forms.ModelChoiceField(
        label=_("Language (optional)"),
        queryset=Language.objects.all(),
        required=False,
        empty_label=_("No preference"),
    )
    excluded_unit = forms.ModelChoiceField(
        label="", queryset=None, required=False, empty_label=_("No preference")
    )
    # Honeypot: hidden from people (and from screen readers); bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["topics"].queryset = program.topics.all()
        self.fields["channel"].choices = [(c.value, c.label) for c in program.offered_channels()]
        self.fields["channel"].initial = (
            Channel.MESSAGES if program.offers_messages else program.offered_channels()[0]
        )
        self.fields["excluded_unit"].queryset = program.units.all()
        self.fields["excluded_unit"].label = _("Not someone from my %(unit)s") % {
            "unit": program.unit_label
        }
        if not program.units.exists():
            del self.fields["excluded_unit"]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ReceiptCodeForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Your receipt code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
