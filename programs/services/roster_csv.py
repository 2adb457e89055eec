"""The supporter roster as CSV, in and out: the standard library's `csv` and a form per row.

Import is all or nothing: a dry run reports every row's outcome and errors, and a real
run that meets any error saves nothing. Every cell is checked in one place, `RosterRowForm`;
the caseload cap there is the model field's own (`MIN_CASELOAD`..`MAX_CASELOAD`), as in
the admin form. Each row goes through the services: the person is
found or created and given the supporter role by `services.members`, and status moves are
made step by step by `services.roster.supporter_status_set`, so the history records who
imported the change and when. No guardian rows or status values are written directly.
"""

import csv
import io
from collections import deque
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from .. import exports, permissions
from ..models import (
    MAX_CASELOAD,
    MIN_CASELOAD,
    Channel,
    Language,
    Program,
    SupporterProfile,
    Topic,
    Unit,
)
from . import members, roster

Status = SupporterProfile.Status
SEPARATOR = ";"
COLUMNS = [
    "email",
    "display_name",
    "status",
    "unit",
    "languages",
    "lived_experience",
    "channels",
    "gender",
    "availability",
    "max_active_cases",
]
# Only coordinators, who match requests, and the supporter themself may see these:
# lived experience and gender are special-category (health-related) personal data.
SENSITIVE_COLUMNS = ("lived_experience", "gender")
CAPACITY_FIELD = SupporterProfile._meta.get_field("max_active_cases")


def _unsafe(value: str) -> str:
    return exports.restore(value)


def _split(value) -> list[str]:
    return [part.strip() for part in str(value or "").split(SEPARATOR) if part.strip()]


def status_path(start: str, goal: str) -> list[str]:
    """The shortest run of allowed moves from one status to another (empty if already there)."""
    previous = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            break
        for following in sorted(roster.ALLOWED_MOVES.get(current, ())):
            if following not in previous:
                previous[following] = current
                queue.append(following)
    if goal not in previous:
        return []
    path = []
    while goal != start:
        path.append(goal)
        goal = previous[goal]
    return list(reversed(path))


