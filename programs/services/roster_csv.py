"""The supporter roster as CSV, in and out, with django-import-export.

Import is all or nothing: a dry run reports every row's outcome and errors, and a real
run that meets any error saves nothing. Each row goes through the services: the person is
found or created and given the supporter role by `services.members`, and status moves are
made step by step by `services.roster.supporter_status_set`, so the history records who
imported the change and when. No guardian rows or status values are written directly.
"""

from collections import deque
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.formats.base_formats import CSV
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult

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


class RosterResource(resources.Resource):
    email = Field(attribute="csv_email", column_name="email")
    display_name = Field(attribute="csv_display_name", column_name="display_name")
    status = Field(attribute="csv_status", column_name="status")
    unit = Field(attribute="csv_unit", column_name="unit")
    languages = Field(attribute="csv_languages", column_name="languages")
    lived_experience = Field(attribute="csv_lived_experience", column_name="lived_experience")
    channels = Field(attribute="csv_channels", column_name="channels")
    gender = Field(attribute="csv_gender", column_name="gender")
    availability = Field(attribute="csv_availability", column_name="availability")
    max_active_cases = Field(attribute="csv_max_active_cases", column_name="max_active_cases")

    class Meta:
        model = SupporterProfile
        fields = COLUMNS
        import_id_fields = ["email"]
        use_transactions = True
        skip_diff = True
        clean_model_instances = False
        instance_loader_class = ModelInstanceLoader  # unused: rows are found by email

    def __init__(self, *, program: Program, actor):
        super().__init__()
        self.program = program
        self.actor = actor
        self._units = {u.name.casefold(): u for u in Unit.objects.filter(program=program)}
        self._languages = {lang.code.casefold(): lang for lang in Language.objects.all()}
        self._topics = {topic.slug.casefold(): topic for topic in Topic.objects.all()}

    # Export -------------------------------------------------------------------------

    def get_queryset(self):
        return (
            SupporterProfile.objects.filter(program=self.program)
            .select_related("user", "unit")
            .prefetch_related("languages", "lived_experience")
            .order_by("display_name", "pk")
        )

    def dehydrate_email(self, profile):
        return profile.user.email

    def dehydrate_display_name(self, profile):
        return profile.display_name

    def dehydrate_status(self, profile):
        return profile.status

    def dehydrate_unit(self, profile):
        return profile.unit.name if profile.unit else ""

    def dehydrate_languages(self, profile):
        return SEPARATOR.join(sorted(lang.code for lang in profile.languages.all()))

    def dehydrate_lived_experience(self, profile):
        return SEPARATOR.join(sorted(t.slug for t in profile.lived_experience.all()))

    def dehydrate_channels(self, profile):
        return SEPARATOR.join(c.value for c in profile.offered_channels())

    def dehydrate_gender(self, profile):
        return profile.gender

    def dehydrate_availability(self, profile):
        return profile.availability

    def dehydrate_max_active_cases(self, profile):
        return "" if profile.max_active_cases is None else str(profile.max_active_cases)

    # Import -------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        permissions.require(self.actor, permissions.MANAGE_ROSTER, self.program)
        sensitive = [c for c in SENSITIVE_COLUMNS if c in (dataset.headers or [])]
        if sensitive and not permissions.user_can(self.actor, permissions.TRIAGE, self.program):
            raise ValidationError(
                _("Only coordinators may set %(c)s. Remove these columns and try again.")
                % {"c": ", ".join(sensitive)}
            )
        missing = [c for c in ("email",) if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(
                _("The file needs an 'email' column. Columns it may have: %(c)s.")
                % {"c": ", ".join(COLUMNS)}
            )

    def get_or_init_instance(self, instance_loader, row):
        email = _unsafe(str(row.get("email") or "").strip())
        profile = (
            SupporterProfile.objects.filter(program=self.program, user__email__iexact=email)
            .select_related("user")
            .first()
            if email
            else None
        )
        if profile is not None:
            return profile, False
        return SupporterProfile(program=self.program, display_name=""), True

    def import_instance(self, instance, row, **kwargs):
        """Check every cell; keep the parsed values for save_instance."""
        errors: dict[str, str] = {}
        parsed: dict = {}
        email = _unsafe(str(row.get("email") or "").strip())
        try:
            validate_email(email)
            parsed["email"] = email
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")

        def text(column, limit):
            if column not in row:
                return
            value = _unsafe(str(row.get(column) or "").strip())
            if len(value) > limit:
                errors[column] = _("Keep this under %(n)d characters.") % {"n": limit}
            else:
                parsed[column] = value

        text("display_name", 80)
        text("gender", 40)
        text("availability", 200)

        status = str(row.get("status") or "").strip().lower().replace(" ", "_")
        if status:
            if status in Status.values:
                parsed["status"] = status
            else:
                errors["status"] = _("Unknown status '%(s)s'; use one of: %(all)s.") % {
                    "s": status,
                    "all": ", ".join(Status.values),
                }

        if "unit" in row:
            name = _unsafe(str(row.get("unit") or "").strip())
            if not name:
                parsed["unit"] = None
            elif name.casefold() in self._units:
                parsed["unit"] = self._units[name.casefold()]
            else:
                errors["unit"] = _("No %(label)s called '%(n)s' in this program.") % {
                    "label": self.program.unit_label,
                    "n": name,
                }

        for column, known in (("languages", self._languages), ("lived_experience", self._topics)):
            if column not in row:
                continue
            values = _split(row.get(column))
            unknown = [v for v in values if v.casefold() not in known]
            if unknown:
                errors[column] = _("Unknown: %(u)s. Use codes separated by '%(sep)s'.") % {
                    "u": ", ".join(unknown),
                    "sep": SEPARATOR,
                }
            else:
                parsed[column] = [known[v.casefold()] for v in values]

        if "channels" in row:
            values = [v.lower() for v in _split(row.get("channels"))]
            unknown = [v for v in values if v not in Channel.values]
            if unknown:
                errors["channels"] = _("Unknown: %(u)s. Use: %(all)s.") % {
                    "u": ", ".join(unknown),
                    "all": ", ".join(Channel.values),
                }
            else:
                parsed["channels"] = set(values)

        if "max_active_cases" in row:
            raw = str(row.get("max_active_cases") or "").strip()
            try:
                # The model field's own validators: the same limits as the admin form.
                parsed["max_active_cases"] = CAPACITY_FIELD.clean(raw or None, None)
            except ValidationError:
                errors["max_active_cases"] = _(
                    "Use a whole number from %(low)d to %(high)d, or leave empty."
                ) % {"low": MIN_CASELOAD, "high": MAX_CASELOAD}

        if errors:
            raise ValidationError(errors)
        instance.csv_parsed = parsed

    def save_instance(self, instance, is_create, row, **kwargs):
        data = instance.csv_parsed
        profile, _added = members.supporter_add(
            program=self.program, email=data["email"], actor=self.actor
        )
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
                supporter=profile, status=step, actor=self.actor, reason=_("Roster import")
            )
        instance.pk = profile.pk
        instance.display_name = profile.display_name

    def save_m2m(self, instance, row, **kwargs):
        """Done in save_instance, through the services."""


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
        dataset = CSV().create_dataset(csv_text)
    except Exception:  # tablib raises several kinds on malformed CSV
        return ImportReport([], [_("This does not look like a CSV file.")], {}, dry_run)
    if dataset.headers:
        dataset.headers = [str(h or "").strip().lower() for h in dataset.headers]
    resource = RosterResource(program=program, actor=actor)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    file_errors = [m for error in result.base_errors for m in _messages(error.error)]
    rows: dict[int, RowReport] = {}
    headers = dataset.headers or []
    email_index = headers.index("email") if "email" in headers else None
    for number, data_row in enumerate(dataset, 1):
        email = str(data_row[email_index]) if email_index is not None else ""
        rows[number] = RowReport(number, email, "update")
    for number, row_result in enumerate(result.rows, 1):
        if number in rows:
            rows[number].outcome = {
                RowResult.IMPORT_TYPE_NEW: "new",
                RowResult.IMPORT_TYPE_UPDATE: "update",
                RowResult.IMPORT_TYPE_INVALID: "invalid",
                RowResult.IMPORT_TYPE_ERROR: "error",
            }.get(row_result.import_type, "update")
    for invalid in result.invalid_rows:
        rows[invalid.number].outcome = "invalid"
        rows[invalid.number].errors = _messages(invalid.error)
    for number, errors in result.row_errors():
        rows[number].outcome = "error"
        rows[number].errors = [m for e in errors for m in _messages(e.error)]
    totals = {
        key: sum(1 for r in rows.values() if r.outcome == key)
        for key in ("new", "update", "invalid", "error")
    }
    return ImportReport(list(rows.values()), file_errors, totals, dry_run)


def roster_columns(*, program: Program, actor) -> list[str]:
    """The roster columns this person may read: lived experience and gender for
    coordinators only (and anyone with shell access, who can read the database anyway)."""
    if actor is None or permissions.user_can(actor, permissions.TRIAGE, program):
        return list(COLUMNS)
    return [column for column in COLUMNS if column not in SENSITIVE_COLUMNS]


def roster_csv_text(*, program: Program, columns: list[str]) -> str:
    dataset = RosterResource(program=program, actor=None).export(export_fields=columns)
    return exports.csv_text(dataset.headers, dataset)


def roster_export(*, program: Program, actor) -> str:
    """The program's roster as CSV text (admins and coordinators of that program only)."""
    permissions.require(actor, permissions.MANAGE_ROSTER, program)
    return roster_csv_text(program=program, columns=roster_columns(program=program, actor=actor))
