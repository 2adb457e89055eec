"""The audit trail, as a page for program admins: who opened or changed a case, and the
program's sensitive actions. Reading it is itself written to the trail."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import selectors_audit
from ..models import AuditEntry
from ..services.audit import audit_read_record

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    case = forms.CharField(
        label=_("Case number"),
        required=False,
        max_length=40,
        help_text=_("The short number staff see, such as 1a2b3c4d."),
    )
    action = forms.ChoiceField(
        label=_("Kind of action"),
        required=False,
        choices=[("", _("Any"))] + list(AuditEntry.Action.choices),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_case(self):
        ref = self.cleaned_data["case"].strip()
        if ref and selectors_audit.case_ref_normalise(ref) is None:
            raise forms.ValidationError(
                _("Enter the case number as staff see it: letters a–f and digits.")
            )
        return ref

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


@never_cache
@login_required
@require_GET
def program_audit(request, slug):
    program = selectors_audit.audit_program_get(user=request.user, slug=slug)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    ref = filters.get("case") or ""
    cases, accesses = [], []
    if ref:
        cases = selectors_audit.cases_by_ref(program=program, ref=ref)
        accesses = [
            (case, selectors_audit.case_access_for_admin(program=program, case=case))
            for case in cases
        ]
    entries = selectors_audit.audit_entries(
        program=program,
        action=filters.get("action") or None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_read_record(
        program=program,
        actor=request.user,
        case_ref=ref,
        page=page.number,
        filters=filters,
        via="web",
    )
    rows = [(entry, selectors_audit.entry_facts(entry)) for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/audit/index.html",
        {
            "audit_program": program,
            "form": form,
            "ref": ref,
            "accesses": accesses,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )
