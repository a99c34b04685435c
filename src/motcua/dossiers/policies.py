"""Who may see and do what with a dossier (SPEC.md §1.2).

Officials see the dossiers received or handled by an agency in the subtree of one of their
roles, and those sent to such an agency for its part (liên thông). Citizens see their own.
Anything else looks exactly like a dossier that does not exist.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers.choices import Action
from motcua.dossiers.models import Dossier, DossierQuerySet, Transfer
from motcua.org.choices import Role
from motcua.org.models import Agency
from motcua.org.policies import has_role, history_paths, scope_paths
from motcua.org.selectors import agency_current_successor


def _path_filter(prefix: str, paths: list[str]) -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}__path__startswith": path})
    return condition


def visible_dossiers(actor, qs: DossierQuerySet | None = None) -> DossierQuerySet:
    """The scoped queryset every dossier list and detail starts from."""
    qs = Dossier.objects.all() if qs is None else qs
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if actor.is_superuser:
        return qs
    paths = history_paths(actor)  # including agencies merged into the actor's (reorganisations)
    condition = applicant_side(actor)
    if paths:
        # both ends of an inter-agency transfer: the partner it was sent to, and the agency
        # that sent it (while its part is at the partner, ``handling_agency`` is the partner)
        partner = Transfer.objects.filter(
            _path_filter("to_agency", paths) | _path_filter("from_agency", paths),
            dossier=OuterRef("pk"),
        )
        condition |= (
            _path_filter("receiving_agency", paths)
            | _path_filter("handling_agency", paths)
            | Q(Exists(partner))
        )
    return qs.filter(condition)


def is_official_over(actor, agency: Agency) -> bool:
    return any(agency.path.startswith(path) for path in scope_paths(actor))


def may_download_result(actor, dossier: Dossier) -> bool:
    """The electronic result: officials over the dossier's agencies whenever it exists; the
    applicant once it has been returned online (before that it is not yet issued to them)."""
    from motcua.dossiers.choices import DossierState, ReturnMethod

    if dossier.result_file_id is None:
        return False
    if (
        is_applicant_side(actor, dossier)
        and dossier.state == DossierState.RETURNED
        and dossier.return_method == ReturnMethod.ONLINE
    ):
        return True
    return actor.is_superuser or any(
        is_official_over(actor, agency)
        for agency in (dossier.receiving_agency, dossier.handling_agency)
    )


# Which roles may take each action, and at which agency of the dossier ("receiving" or
# "handling"). The applicant's own actions are marked with OWNER.
OWNER = "owner"
RULES: dict[Action, tuple[str, frozenset[str]]] = {
    Action.SUBMIT: ("receiving", frozenset({OWNER})),
    Action.RESUBMIT: ("receiving", frozenset({OWNER})),
    Action.INTAKE: ("receiving", frozenset({Role.RECEPTION})),
    Action.RECEIVE: ("receiving", frozenset({Role.RECEPTION})),
    Action.REQUEST_COMPLETION: ("receiving", frozenset({Role.RECEPTION})),
    Action.REFUSE: ("receiving", frozenset({Role.RECEPTION})),
    Action.ASSIGN: ("handling", frozenset({Role.UNIT_LEADER, Role.AGENCY_LEADER})),
    # HANDOVER is decided by the current step's role (see ``require_step_actor``).
    Action.TRANSFER: (
        "handling",
        frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}),
    ),
    Action.TRANSFER_BACK: (
        "handling",
        frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER}),
    ),
    Action.REQUEST_SUPPLEMENT: (
        "handling",
        frozenset({Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.RECEPTION}),
    ),
    Action.SUPPLY: ("receiving", frozenset({OWNER, Role.RECEPTION})),
    Action.REQUEST_PAYMENT: ("handling", frozenset({Role.ACCOUNTANT, Role.SPECIALIST})),
    Action.CONFIRM_PAYMENT: ("receiving", frozenset({Role.ACCOUNTANT, Role.RECEPTION})),
    Action.EXTEND: ("handling", frozenset({Role.AGENCY_LEADER})),
    Action.REQUEST_WITHDRAWAL: ("receiving", frozenset({OWNER, Role.RECEPTION})),
    Action.CONFIRM_WITHDRAWAL: ("receiving", frozenset({Role.RECEPTION})),
    Action.STOP: ("handling", frozenset({Role.AGENCY_LEADER})),
    Action.RESOLVE: ("handling", frozenset({Role.CLERK, Role.AGENCY_LEADER})),
    Action.RETURN_RESULT: ("receiving", frozenset({Role.RECEPTION})),
    # the applicant online, or the desk entering a rating given on paper or a kiosk
    Action.RATE: ("receiving", frozenset({OWNER, Role.RECEPTION})),
}


def _not_found() -> NotFound:
    return NotFound(_("Dossier not found."), code="dossier_not_found")


def _acting_for(actor):
    """Ids of the organisations ``actor`` acts for today (a subquery)."""
    from motcua.accounts.services.organisations import active_memberships

    return active_memberships(actor).values("organisation_id")


def applicant_side(actor) -> Q:
    """The dossiers ``actor`` sees as the applicant: those they filed for themselves, and an
    organisation's — which belong to it — while they act for it."""
    return Q(owner=actor, organisation__isnull=True) | Q(organisation__in=_acting_for(actor))


