"""The person's safety plan and recovery roadmap, built together and kept anonymously.

One plan per case, stored as one JSON document encrypted at rest (models.SafetyPlan). The
person, with their receipt code, writes and edits it and answers the assigned supporter's
proposals; the supporter who accepted the case proposes, and reads it only while the case
is open (permissions.can_work_plan). Coordinators and program admins never read it. The
web pages and the API call these same functions; every read and write is audit-logged
(cases.audit), never its content. Retention deletes it with the case (cases.py).
"""

import json
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from privacy.timeutils import coarse_now

from .. import permissions, selectors
from ..models import Case, CaseAccess, HelpResource, Message, PlanProposal, SafetyPlan
from . import cases

# The seven parts of the safety-planning model, in the model's order. "services" is picked
# from the program's help resources (ids), never retyped.
SAFETY_PARTS = {
    "warning_signs": gettext_lazy("My warning signs"),
    "coping": gettext_lazy("Things I can do on my own to cope"),
    "people_places": gettext_lazy("People and places that help me feel better"),
    "people_to_ask": gettext_lazy("People I can ask for help (names or roles only)"),
    "services": gettext_lazy("Professionals and services I can contact"),
    "environment": gettext_lazy("Making my environment safer"),
    "reasons": gettext_lazy("My reasons for living"),
}
TEXT_PARTS = [key for key in SAFETY_PARTS if key != "services"]
ROADMAP_PARTS = {
    "goals": gettext_lazy("My goals, in my own words"),
    "support_wanted": gettext_lazy("The support I want from my peer"),
}
MAX_PART_LENGTH = 2000
MAX_STEP_LENGTH = 300
MAX_CHECKIN_LENGTH = 1000
MAX_NOTE_LENGTH = 1000
MAX_STEPS = 10
MAX_CHECKINS = 50

BY_YOU = "you"
BY_SUPPORTER = "supporter"


def empty_plan() -> dict:
    return {
        **{key: "" for key in TEXT_PARTS},
        "services": [],
        **{key: "" for key in ROADMAP_PARTS},
        "steps": [],
        "checkins": [],
    }


def _load(text: str) -> dict:
    plan = empty_plan()
    if text:
        stored = json.loads(text)
        plan.update({key: stored[key] for key in plan if key in stored})
    return plan


def plan_content(*, case: Case) -> dict:
    stored = SafetyPlan.objects.filter(case=case).values_list("content", flat=True).first()
    return _load(stored or "")


def is_empty(plan: dict) -> bool:
    return plan == empty_plan()


# Articles from the program's own content, to attach to a step.


def _landing_pk(program):
    try:
        return program.landing_page.pk
    except Exception:  # no landing page yet (RelatedObjectDoesNotExist)
        return None


def program_articles(*, program) -> list[Page]:
    """The program's live, public articles (cms ArticlePage under its landing page)."""
    # By content type, not by class: programs never imports the CMS.
    landing = Page.objects.filter(pk=program.pk and _landing_pk(program)).first()
    if landing is None:
        return []
    try:
        article_type = ContentType.objects.get_by_natural_key("cms", "articlepage")
    except ContentType.DoesNotExist:
        return []
    return list(
        Page.objects.live()
        .public()
        .descendant_of(landing)
        .filter(content_type=article_type)
        .order_by("title")
    )


# Validation: one rule for the web forms and the API.


def _too_long(limit: int, value: str) -> str:
    return _("Please keep this under %(n)d characters (it is %(m)d now).") % {
        "n": limit,
        "m": len(value),
    }


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def plan_clean(*, program, data: dict, checkins: list, by: str) -> dict:
    """A plan as it will be stored, from what the person or the supporter sent.

    `checkins` are the ones already kept (they are never rewritten); `data["new_checkin"]`
    adds one, dated today, by `by`. Errors are keyed by part, so a form shows each next to
    what was typed."""
    errors: dict[str, list[str]] = {}
    plan = empty_plan()
    for key in [*TEXT_PARTS, *ROADMAP_PARTS]:
        value = _text(data.get(key))
        if len(value) > MAX_PART_LENGTH:
            errors[key] = [_too_long(MAX_PART_LENGTH, value)]
        plan[key] = value
    wanted = data.get("services") or []
    known = {r.pk: r for r in selectors.help_resources(program=program)}
    try:
        picked = [int(pk) for pk in wanted]
    except (TypeError, ValueError):
        picked = [None]
    if any(pk not in known for pk in picked):
        errors["services"] = [_("Choose services from this program's list.")]
    plan["services"] = [pk for pk in dict.fromkeys(picked) if pk in known]
    steps = data.get("steps") or []
    if not isinstance(steps, list):
        steps = []
        errors["steps"] = [_("Steps must be a list.")]
    articles = None
    step_errors = []
    for number, step in enumerate(steps, start=1):
        step = step if isinstance(step, dict) else {}
        text = _text(step.get("text"))
        target = _text(step.get("target"))
        article = step.get("article") or None
        if not text:
            if target or article:
                step_errors.append(
                    _("Step %(n)d: write what the step is, or clear its date.") % {"n": number}
                )
            continue
        if len(text) > MAX_STEP_LENGTH:
            step_errors.append(
                _("Step %(n)d: %(error)s")
                % {"n": number, "error": _too_long(MAX_STEP_LENGTH, text)}
            )
        if target:
            try:
                target = date.fromisoformat(target).isoformat()
            except ValueError:
                step_errors.append(
                    _("Step %(n)d: give the date as year-month-day, for example 2026-05-31.")
                    % {"n": number}
                )
        if article is not None:
            if articles is None:
                articles = {p.pk for p in program_articles(program=program)}
            try:
                article = int(article)
            except (TypeError, ValueError):
                article = None
            if article not in articles and by == BY_YOU:
                article = None  # unpublished since it was attached: the person keeps the step
            elif article not in articles:
                step_errors.append(
                    _("Step %(n)d: choose an article from this program's pages.") % {"n": number}
                )
        plan["steps"].append({"text": text, "target": target or "", "article": article})
    if len(plan["steps"]) > MAX_STEPS:
        step_errors.append(_("Please keep to %(n)d steps at most.") % {"n": MAX_STEPS})
    if step_errors:
        errors["steps"] = step_errors
    plan["checkins"] = list(checkins)
    new = _text(data.get("new_checkin"))
    if len(new) > MAX_CHECKIN_LENGTH:
        errors["new_checkin"] = [_too_long(MAX_CHECKIN_LENGTH, new)]
    elif new:
        if len(checkins) >= MAX_CHECKINS:
            errors["new_checkin"] = [_("This plan has as many check-ins as it can keep.")]
        plan["checkins"].append({"on": timezone.localdate().isoformat(), "by": by, "text": new})
    if errors:
        raise ValidationError(errors)
    return plan


def _merged(base: dict, data: dict) -> dict:
    """Parts not sent stay as they are (an API client may send one part); the web forms
    always send every part. Check-ins are never taken from what was sent."""
    kept = {key: value for key, value in base.items() if key != "checkins"}
    return {**kept, **{key: value for key, value in data.items() if key != "checkins"}}


def _store(case: Case, plan: dict) -> None:
    SafetyPlan.objects.update_or_create(
        case=case, defaults={"content": json.dumps(plan), "updated_at": coarse_now()}
    )


def _requester_audit(case: Case, action: str, via: str) -> None:
    # The requester has no account, and their times are kept to the hour (as at look-up).
    CaseAccess.objects.create(
        case_id=case.pk, program_id=case.program_id, action=action, via=via, at=coarse_now()
    )


def _require_editable(case: Case) -> None:
    if case.purged:
        raise ValidationError(_("This plan has been deleted with its conversation."))
    if not case.is_open:
        raise ValidationError(
            _(
                "This conversation is closed, so the plan can no longer be changed. You can "
                "still read, print and download it until it is deleted."
            )
        )


# What the person and the supporter read.


def plan_display(*, case: Case, plan: dict) -> dict:
    """The plan with its picked services and attached articles resolved, for a page or a
    text file: crisis lines first in "reach out now", then the services the person picked."""
    resources = {r.pk: r for r in selectors.help_resources(program=case.program)}
    crisis = [r for r in resources.values() if r.kind == HelpResource.Kind.CRISIS]
    picked = [resources[pk] for pk in plan["services"] if pk in resources]
    article_ids = {s["article"] for s in plan["steps"] if s.get("article")}
    articles = (
        {p.pk: p for p in program_articles(program=case.program) if p.pk in article_ids}
        if article_ids
        else {}
    )
    steps = []
    for step in plan["steps"]:
        page = articles.get(step.get("article"))
        steps.append(
            {
                **step,
                "target_date": date.fromisoformat(step["target"]) if step.get("target") else None,
                "article_title": page.title if page else "",
                "article_url": page.url if page else "",
            }
        )
    return {
        "parts": [
            {"key": key, "label": label, "text": plan[key]}
            for key, label in SAFETY_PARTS.items()
            if key != "services"
        ],
        "reach_out": {"crisis_lines": crisis, "services": [r for r in picked if r not in crisis]},
        "picked": picked,
        "goals": plan["goals"],
        "support_wanted": plan["support_wanted"],
        "steps": steps,
        "checkins": [
            {**c, "on_date": date.fromisoformat(c["on"]), "by_you": c["by"] == BY_YOU}
            for c in plan["checkins"]
        ],
        "empty": is_empty(plan),
    }


def deletion_date(case: Case):
    """When retention deletes the conversation and plan (None while the case is open)."""
    return cases.case_purge_date(case)


def proposal_plan(*, proposal: PlanProposal) -> dict:
    return _load(proposal.content)


def _pending(case: Case) -> list[PlanProposal]:
    return list(case.plan_proposals.filter(status=PlanProposal.Status.PENDING))


def requester_plan(*, case: Case, via: str = "web") -> dict:
    """What the person reads with their code: their plan, the supporter's pending proposal,
    whether they can still change it, and when it will be deleted."""
    _requester_audit(case, CaseAccess.Action.REQUESTER_PLAN, via)
    plan = plan_content(case=case)
    proposals = _pending(case)
    return {
        "plan": plan,
        "display": plan_display(case=case, plan=plan),
        "proposals": [
            {
                "proposal": p,
                "plan": _load(p.content),
                "display": plan_display(case=case, plan=_load(p.content)),
            }
            for p in proposals
        ],
        "editable": case.is_open and not case.purged,
        "deletes_on": cases.case_purge_date(case),
    }


@transaction.atomic
def requester_plan_save(*, case: Case, data: dict, via: str = "web") -> dict:
    """The person writes or changes their own plan; no supporter needed."""
    _require_editable(case)
    current = plan_content(case=case)
    plan = plan_clean(
        program=case.program,
        data=_merged(current, data),
        checkins=current["checkins"],
        by=BY_YOU,
    )
    _store(case, plan)
    _requester_audit(case, CaseAccess.Action.REQUESTER_EDIT, via)
    return plan


@transaction.atomic
def proposal_decide(
    *, case: Case, proposal_id, accept: bool, data: dict | None = None, via: str = "web"
) -> dict:
    """The person accepts a proposal (as it is, or with their changes in `data`) or rejects
    it. Returns their plan as it now stands."""
    _require_editable(case)
    try:
        proposal = (
            PlanProposal.objects.select_for_update().filter(case=case, pk=int(proposal_id)).first()
        )
    except (TypeError, ValueError):
        proposal = None
    if proposal is None:
        raise ValidationError(_("That proposal was not found."))
    if proposal.status != PlanProposal.Status.PENDING:
        raise ValidationError(_("You have already answered that proposal."))
    current = plan_content(case=case)
    if accept:
        proposed = _load(proposal.content)
        if data is None:
            plan = proposed
        else:
            plan = plan_clean(
                program=case.program,
                data=_merged(proposed, data),
                checkins=proposed["checkins"],
                by=BY_YOU,
            )
        _store(case, plan)
        proposal.status = PlanProposal.Status.ACCEPTED
    else:
        plan = current
        proposal.status = PlanProposal.Status.REJECTED
    proposal.decided_at = coarse_now()
    proposal.save(update_fields=["status", "decided_at"])
    _requester_audit(case, CaseAccess.Action.REQUESTER_EDIT, via)
    return plan


def _require_supporter(actor, case: Case) -> None:
    """The supporter who accepted the case, while it is open; everyone else is refused."""
    if case.purged:
        raise ValidationError(_("This plan has been deleted with its conversation."))
    if permissions.is_assigned_supporter(actor, case) and case.status == Case.Status.OFFERED:
        raise ValidationError(_("Accept the request before working on a plan together."))
    if permissions.is_assigned_supporter(actor, case) and not case.is_open:
        raise ValidationError(
            _("This case is closed, so its plan is the person's alone now. Nothing was sent.")
        )
    if not permissions.can_work_plan(actor, case):
        raise PermissionDenied


def supporter_plan(*, case: Case, actor, via: str = "web") -> dict:
    """What the assigned supporter reads: the plan, their pending proposal, and the choices
    they may offer (services, the program's articles)."""
    if not permissions.can_work_plan(actor, case):
        raise PermissionDenied
    cases.audit(case=case, actor=actor, action=CaseAccess.Action.PLAN_VIEW, via=via)
    plan = plan_content(case=case)
    proposals = list(case.plan_proposals.all()[:5])
    return {
        "plan": plan,
        "display": plan_display(case=case, plan=plan),
        "proposals": proposals,
        "pending": next((p for p in proposals if p.status == PlanProposal.Status.PENDING), None),
        "resources": selectors.help_resources(program=case.program),
        "articles": program_articles(program=case.program),
    }


