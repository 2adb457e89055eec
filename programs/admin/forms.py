"""Forms of the program admin. Choices are limited to the programs the person works in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .. import crisis_directory, permissions
from ..blueprints import BLUEPRINTS
from ..models import (
    Channel,
    Program,
    Role,
    SupporterProfile,
    TrainingCompletion,
    TrainingRequirement,
    Unit,
)
from ..services import roster
from .policies import program_ids

Status = SupporterProfile.Status
SENSITIVE_FIELDS = ("lived_experience", "gender")


def apply_errors(form: forms.Form, exc: ValidationError, field_map: dict | None = None) -> None:
    """Show a service's ValidationError on the form, next to the field it concerns."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        name = field_map.get(key, key)
        form.add_error(name if name in form.fields else None, errors)


class ProgramCreateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Template"),
        choices=[(key, blueprint.kind.label) for key, blueprint in BLUEPRINTS.items()],
    )
    name = forms.CharField(label=_("Program name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name for web addresses"),
        max_length=50,
        help_text=_("Lowercase letters, numbers and hyphens, e.g. 'city-fire'."),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the program's name."),
    )
    admin_email = forms.EmailField(label=_("Email of the program admin"))
    country = forms.ChoiceField(
        label=_("Country"),
        choices=crisis_directory.country_choices,
        initial="US",
        required=False,
        help_text=_("The program starts with this country's crisis and emergency lines."),
    )


class MembershipAddForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        programs = Program.objects.filter(pk__in=program_ids(user, permissions.ADMINISTER))
        self.fields["program"].queryset = programs
        if len(programs) == 1:
            self.fields["program"].initial = programs[0].pk


class RosterForm(WagtailAdminModelForm):
    """A supporter's profile. Status moves go through the roster service, which records them."""

    new_status = forms.ChoiceField(
        label=_("Change status to"),
        required=False,
        help_text=_("Who made the change, and when, is recorded."),
    )
    status_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=200,
        required=False,
        help_text=_("Optional. Shown in the status history, not to the supporter's colleagues."),
    )

    class Meta:
        model = SupporterProfile
        fields = [
            "display_name",
            "unit",
            "languages",
            "lived_experience",
            "gender",
            "availability",
            "max_active_cases",
            "confidentiality_limits",
            *[f"offers_{c}" for c in Channel.values],
        ]
        widgets = {
            "languages": forms.CheckboxSelectMultiple,
            "lived_experience": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = Unit.objects.filter(program_id=self.instance.program_id)
        own = self.instance.user_id == getattr(self.for_user, "pk", None)
        if not own and not permissions.user_can(
            self.for_user, permissions.TRIAGE, self.instance.program
        ):
            # Health-related personal data: for the coordinators who match requests (and
            # the supporter themself) only.
            for name in SENSITIVE_FIELDS:
                self.fields.pop(name, None)
        moves = roster.ALLOWED_MOVES.get(self.instance.status, set())
        self.fields["new_status"].choices = [("", _("No change"))] + [
            (status.value, status.label) for status in Status if status in moves
        ]


class TrainingCompletionForm(WagtailAdminModelForm):
    class Meta:
        model = TrainingCompletion
        fields = ["supporter", "requirement", "completed_on", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = program_ids(self.for_user, permissions.MANAGE_ROSTER)
        self.fields["supporter"].queryset = (
            SupporterProfile.objects.filter(program_id__in=ids)
            .exclude(status=Status.RETIRED)
            .select_related("program")
            .order_by("program__name", "display_name")
        )
        self.fields["requirement"].queryset = (
            TrainingRequirement.objects.filter(program_id__in=ids)
            .select_related("program")
            .order_by("program__name", "sort_order")
        )
        self.fields["requirement"].label_from_instance = lambda r: f"{r.name} ({r.program})"

    def clean(self):
        cleaned = super().clean()
        supporter, requirement = cleaned.get("supporter"), cleaned.get("requirement")
        if supporter and requirement and supporter.program_id != requirement.program_id:
            self.add_error("requirement", _("Choose a requirement of the supporter's program."))
        return cleaned


class RosterCsvForm(forms.Form):
    MAX_BYTES = 200 * 1024

    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("UTF-8 CSV with the same columns as the export. Up to 200 KB."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        programs = Program.objects.filter(pk__in=program_ids(user, permissions.MANAGE_ROSTER))
        self.fields["program"].queryset = programs
        if len(programs) == 1:
            self.fields["program"].initial = programs[0].pk

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("This file is too large; a roster file is at most 200 KB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("This file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")
            ) from exc


class RosterCsvConfirmForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), widget=forms.HiddenInput)
    csv_text = forms.CharField(widget=forms.HiddenInput, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(
            pk__in=program_ids(user, permissions.MANAGE_ROSTER)
        )
