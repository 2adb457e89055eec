"""Data versions: a number per program that moves whenever something a staff page shows of
that program changes (its cases and their messages, its roster, training, units, roles or
settings). The staff pages that are costly to build keep what they built under these
numbers (`programs.memo`); a moved number makes that copy stale.

Each program has two numbers:

- a shared one, a counter row in the database (privacy's RateCount table, under a key that
  never expires), raised once when the transaction that made the change commits, so every
  worker sees it from the moment the change is visible;
- a local one, kept by this worker and raised at once, inside the transaction: the worker
  that made the change never serves a copy built before it, even before the commit (and in
  tests, which roll every transaction back and never commit).

A copy is keyed by both, read before it is built. A page built from the old rows while the
change was committing carries the old shared number, so the raise at the commit makes it
stale. A change that rolls back may still raise the numbers: one extra rebuild, never a
stale page.

What raises them: saves and deletes of the models below (receivers connected in
`ProgramsConfig.ready`), and `changed()` from the few services that write with
`QuerySet.update()`, which sends no signal. Names of topics and languages (shared by every
program) raise nothing: a renamed topic shows on staff pages within `memo.SECONDS`.
"""

import itertools
import threading
from datetime import UTC, datetime

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from privacy.ratelimit import DatabaseCounter

# A counter row that purge_expired never removes.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
_KEY = "version:program:{}"

_local: dict[int, int] = {}
_ticks = itertools.count(1)
_pending = threading.local()


def key(program_id: int) -> str:
    return _KEY.format(program_id)


def read(program_ids) -> tuple:
    """((program id, shared number, local number), ...) for these programs, in one query."""
    ids = sorted(set(program_ids))
    if not ids:
        return ()
    keys = {key(pk): pk for pk in ids}
    shared = DatabaseCounter().counts(list(keys))
    return tuple((pk, shared.get(k, 0), _local.get(pk, 0)) for k, pk in keys.items())


def changed(*program_ids) -> None:
    """Something these programs' staff pages show has changed (or is changing)."""
    ids = {pk for pk in program_ids if pk is not None}
    if not ids:
        return
    for pk in ids:
        _local[pk] = next(_ticks)  # a number never given before, even across threads
    pending = _pending_ids()
    pending.update(ids)
    # One flush per change, each taking the whole pending set: the first to run after the
    # commit raises them all, the others find nothing left. A rolled-back change leaves its
    # programs pending, for the next commit to raise once more: a rebuild, never a miss.
    transaction.on_commit(_flush, robust=True)


def raised_in_transaction(program_id: int) -> dict:
    """{key: expiry} of a program's shared number for the caller to raise itself, in the
    statement that ends its transaction (the intake's, with its rate-limit count): the
    commit raises it no more. The local number is raised at once, as `changed` does (the
    intake writes its rows with no model signal)."""
    _local[program_id] = next(_ticks)
    _pending_ids().discard(program_id)
    return {key(program_id): NEVER}


def _pending_ids() -> set[int]:
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    return _pending.ids


def _flush() -> None:
    pending = _pending_ids()
    if not pending:
        return
    ids = sorted(pending)
    pending.clear()
    DatabaseCounter().hit_many({key(pk): NEVER for pk in ids})


def forget_local() -> None:
    """This worker's numbers start again (tests: each starts from a rolled-back database)."""
    _local.clear()
    _pending_ids().clear()


# Receivers: which program a saved or deleted row belongs to.


def _case_program(case_id):
    from .models import Case

    return Case.objects.filter(pk=case_id).values_list("program_id", flat=True).first()


def _via_case(instance):
    case = instance._state.fields_cache.get("case")
    return case.program_id if case is not None else _case_program(instance.case_id)


def _via_supporter(instance):
    from .models import SupporterProfile

    supporter = instance._state.fields_cache.get("supporter")
    if supporter is not None:
        return supporter.program_id
    return (
        SupporterProfile.objects.filter(pk=instance.supporter_id)
        .values_list("program_id", flat=True)
        .first()
    )


def _user_programs(user):
    from .models import Membership

    return list(Membership.objects.filter(user=user).values_list("program_id", flat=True))


def _programs_of(instance) -> list:
    from .models import Program

    if isinstance(instance, Program):
        return [instance.pk]
    finder = _FINDERS.get(type(instance).__name__)
    if finder is None:
        return [instance.program_id]
    found = finder(instance)
    return found if isinstance(found, list) else [found]


_FINDERS = {
    "Message": _via_case,
    "CaseEvent": _via_case,
    "CaseNote": _via_case,
    "Referral": _via_case,
    "SupporterStatusChange": _via_supporter,
    "TrainingCompletion": _via_supporter,
}


def _saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    changed(*_programs_of(instance))


def _deleted(sender, instance, **kwargs):
    changed(*_programs_of(instance))


def _user_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    # Signing in stamps last_login, which no staff page shows.
    if raw or (update_fields and set(update_fields) <= {"last_login"}):
        return
    changed(*_user_programs(instance))


def _m2m(sender, instance, action, pk_set=None, model=None, **kwargs):
    if not action.startswith("post_"):
        return
    from .models import Case, Program, SupporterProfile

    if isinstance(instance, Case | Program | SupporterProfile):
        changed(*_programs_of(instance))


def connect() -> None:
    from django.contrib.auth import get_user_model

    from . import models as m

    # Rows deleted on their own. Messages, events, notes and referrals go only with their
    # case's purge, which raises the case's program itself: a delete receiver on them would
    # cost the purge a query per row.
    deleted_alone = (
        m.Program,
        m.Unit,
        m.HelpResource,
        m.TrainingRequirement,
        m.Membership,
        m.SupporterProfile,
        m.TrainingCompletion,
        m.Case,
    )
    saved = (*deleted_alone, m.SupporterStatusChange, m.Message, m.CaseEvent, m.CaseNote)
    saved += (m.Referral,)
    for model in saved:
        post_save.connect(_saved, sender=model, dispatch_uid=f"versions-save-{model.__name__}")
    for model in deleted_alone:
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"versions-delete-{model.__name__}"
        )
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="versions-user")
    for through in (
        m.Case.topics.through,
        m.Program.topics.through,
        m.SupporterProfile.lived_experience.through,
        m.SupporterProfile.languages.through,
    ):
        m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"versions-m2m-{through.__name__}")