@transaction.atomic
def plan_propose(*, case: Case, actor, data: dict, note: str = "", via: str = "web"):
    """The assigned supporter proposes a plan or changes; the person decides. A newer
    proposal replaces one still waiting."""
    _require_supporter(actor, case)
    note = _text(note)
    errors = {}
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_too_long(MAX_NOTE_LENGTH, note)]
    current = plan_content(case=case)
    # A newer proposal replaces one still waiting, but keeps the check-ins noted in it.
    checkins = list(current["checkins"])
    for waiting in _pending(case):
        checkins += [c for c in proposal_plan(proposal=waiting)["checkins"] if c not in checkins]
    try:
        plan = plan_clean(
            program=case.program,
            data=_merged(current, data),
            checkins=checkins,
            by=BY_SUPPORTER,
        )
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **errors}) from exc
    if errors:
        raise ValidationError(errors)
    if plan == current:
        raise ValidationError(_("This is the plan as it stands; change something to propose it."))
    now = coarse_now()
    case.plan_proposals.filter(status=PlanProposal.Status.PENDING).update(
        status=PlanProposal.Status.REPLACED, decided_at=now
    )
    proposal = PlanProposal.objects.create(
        case=case, author=actor, content=json.dumps(plan), note=note, created_at=now
    )
    cases.audit(case=case, actor=actor, action=CaseAccess.Action.PLAN_PROPOSE, via=via)
    return proposal


# The person's own copy: their conversation and plan, as text or a printable page.


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def plan_text(*, case: Case, plan: dict) -> str:
    display = plan_display(case=case, plan=plan)
    lines = [_("MY SAFETY PLAN"), ""]
    lines += [_("Reach out now:")]
    for line in [*display["reach_out"]["crisis_lines"], *display["reach_out"]["services"]]:
        bits = [line.name, line.phone, line.text, line.url, line.hours]
        lines.append("  - " + " · ".join(str(b) for b in bits if b))
    lines.append("")
    for part in display["parts"]:
        lines += [str(part["label"]) + ":", part["text"] or "-", ""]
    lines += [_("MY RECOVERY ROADMAP"), ""]
    for key, label in ROADMAP_PARTS.items():
        lines += [str(label) + ":", plan[key] or "-", ""]
    lines.append(_("Next steps:"))
    for step in display["steps"]:
        extra = []
        if step["target_date"]:
            extra.append(_("by %(date)s") % {"date": _date(step["target_date"])})
        if step["article_title"]:
            extra.append(_("read: %(title)s") % {"title": step["article_title"]})
        lines.append("  - " + step["text"] + (f" ({'; '.join(extra)})" if extra else ""))
    if not display["steps"]:
        lines.append("  -")
    lines += ["", _("Check-ins:")]
    for checkin in display["checkins"]:
        who = _("me") if checkin["by_you"] else _("my peer supporter")
        lines.append(f"  - {_date(checkin['on_date'])} ({who}): {checkin['text']}")
    if not display["checkins"]:
        lines.append("  -")
    return "\n".join(lines) + "\n"


def _sender(message: Message, case: Case) -> str:
    if message.sender == Message.Sender.REQUESTER:
        return _("You")
    if message.sender == Message.Sender.SUPPORTER:
        return case.assigned_to.display_name if case.assigned_to else _("Peer supporter")
    return str(Message.Sender(message.sender).label)


def requester_copy(*, case: Case, include_conversation: bool = True, via: str = "web") -> dict:
    """The person's own copy, to keep: their conversation (unless only the plan is asked
    for) and their plan, as text; audit-logged as a download, never its content."""
    _requester_audit(case, CaseAccess.Action.REQUESTER_COPY, via)
    plan = plan_content(case=case)
    deletes_on = cases.case_purge_date(case)
    lines = []
    messages = selectors.requester_conversation(case=case) if include_conversation else []
    if include_conversation:
        lines += [_("MY CONVERSATION"), ""]
        lines.append(
            _("Times are rounded down to the hour. Messages are in the order they were sent.")
        )
        lines.append("")
        for message in messages:
            when = formats.date_format(timezone.localtime(message.created_at), "DATETIME_FORMAT")
            lines += [f"{_sender(message, case)} · {when}", message.body, ""]
        if not messages:
            lines += [_("No messages yet."), ""]
    text = "\n".join(lines) + plan_text(case=case, plan=plan)
    if deletes_on:
        text += (
            "\n"
            + _("This copy was made before the program deletes its own on %(date)s.")
            % {"date": _date(deletes_on)}
            + "\n"
        )
    return {
        "text": text,
        "messages": messages,
        "plan": plan,
        "display": plan_display(case=case, plan=plan),
        "deletes_on": deletes_on,
    }
