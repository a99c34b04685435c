"""Bulk assignment from the "awaiting assignment" queue (issue 5, item 3): a head of unit ticks
dossiers, chooses one official and assigns them all — or none. Each dossier goes through the
assign service (``dossiers.services.lifecycle.dossier_assign``) inside one transaction; the
first refusal undoes the batch and says which dossier and why. Works as a plain form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from motcua.backoffice.views import render_queue
from motcua.core.errors import DomainError
from motcua.dossiers import policies, selectors
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import Queue
from motcua.dossiers.services import lifecycle as svc

# One page of a queue is what a leader can tick; a little more leaves room, nothing unbounded.
MAX_BATCH = 200


class _Refused(Exception):
    def __init__(self, dossier: Dossier, error: DomainError) -> None:
        super().__init__(str(error.message))
        self.dossier = dossier
        self.error = error


def _refuse(request: HttpRequest, message: str, status: int, codes: list[str], chosen: str):
    return render_queue(
        request,
        Queue.UNASSIGNED,
        bulk_error=message,
        selected=frozenset(codes),
        chosen=chosen,
        status=status,
    )


@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    codes = list(dict.fromkeys(c.strip() for c in request.POST.getlist("ho-so") if c.strip()))
    chosen = request.POST.get("can-bo", "").strip()
    if not codes:
        return _refuse(request, _("Select at least one dossier."), 400, codes, chosen)
    if len(codes) > MAX_BATCH:
        message = _("Select at most %(count)s dossiers at once.") % {"count": MAX_BATCH}
        return _refuse(request, message, 400, codes, chosen)
    assignee = get_user_model().objects.filter(username=chosen, is_active=True).first()
    if not chosen or assignee is None:
        return _refuse(request, _("Choose the official to assign."), 400, codes, chosen)

    # Out of scope looks exactly like missing (STYLE.md rule 16): the whole request is a 404.
    found = {
        d.code: d
        for d in policies.visible_dossiers(request.user)
        .filter(code__in=codes)
        .select_related("current_step")
    }
    if len(found) != len(codes):
        raise Http404
    dossiers = [found[code] for code in codes]
    for dossier in dossiers:
        step = dossier.current_step
        if step is not None and step.assignee_id is not None:
            message = _(
                "Dossier %(code)s was assigned to %(name)s in the meantime; nothing was assigned."
            ) % {"code": dossier.code, "name": step.assignee}
            return _refuse(request, message, 409, codes, chosen)
    groups = selectors.assignment_groups(dossiers)
    if len(groups) > 1:
        steps = "; ".join(
            f"{group.role_label} — {group.agency.display_name}: {', '.join(group.codes)}"
            for group in groups
        )
        message = _(
            "The selected dossiers need different officials (%(steps)s). "
            "Assign each group separately; nothing was assigned."
        ) % {"steps": steps}
        return _refuse(request, message, 409, codes, chosen)

    try:
        with transaction.atomic():
            for dossier in dossiers:
                try:
                    svc.dossier_assign(actor=request.user, dossier=dossier, assignee=assignee)
                except DomainError as exc:
                    raise _Refused(dossier, exc) from exc
    except _Refused as refused:
        message = _("Dossier %(code)s: %(reason)s Nothing was assigned.") % {
            "code": refused.dossier.code,
            "reason": refused.error.message,
        }
        return _refuse(request, message, refused.error.http_status, codes, chosen)
    messages.success(
        request,
        ngettext(
            "%(count)s dossier assigned to %(name)s.",
            "%(count)s dossiers assigned to %(name)s.",
            len(dossiers),
        )
        % {"count": len(dossiers), "name": assignee},
    )
    return redirect("backoffice:queue", queue=Queue.UNASSIGNED.value)