class RosterRowForm(forms.Form):
    """One CSV row: each cell checked and turned into what the services take.

    Only the columns the file has are checked and changed; a column left out keeps what
    the roster holds.
    """

    email = forms.CharField(required=False)
    display_name = forms.CharField(required=False)
    gender = forms.CharField(required=False)
    availability = forms.CharField(required=False)
    status = forms.CharField(required=False)
    unit = forms.CharField(required=False)
    languages = forms.CharField(required=False)
    lived_experience = forms.CharField(required=False)
    channels = forms.CharField(required=False)
    max_active_cases = forms.CharField(required=False)

    TEXT_LIMITS = {"display_name": 80, "gender": 40, "availability": 200}

    def __init__(self, row: dict, *, columns, known: "Lookups"):
        super().__init__({k: "" if v is None else str(v) for k, v in row.items() if k})
        self.known = known
        for name in list(self.fields):
            if name != "email" and name not in columns:
                del self.fields[name]

    def _text(self, name):
        value = _unsafe(self.cleaned_data[name].strip())
        limit = self.TEXT_LIMITS[name]
        if len(value) > limit:
            raise ValidationError(_("Keep this under %(n)d characters.") % {"n": limit})
        return value

    def clean_email(self):
        email = _unsafe(self.cleaned_data["email"].strip())
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(_("Enter a valid email address.")) from exc
        return email

    def clean_display_name(self):
        return self._text("display_name")

    def clean_gender(self):
        return self._text("gender")

    def clean_availability(self):
        return self._text("availability")

    def clean_status(self):
        status = self.cleaned_data["status"].strip().lower().replace(" ", "_")
        if status and status not in Status.values:
            raise ValidationError(
                _("Unknown status '%(s)s'; use one of: %(all)s.")
                % {"s": status, "all": ", ".join(Status.values)}
            )
        return status or None  # empty: no change

    def clean_unit(self):
        name = _unsafe(self.cleaned_data["unit"].strip())
        if not name:
            return None
        if name.casefold() not in self.known.units:
            raise ValidationError(
                _("No %(label)s called '%(n)s' in this program.")
                % {"label": self.known.program.unit_label, "n": name}
            )
        return self.known.units[name.casefold()]

    def _codes(self, name, known):
        values = _split(self.cleaned_data[name])
        unknown = [v for v in values if v.casefold() not in known]
        if unknown:
            raise ValidationError(
                _("Unknown: %(u)s. Use codes separated by '%(sep)s'.")
                % {"u": ", ".join(unknown), "sep": SEPARATOR}
            )
        return [known[v.casefold()] for v in values]

    def clean_languages(self):
        return self._codes("languages", self.known.languages)

    def clean_lived_experience(self):
        return self._codes("lived_experience", self.known.topics)

    def clean_channels(self):
        values = [v.lower() for v in _split(self.cleaned_data["channels"])]
        unknown = [v for v in values if v not in Channel.values]
        if unknown:
            raise ValidationError(
                _("Unknown: %(u)s. Use: %(all)s.")
                % {"u": ", ".join(unknown), "all": ", ".join(Channel.values)}
            )
        return set(values)

    def clean_max_active_cases(self):
        raw = self.cleaned_data["max_active_cases"].strip()
        try:
            # The model field's own validators: the same limits as the admin form.
            return CAPACITY_FIELD.clean(raw or None, None)
        except ValidationError as exc:
            raise ValidationError(
                _("Use a whole number from %(low)d to %(high)d, or leave empty.")
                % {"low": MIN_CASELOAD, "high": MAX_CASELOAD}
            ) from exc

    def parsed(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("status") is None:
            data.pop("status", None)
        return data


@dataclass
class Lookups:
    """The names a row may use, read once per file."""

    program: Program
    units: dict
    languages: dict
    topics: dict

    @classmethod
    def for_program(cls, program: Program) -> "Lookups":
        return cls(
            program=program,
            units={u.name.casefold(): u for u in Unit.objects.filter(program=program)},
            languages={lang.code.casefold(): lang for lang in Language.objects.all()},
            topics={topic.slug.casefold(): topic for topic in Topic.objects.all()},
        )


def _existing(program: Program, email: str) -> SupporterProfile | None:
    if not email:
        return None
    return SupporterProfile.objects.filter(program=program, user__email__iexact=email).first()


def _row_save(*, program: Program, actor, data: dict) -> None:
    """One checked row, through the services: the role, the profile, then each status move."""
    profile, _added = members.supporter_add(program=program, email=data["email"], actor=actor)
    updates = {}
    if data.get("display_name"):
        updates["display_name"] = data["display_name"]
    for key in ("gender", "availability", "unit", "max_active_cases"):
        if key in data:
            updates[key] = data[key]
    if "channels" in data:
        for channel in Channel.values:
            updates[SupporterProfile.channel_field(channel)] = channel in data["channels"]
    changed = [k for k, v in updates.items() if getattr(profile, k) != v]
    for key in changed:
        setattr(profile, key, updates[key])
    if changed:
        profile.save(update_fields=changed)
    if "languages" in data:
        profile.languages.set(data["languages"])
    if "lived_experience" in data:
        profile.lived_experience.set(data["lived_experience"])
    for step in status_path(profile.status, data.get("status", profile.status)):
        roster.supporter_status_set(
            supporter=profile, status=step, actor=actor, reason=_("Roster import")
        )


def _file_errors(*, program: Program, actor, headers: list[str]) -> list[str]:
    errors = []
    sensitive = [c for c in SENSITIVE_COLUMNS if c in headers]
    if sensitive and not permissions.user_can(actor, permissions.TRIAGE, program):
        errors.append(
            _("Only coordinators may set %(c)s. Remove these columns and try again.")
            % {"c": ", ".join(sensitive)}
        )
    if "email" not in headers:
        errors.append(
            _("The file needs an 'email' column. Columns it may have: %(c)s.")
            % {"c": ", ".join(COLUMNS)}
        )
    return errors[:1]


def _read(csv_text: str) -> tuple[list[str], list[dict], list[str]]:
    """Headers (trimmed, lower case), rows as {column: cell}, and each row's raw email."""
    lines = list(csv.reader(io.StringIO(csv_text)))
    if not lines:
        return [], [], []
    headers = [str(h or "").strip().lower() for h in lines[0]]
    body = [line for line in lines[1:] if line]
    if any(len(line) > len(headers) for line in body):
        raise ValueError("more cells than columns")
    rows = [
        dict(zip(headers, line + [""] * (len(headers) - len(line)), strict=True)) for line in body
    ]
    emails = [row.get("email", "") if "email" in headers else "" for row in rows]
    return headers, rows, emails


@dataclass
class RowReport:
    number: int
    email: str
    outcome: str  # new, update, invalid, error
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowReport]
    file_errors: list[str]
    totals: dict[str, int]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(r.outcome in ("new", "update") for r in self.rows)