def is_applicant_side(actor, dossier: Dossier) -> bool:
    """The account that submitted the dossier or, for an organisation's dossier, whoever acts
    for the organisation today (its filer too only while authorised): OWNER in RULES."""
    if actor is None or not actor.is_authenticated:
        return False
    if dossier.organisation_id is None:
        return dossier.owner_id == actor.pk
    return _acting_for(actor).filter(organisation_id=dossier.organisation_id).exists()


def may(actor, action: Action | str, dossier: Dossier) -> bool:
    where, roles = RULES[Action(action)]
    if OWNER in roles and is_applicant_side(actor, dossier):
        return True
    agency = dossier.receiving_agency if where == "receiving" else dossier.handling_agency
    agency = acting_agency(agency)
    return any(has_role(actor, role, agency) for role in roles if role != OWNER)


def acting_agency(agency: Agency) -> Agency:
    """The agency whose officials act for ``agency`` today: itself, or — when a reorganisation
    merged it — its current successor. The dossier keeps the historical agency for statistics."""
    if agency.successor_id is None:
        return agency
    return agency_current_successor(agency) or agency


def require(actor, action: Action | str, dossier: Dossier) -> None:
    """Raise unless ``actor`` may take ``action`` on ``dossier``: NotFound when the dossier is
    outside everything the actor can see, PermissionDenied when it is visible but the action
    needs another role."""
    if actor is None or not actor.is_authenticated:
        raise _not_found()
    if may(actor, action, dossier):
        return
    if not visible_dossiers(actor).filter(pk=dossier.pk).exists():
        raise _not_found()
    raise PermissionDenied(
        _("You may not take the action “%(action)s” on this dossier.")
        % {"action": Action(action).label},
        code="action_forbidden",
    )


def require_step_actor(actor, dossier: Dossier) -> None:
    """Hand-over of the current step: its assignee, or a holder of the step's role at the step's
    agency, or a unit leader there."""
    step = dossier.current_step
    if step is None:
        # Nothing to hand over: let the state check say so to whoever can see the dossier.
        if actor is None or not visible_dossiers(actor).filter(pk=dossier.pk).exists():
            raise _not_found()
        return
    if actor is not None and actor.is_authenticated:
        if step.assignee_id == actor.pk:
            return
        step_agency = acting_agency(step.agency)
        if any(has_role(actor, role, step_agency) for role in (step.role, Role.UNIT_LEADER)):
            return
    if actor is None or not visible_dossiers(actor).filter(pk=dossier.pk).exists():
        raise _not_found()
    raise PermissionDenied(
        _("Only the person handling the current step may hand it over."),
        code="not_step_handler",
    )
