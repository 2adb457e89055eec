"""Load the demo described in fixtures/demo.json, through the services.

Programs come from `program_bootstrap`, roles from `member_add` (so permissions are
computed, never loaded), statuses and training from the roster service, and requests from
intake and the case services. Running it again finds what exists and changes nothing.
"""

import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.test.utils import override_settings
from django.utils import timezone

from programs import launch
from programs.models import (
    HelpResource,
    Language,
    Program,
    Role,
    SupporterProfile,
    Topic,
    TrainingRequirement,
    Unit,
)
from programs.services import cases, intake, members, reports, roster, setup
from programs.services import launch as launch_services
from programs.services.roster_csv import status_path

from ._base import ToolkitCommand

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"


class DemoLoader:
    def __init__(self, data: dict):
        self.password = data["password"]
        self.changes = 0
        self.logins: list[tuple[str, str, str]] = []
        self.receipts: list[tuple[str, str, str]] = []

    def person(self, spec: dict, role_label: str, program_name: str):
        user, _created = members.user_get_or_create(email=spec["email"])
        if not user.has_usable_password():
            user.first_name = spec.get("first_name") or spec.get("display_name", "")
            user.last_name = spec.get("last_name", "")
            user.set_password(self.password)
            user.save()
            self.changes += 1
        self.logins.append((user.email, role_label, program_name))
        return user

    def program(self, spec: dict) -> None:
        result = setup.program_bootstrap(
            template=spec["template"],
            name=spec["name"],
            slug=spec["slug"],
            admin_email=spec["admin"]["email"],
            organisation_name=spec["organisation"],
            notify=False,
        )
        program = result.program
        self.changes += len(result.changes)
        admin = self.person(spec["admin"], str(Role.ADMIN.label), program.name)
        for order, name in enumerate(spec.get("units", [])):
            _unit, created = Unit.objects.get_or_create(
                program=program, name=name, defaults={"sort_order": order}
            )
            self.changes += created
        coordinator = self.person(spec["coordinator"], str(Role.COORDINATOR.label), program.name)
        self.grant(program, coordinator, Role.COORDINATOR)
        profiles = {}
        for supporter_spec in spec.get("supporters", []):
            profiles[supporter_spec["email"]] = self.supporter(program, supporter_spec, coordinator)
        self.launch(program, spec.get("launch", {}), admin)
        if not program.cases.exists() and program.accepts_requests:
            for request_spec in spec.get("requests", []):
                self.request(program, request_spec, profiles, coordinator)

    def launch(self, program, spec: dict, admin) -> None:
        """Fill what the launch checklist asks for, then open the program through the
        service as its admin would. A program with `"open": false` is left getting ready."""
        changed = []
        for name in ("staffed_hours", "expected_reply_time"):
            if spec.get(name) and getattr(program, name) != spec[name]:
                setattr(program, name, spec[name])
                changed.append(name)
        if changed:
            program.save(update_fields=changed)
            self.changes += 1
        for order, help_spec in enumerate(spec.get("help", []), start=100):
            fields = {k: v for k, v in help_spec.items() if k != "name"}
            _resource, created = HelpResource.objects.get_or_create(
                program=program, name=help_spec["name"], defaults={**fields, "sort_order": order}
            )
            self.changes += created
        if not spec.get("open") or program.state != Program.State.GETTING_READY:
            return
        for what in launch.CONFIRMATIONS:
            launch_services.program_confirm(program=program, actor=admin, what=what)
        launch_services.program_open(program=program, actor=admin)
        self.changes += 1

    def grant(self, program, user, role) -> bool:
        granted = members.member_add(
            program=program, email=user.email, role=role, notify=False
        ).granted
        self.changes += granted
        return granted

    def supporter(self, program, spec: dict, coordinator) -> SupporterProfile:
        user = self.person(spec, str(Role.SUPPORTER.label), program.name)
        if not self.grant(program, user, Role.SUPPORTER):
            return SupporterProfile.objects.get(program=program, user=user)
        profile = SupporterProfile.objects.get(program=program, user=user)
        profile.display_name = spec["display_name"]
        profile.unit = Unit.objects.filter(program=program, name=spec.get("unit")).first()
        profile.gender = spec.get("gender", "")
        profile.availability = spec.get("availability", "")
        for channel in ("messages", "phone", "email", "video", "in_person"):
            setattr(profile, f"offers_{channel}", channel in spec.get("channels", ["messages"]))
        profile.save()
        profile.languages.set(Language.objects.filter(code__in=spec.get("languages", ["en"])))
        profile.lived_experience.set(
            Topic.objects.filter(slug__in=spec.get("lived_experience", []))
        )
        requirements = list(TrainingRequirement.objects.filter(program=program, is_required=True))
        trained = spec.get("trained", len(requirements))
        completed_on = timezone.localdate() - timedelta(days=60)
        for requirement in requirements[:trained]:
            roster.training_completion_record(
                supporter=profile,
                requirement=requirement,
                completed_on=completed_on,
                actor=coordinator,
                reference="DEMO",
            )
        for step in status_path(profile.status, spec.get("status", "active")):
            reason = spec.get("pause_reason", "") if step == SupporterProfile.Status.PAUSED else ""
            roster.supporter_status_set(
                supporter=profile, status=step, actor=coordinator, reason=reason
            )
        return profile

    def request(self, program, spec: dict, profiles: dict, coordinator) -> None:
        submission = intake.case_submit(
            program=program,
            message=spec["message"],
            topics=list(Topic.objects.filter(slug__in=spec.get("topics", []))),
            channel=spec.get("channel", "messages"),
            contact_detail=spec.get("contact", ""),
            alias=spec.get("alias", ""),
            wants_shared_experience=spec.get("wants_shared_experience", False),
            urgency=spec.get("urgency", "routine"),
            excluded_unit=Unit.objects.filter(
                program=program, name=spec.get("excluded_unit")
            ).first(),
        )
        self.changes += 1
        request = submission.case
        self.receipts.append((submission.receipt_code, spec["state"], program.name))
        if spec["state"] == "queued":
            return
        profile = profiles[spec["supporter"]]
        supporter = profile.user
        cases.case_offer(case=request, supporter=profile, actor=coordinator)
        if spec["state"] == "offered":
            return
        cases.case_accept(case=request, actor=supporter)
        for sender, body in spec.get("conversation", []):
            request.refresh_from_db()
            if sender == "supporter":
                cases.staff_reply(case=request, actor=supporter, body=body)
            else:
                intake.requester_reply(case=request, body=body)
        request.refresh_from_db()
        if spec["state"] == "active":
            cases.case_status_set(case=request, actor=supporter, status="active")
        elif spec["state"] == "referred":
            cases.note_add(
                case=request,
                actor=supporter,
                contact_date=timezone.localdate() - timedelta(days=1),
                contact_type="phone",
                referral_offered=True,
            )
            cases.referral_record(case=request, actor=supporter, kind=spec["referral"])
        elif spec["state"] == "closed":
            cases.case_close(
                case=request,
                actor=supporter,
                outcome=spec["outcome"],
                closing_message=spec.get("closing_message", ""),
            )

    def editor(self, spec: dict) -> None:
        """The program's editor: writes its pages; its admin approves and publishes them."""
        program = Program.objects.get(slug=spec["program"])
        user = self.person(spec, str(Role.EDITOR.label), program.name)
        self.grant(program, user, Role.EDITOR)
        # Earlier demos made the editor a site-wide editor, who could change every program.
        site_editors = Group.objects.filter(name="Editors", user=user).first()
        if site_editors is not None:
            user.groups.remove(site_editors)
            self.changes += 1


class Command(ToolkitCommand):
    help = (
        "Load the demo: two open programs with people, pages and a few requests, and a third "
        "still getting ready. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture", default=str(DEFAULT_FIXTURE))
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. Every demo account has a published password.",
        )

    def handle(self, *args, fixture, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo gives every account the same published password, so it only runs "
                "with DEBUG on. Use --force to load it anyway (never on a real deployment)."
            )
        try:
            data = json.loads(Path(fixture).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the demo file {fixture}: {exc}") from None
        loader = DemoLoader(data)
        # Coordinators would otherwise get a notification email for every demo request.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for program_spec in data["programs"]:
                loader.program(program_spec)
            loader.editor(data["editor"])
        if loader.changes:
            # Demo requests are dated in past months: forget any report months cached.
            reports.report_cache_bump()
            self.stdout.write(self.style.SUCCESS(f"Demo loaded ({loader.changes} changes)."))
        else:
            self.stdout.write("The demo is already loaded; nothing changed.")
        self.print_logins(loader, data["password"])

    def print_logins(self, loader: DemoLoader, password: str) -> None:
        rows = [("Email", "Role", "Program")] + loader.logins
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {password}):")
        self.stdout.write(
            "Each account sets up an authenticator app (TOTP) at its first sign-in, then "
            "gives a code from it every time."
        )
        for i, row in enumerate(rows):
            self.stdout.write(line.format(*row).rstrip())
            if i == 0:
                self.stdout.write(line.format(*("-" * w for w in widths)))
        base = settings.TOOLKIT_BASE_URL.rstrip("/")
        self.stdout.write("")
        self.stdout.write(f"Site: {base}/   Staff home: {base}/me/   Wagtail admin: {base}/admin/")
        for program in Program.objects.order_by("name"):
            if program.accepts_requests:
                self.stdout.write(
                    f"Ask for support in {program.name}: {base}/p/{program.slug}/request/"
                )
            else:
                self.stdout.write(
                    f"{program.name} is {program.get_state_display().lower()}: its admin sees "
                    f"the launch checklist on the Wagtail dashboard ({base}/admin/)."
                )
        if loader.receipts:
            self.stdout.write("")
            self.stdout.write(
                "Receipt codes of the demo requests (shown once; only their hashes are kept):"
            )
            for code, state, program_name in loader.receipts:
                self.stdout.write(f"  {code}  {state:<9}  {program_name}")