def _messages(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [f"{key}: {m}" for key, errs in exc.message_dict.items() for m in errs]
        return list(exc.messages)
    if isinstance(exc, PermissionDenied):
        return [_("You may not change this roster.")]
    return [str(exc) or exc.__class__.__name__]


def roster_import(*, program: Program, actor, csv_text: str, dry_run: bool) -> ImportReport:
    """Import a roster CSV into one program; nothing is saved unless every row is fine."""
    permissions.require(actor, permissions.MANAGE_ROSTER, program)
    try:
        headers, rows, emails = _read(csv_text)
    except (csv.Error, ValueError):
        return ImportReport([], [_("This does not look like a CSV file.")], {}, dry_run)
    file_errors = _file_errors(program=program, actor=actor, headers=headers)
    known = Lookups.for_program(program)
    reports = []
    with transaction.atomic():
        for number, (row, email) in enumerate(zip(rows, emails, strict=True), 1):
            report = RowReport(number, email, "update")
            reports.append(report)
            form = RosterRowForm(row, columns=headers, known=known)
            if not form.is_valid():
                report.outcome = "invalid"
                report.errors = [f"{key}: {m}" for key, errs in form.errors.items() for m in errs]
                continue
            data = form.parsed()
            report.outcome = "update" if _existing(program, data["email"]) else "new"
            if file_errors:
                continue  # checked and reported, never saved
            try:
                with transaction.atomic():
                    _row_save(program=program, actor=actor, data=data)
            except (ValidationError, PermissionDenied) as exc:
                report.outcome = "error"
                report.errors = _messages(exc)
        report = ImportReport(reports, file_errors, {}, dry_run)
        report.totals = {
            key: sum(1 for r in reports if r.outcome == key)
            for key in ("new", "update", "invalid", "error")
        }
        if dry_run or not report.ok:
            transaction.set_rollback(True)
    return report


def roster_columns(*, program: Program, actor) -> list[str]:
    """The roster columns this person may read: lived experience and gender for
    coordinators only (and anyone with shell access, who can read the database anyway)."""
    if actor is None or permissions.user_can(actor, permissions.TRIAGE, program):
        return list(COLUMNS)
    return [column for column in COLUMNS if column not in SENSITIVE_COLUMNS]


def _cells(profile: SupporterProfile) -> dict[str, str]:
    cap = profile.max_active_cases
    return {
        "email": profile.user.email,
        "display_name": profile.display_name,
        "status": profile.status,
        "unit": profile.unit.name if profile.unit else "",
        "languages": SEPARATOR.join(sorted(lang.code for lang in profile.languages.all())),
        "lived_experience": SEPARATOR.join(sorted(t.slug for t in profile.lived_experience.all())),
        "channels": SEPARATOR.join(c.value for c in profile.offered_channels()),
        "gender": profile.gender,
        "availability": profile.availability,
        "max_active_cases": "" if cap is None else str(cap),
    }


def roster_csv_text(*, program: Program, columns: list[str]) -> str:
    """The roster's `columns` as CSV text, every cell neutralised (see `exports`)."""
    profiles = (
        SupporterProfile.objects.filter(program=program)
        .select_related("user", "unit")
        .prefetch_related("languages", "lived_experience")
        .order_by("display_name", "pk")
    )
    rows = ([_cells(p)[c] for c in columns] for p in profiles)
    return exports.csv_text(columns, rows)


def roster_export(*, program: Program, actor) -> str:
    """The program's roster as CSV text (admins and coordinators of that program only)."""
    permissions.require(actor, permissions.MANAGE_ROSTER, program)
    return roster_csv_text(program=program, columns=roster_columns(program=program, actor=actor))
