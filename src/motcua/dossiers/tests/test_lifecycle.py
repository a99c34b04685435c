"""Every transition of SPEC.md §1.7, allowed and forbidden: wrong state, wrong role, another
agency. A refused attempt changes nothing and enqueues nothing (issue 3 "Must show")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.choices import Channel
from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from motcua.dossiers import transitions
from motcua.dossiers.choices import Action, DossierState
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.services.events import verify_events
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.feedback.services import dossier_rate
from motcua.notifications.models import OutboxMessage, WebhookSubscription

S = DossierState
T0 = vn(2026, 3, 9, 8, 0)  # Monday
AT = vn(2026, 3, 10, 9, 0)  # when the action under test happens


def _submitted(ctx) -> Dossier:
    data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
    return svc.dossier_submit(actor=ctx.owner, data=data, at=T0)


def _received(ctx) -> Dossier:
    return svc.dossier_receive(actor=ctx.staff.reception, dossier=_submitted(ctx), at=T0)


def _in_process(ctx) -> Dossier:
    d = _received(ctx)
    return svc.dossier_handover(actor=ctx.staff.reception, dossier=d, at=T0 + dt.timedelta(hours=1))


def walk(ctx, state: S) -> Dossier:
    """A dossier brought to ``state`` through the services."""
    staff, later = ctx.staff, T0 + dt.timedelta(hours=2)
    if state is S.SUBMITTED:
        return _submitted(ctx)
    if state is S.RETURNED_FOR_COMPLETION:
        d = _submitted(ctx)
        svc.dossier_request_completion(
            actor=staff.reception, dossier=d, reason="Thiếu giấy tờ", items=["Tờ khai"], at=later
        )
        return d
    if state is S.REJECTED:
        return svc.dossier_refuse(
            actor=staff.reception,
            dossier=_submitted(ctx),
            reason="Không thuộc thẩm quyền",
            at=later,
        )
    if state is S.RECEIVED:
        return _received(ctx)
    d = _in_process(ctx)
    if state is S.IN_PROCESS:
        return d
    if state is S.SUPPLEMENT_REQUESTED:
        svc.dossier_request_supplement(
            actor=staff.specialist, dossier=d, reason="Bổ sung", items=["Bản sao CCCD"], at=later
        )
    elif state is S.PAYMENT_REQUESTED:
        svc.dossier_request_payment(
            actor=staff.accountant, dossier=d, amount=Decimal(50000), at=later
        )
    elif state is S.WITHDRAWAL_REQUESTED:
        svc.dossier_request_withdrawal(
            actor=ctx.owner, dossier=d, reason="Không còn nhu cầu", at=later
        )
    elif state is S.STOPPED:
        svc.dossier_stop(actor=staff.agency_leader, dossier=d, reason="Hết căn cứ", at=later)
    elif state is S.RESOLVED:
        svc.dossier_resolve(actor=staff.clerk, dossier=d, at=later)
    elif state is S.RETURNED:
        svc.dossier_resolve(actor=staff.clerk, dossier=d, at=later)
        svc.dossier_return_result(
            actor=staff.reception, dossier=d, method="counter", recipient="Nguyễn Văn An", at=later
        )
    d.refresh_from_db()
    assert d.state == state
    return d


def _holder_of_current_step(ctx, dossier: Dossier):
    dossier.refresh_from_db()
    step = dossier.current_step
    return getattr(ctx.staff, step.role if step else "specialist")


def call(ctx, action: Action, dossier: Dossier, *, staff=None, owner=None):
    """Take ``action`` as the person who would normally take it (from ``staff``/``owner``)."""
    staff = staff or ctx.staff
    owner = owner or ctx.owner
    calls = {
        Action.RECEIVE: lambda: svc.dossier_receive(actor=staff.reception, dossier=dossier, at=AT),
        Action.REQUEST_COMPLETION: lambda: svc.dossier_request_completion(
            actor=staff.reception, dossier=dossier, reason="Thiếu", items=["Tờ khai"], at=AT
        ),
        Action.RESUBMIT: lambda: svc.dossier_resubmit(actor=owner, dossier=dossier, at=AT),
        Action.REFUSE: lambda: svc.dossier_refuse(
            actor=staff.reception, dossier=dossier, reason="Không đủ điều kiện", at=AT
        ),
        Action.ASSIGN: lambda: svc.dossier_assign(
            actor=staff.unit_leader,
            dossier=dossier,
            assignee=_holder_of_current_step(ctx, dossier),
            at=AT,
        ),
        Action.HANDOVER: lambda: svc.dossier_handover(
            actor=_holder_of_current_step(ctx, dossier) if staff is ctx.staff else staff.supervisor,
            dossier=dossier,
            at=AT,
        ),
        Action.TRANSFER: lambda: svc.dossier_transfer(
            actor=staff.specialist, dossier=dossier, to_agency=ctx.partner, hours=8, at=AT
        ),
        Action.REQUEST_SUPPLEMENT: lambda: svc.dossier_request_supplement(
            actor=staff.specialist, dossier=dossier, reason="Bổ sung", items=["Giấy tờ"], at=AT
        ),
        Action.SUPPLY: lambda: svc.dossier_supply(actor=staff.reception, dossier=dossier, at=AT),
        Action.REQUEST_PAYMENT: lambda: svc.dossier_request_payment(
            actor=staff.accountant, dossier=dossier, amount=Decimal(50000), at=AT
        ),
        Action.CONFIRM_PAYMENT: lambda: svc.dossier_confirm_payment(
            actor=staff.accountant, dossier=dossier, receipt_number="BL-1", at=AT
        ),
        Action.EXTEND: lambda: svc.dossier_extend(
            actor=staff.agency_leader,
            dossier=dossier,
            new_due=vn(2026, 3, 20, 9, 0),
            reason="Cần xác minh",
            at=AT,
        ),
        Action.REQUEST_WITHDRAWAL: lambda: svc.dossier_request_withdrawal(
            actor=staff.reception, dossier=dossier, reason="Đơn xin rút", at=AT
        ),
        Action.CONFIRM_WITHDRAWAL: lambda: svc.dossier_confirm_withdrawal(
            actor=staff.reception, dossier=dossier, at=AT
        ),
        Action.STOP: lambda: svc.dossier_stop(
            actor=staff.agency_leader, dossier=dossier, reason="Hết căn cứ", at=AT
        ),
        Action.RESOLVE: lambda: svc.dossier_resolve(actor=staff.clerk, dossier=dossier, at=AT),
        Action.RETURN_RESULT: lambda: svc.dossier_return_result(
            actor=staff.reception, dossier=dossier, method="counter", recipient="Ông An", at=AT
        ),
        Action.RATE: lambda: dossier_rate(
            actor=owner,
            dossier=dossier,
            liked=True,
            convenience="satisfied",
            overall="very_satisfied",
            at=AT,
        ),
    }
    return calls[action]()


# Actions whose preconditions go beyond the state (tested on their own below).
MATRIX_ACTIONS = [
    a for a in transitions.TRANSITIONS if a not in (Action.SUBMIT, Action.TRANSFER_BACK)
]
STATES = [s for s in S if s is not S.DRAFT]


@pytest.fixture
def ctx(tree, catalogue, c1_staff, c2_staff, applicant_user):
    from types import SimpleNamespace

    # Every event goes to this subscriber through the outbox.
    WebhookSubscription.objects.create(name="Kho dữ liệu", url="http://127.0.0.1:9/", topics="*")
    return SimpleNamespace(
        version=catalogue["1.004873"],
        desk=tree.c1_units["pvhcc"],
        staff=c1_staff,
        other=c2_staff,
        owner=applicant_user,
        partner=tree.p1_units["tu-phap"],
    )


def _snapshot(dossier: Dossier):
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.event_count,
        dossier.due_at,
        dossier.updated_at,
        OutboxMessage.objects.count(),
        DossierEvent.objects.count(),
    )


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value)
@pytest.mark.parametrize("action", MATRIX_ACTIONS, ids=lambda a: a.value)
def test_transition_matrix(ctx, action, state):
    dossier = walk(ctx, state)
    before = _snapshot(dossier)
    if transitions.can(action, state):
        call(ctx, action, dossier)
        dossier.refresh_from_db()
        assert dossier.state == transitions.target(action, state)
        assert dossier.event_count == before[1] + 1
        event = dossier.events.order_by("-seq").first()
        assert (event.action, event.from_state, event.to_state) == (
            action,
            state,
            dossier.state,
        )
        assert OutboxMessage.objects.count() > before[4]  # effects go through the outbox
    else:
        with pytest.raises(Conflict) as info:
            call(ctx, action, dossier)
        assert info.value.code == "invalid_state"
        assert _snapshot(dossier) == before


@pytest.mark.parametrize("action", MATRIX_ACTIONS, ids=lambda a: a.value)
def test_wrong_role_and_other_agency_change_nothing(ctx, action):
    state = next(s for s in STATES if transitions.can(action, s))
    dossier = walk(ctx, state)
    before = _snapshot(dossier)
    # An official of another commune: the dossier does not exist for them.
    with pytest.raises(NotFound):
        call(ctx, action, dossier, staff=ctx.other, owner=ctx.other.reception)
    assert _snapshot(dossier) == before
    # An official of the right commune whose role does not allow the action.
    from types import SimpleNamespace

    supervisor = ctx.staff.supervisor
    wrong = SimpleNamespace(**dict.fromkeys(vars(ctx.staff), supervisor))
    with pytest.raises(PermissionDenied):
        call(ctx, action, dossier, staff=wrong, owner=supervisor)
    assert _snapshot(dossier) == before


def test_counter_intake_to_return_with_steps_and_codes(ctx):
    # SPEC.md §1.4: received at the counter (Mẫu 01), steps handed over, result issued, returned.
    data = dossier_in(ctx.version, ctx.desk)
    d = svc.dossier_intake(actor=ctx.staff.reception, data=data, at=vn(2026, 3, 6, 15, 30))
    assert d.code == "14797-260306-0001"
    assert d.received_at == vn(2026, 3, 6, 15, 30)
    assert d.due_at == d.original_due_at == vn(2026, 3, 11, 15, 30)  # SPEC.md §3.4
    times = [vn(2026, 3, 9, 9), vn(2026, 3, 10, 16, 45), vn(2026, 3, 11, 8)]
    for at in times:
        svc.dossier_handover(actor=_holder_of_current_step(ctx, d), dossier=d, at=at)
    svc.dossier_resolve(
        actor=ctx.staff.clerk, dossier=d, result_number="12/XN", at=vn(2026, 3, 11, 9)
    )
    svc.dossier_return_result(
        actor=ctx.staff.reception,
        dossier=d,
        method="counter",
        recipient="Nguyễn Văn An",
        at=vn(2026, 3, 11, 10),
    )
    d.refresh_from_db()
    assert d.state == S.RETURNED and d.dvcqg_status == 10
    assert d.timeliness == "on_time"  # finished on the appointment date: SPEC.md §3.5 (a)
    steps = list(d.steps.order_by("order"))
    assert [s.role for s in steps] == ["reception", "specialist", "agency_leader", "clerk"]
    # Step 1 (4 h from Fri 15:30 → Mon 10:00) handed over Mon 09:00: early in its half-day?
    # Due Mon 10:00 falls in the morning session that starts 07:30; 09:00 is inside → on time.
    assert steps[0].due_at == vn(2026, 3, 9, 10, 0)
    assert steps[0].timeliness == "on_time"
    # Step 2 (14 h from Mon 09:00: 6.5 h on Monday, 7.5 h on Tuesday → Tue 16:30) handed
    # over Tue 16:45 → late.
    assert steps[1].due_at == vn(2026, 3, 10, 16, 30)
    assert steps[1].timeliness == "late"
    assert list(verify_events(Dossier.objects.filter(pk=d.pk))) == []


def test_supplementation_pauses_and_moves_due_and_is_only_once(ctx):
    # SPEC.md §1.4, §3.4: the clock stops during supplementation; one request only.
    d = svc.dossier_intake(
        actor=ctx.staff.reception, data=dossier_in(ctx.version, ctx.desk), at=vn(2026, 3, 2, 9)
    )
    assert d.due_at == vn(2026, 3, 5, 9, 0)
    svc.dossier_handover(actor=ctx.staff.reception, dossier=d, at=vn(2026, 3, 2, 10))
    svc.dossier_request_supplement(
        actor=ctx.staff.specialist,
        dossier=d,
        reason="Thiếu",
        items=["Bản sao"],
        at=vn(2026, 3, 4, 16),
    )
    d.refresh_from_db()
    step_due_before = d.current_step.due_at
    svc.dossier_supply(
        actor=ctx.owner if d.owner_id else ctx.staff.reception, dossier=d, at=vn(2026, 3, 9, 8, 30)
    )
    d.refresh_from_db()
    assert d.due_at == d.original_due_at == vn(2026, 3, 9, 11, 0)
    assert d.paused_seconds == 18 * 3600
    assert d.current_step.due_at > step_due_before
    request = d.supplements.get()
    assert (request.due_before, request.due_after) == (vn(2026, 3, 5, 9), vn(2026, 3, 9, 11))
    with pytest.raises(Conflict) as info:
        svc.dossier_request_supplement(
            actor=ctx.staff.specialist,
            dossier=d,
            reason="Lần 2",
            items=["X"],
            at=vn(2026, 3, 9, 9),
        )
    assert info.value.code == "supplement_once"


def test_extension_keeps_the_original_due_for_statistics(ctx):
    # SPEC.md §3.4 apology/extension: the clock uses the new date; statistics the original —
    # and a dossier finished after the original date is late even with an apology (§1.4).
    d = svc.dossier_intake(
        actor=ctx.staff.reception, data=dossier_in(ctx.version, ctx.desk), at=vn(2026, 3, 2, 9)
    )
    ext = svc.dossier_extend(
        actor=ctx.staff.agency_leader,
        dossier=d,
        new_due=vn(2026, 3, 10, 9),
        reason="Cần xác minh thêm",
        at=vn(2026, 3, 4, 9),
    )
    d.refresh_from_db()
    assert (d.original_due_at, d.due_at) == (vn(2026, 3, 5, 9), vn(2026, 3, 10, 9))
    assert d.apology_issued and ext.regime == "tt03_2025"  # received after 01/07/2025
    with pytest.raises(Conflict):
        svc.dossier_extend(
            actor=ctx.staff.agency_leader,
            dossier=d,
            new_due=vn(2026, 3, 12, 9),
            reason="Lần nữa",
            at=vn(2026, 3, 5, 9),
        )
    svc.dossier_resolve(actor=ctx.staff.clerk, dossier=d, at=vn(2026, 3, 9, 9))
    d.refresh_from_db()
    assert d.timeliness == "late" and d.is_overdue


def test_extension_must_move_the_date_later(ctx):
    d = svc.dossier_intake(
        actor=ctx.staff.reception, data=dossier_in(ctx.version, ctx.desk), at=vn(2026, 3, 2, 9)
    )
    with pytest.raises(ValidationFailed):
        svc.dossier_extend(
            actor=ctx.staff.agency_leader,
            dossier=d,
            new_due=vn(2026, 3, 4, 9),
            reason="x",
            at=vn(2026, 3, 3, 9),
        )
    d.refresh_from_db()
    assert d.extension_count == 0 and d.event_count == 1


def test_transfer_to_partner_and_back_is_one_dossier(ctx, p1_staff):
    # SPEC.md §1.5: the partner agency does its part in its time slice; one dossier, one code.
    d = _in_process(ctx)
    transfer = svc.dossier_transfer(
        actor=ctx.staff.specialist,
        dossier=d,
        to_agency=ctx.partner,
        hours=8,
        reason="Xin ý kiến Sở Tư pháp",
        at=vn(2026, 3, 9, 10),
    )
    assert transfer.due_at == vn(2026, 3, 10, 10, 0)
    d.refresh_from_db()
    assert d.handling_agency == ctx.partner and d.interlinked
    # the commune's specialist may not act for the partner agency
    with pytest.raises((PermissionDenied, NotFound)):
        svc.dossier_transfer_back(actor=ctx.staff.specialist, dossier=d, at=vn(2026, 3, 9, 15))
    svc.dossier_transfer_back(
        actor=p1_staff.specialist, dossier=d, note="Đồng ý", at=vn(2026, 3, 10, 9)
    )
    d.refresh_from_db()
    assert d.handling_agency.code == "14797"
    assert Dossier.objects.filter(code=d.code).count() == 1
    partner_step = d.steps.get(transfer=transfer)
    assert partner_step.timeliness in ("early", "on_time")
    # the partner official sees the dossier it worked on, another commune does not
    from motcua.dossiers.policies import visible_dossiers

    assert visible_dossiers(p1_staff.specialist).filter(pk=d.pk).exists()
    assert not visible_dossiers(ctx.other.specialist).filter(pk=d.pk).exists()


def test_withdrawal_keeps_previous_state_and_counts_on_time(ctx):
    # SPEC.md §1.6: status 7 then 8; Report 06 counts "xin rút" with on time (§7.1 col. 9).
    d = _in_process(ctx)
    svc.dossier_request_withdrawal(actor=ctx.owner, dossier=d, reason="Không còn nhu cầu", at=AT)
    d.refresh_from_db()
    assert d.state_before_withdrawal == S.IN_PROCESS and d.dvcqg_status == 7
    svc.dossier_confirm_withdrawal(actor=ctx.staff.reception, dossier=d, at=AT)
    d.refresh_from_db()
    assert d.state == S.STOPPED and d.dvcqg_status == 8 and d.timeliness == "on_time"


def test_refusal_result_needs_reasons(ctx):
    d = _in_process(ctx)
    with pytest.raises(ValidationFailed):
        svc.dossier_resolve(actor=ctx.staff.clerk, dossier=d, result_kind="refusal", at=AT)
    svc.dossier_resolve(
        actor=ctx.staff.clerk, dossier=d, result_kind="refusal", note="Không đủ điều kiện", at=AT
    )
    d.refresh_from_db()
    assert d.state == S.RESOLVED and d.result_kind == "refusal"


def test_the_electronic_result_is_a_pdf_and_online_return_needs_one(ctx):
    """Returning online hands over the electronic result (766 indicator 4.1, SPEC.md §5.2):
    without one it is refused, and a result that is not a PDF is refused, changing nothing."""
    from motcua.dossiers.models import StoredFile

    d = _in_process(ctx)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    before = (d.state, d.event_count)
    with pytest.raises(ValidationFailed) as info:
        svc.dossier_resolve(actor=ctx.staff.clerk, dossier=d, result_content=png, at=AT)
    assert info.value.code == "result_file_type"
    d.refresh_from_db()
    assert (d.state, d.event_count, d.result_file_id) == (*before, None)
    assert not StoredFile.objects.exists()  # the transaction rolled the row back

    svc.dossier_resolve(actor=ctx.staff.clerk, dossier=d, at=AT)
    with pytest.raises(ValidationFailed) as info:
        svc.dossier_return_result(actor=ctx.staff.reception, dossier=d, method="online", at=AT)
    assert info.value.code == "no_electronic_result"
    d.refresh_from_db()
    assert d.state == S.RESOLVED
    svc.dossier_return_result(
        actor=ctx.staff.reception, dossier=d, method="counter", recipient="Nguyễn Văn An", at=AT
    )

    e = _in_process(ctx)
    pdf = b"%PDF-1.7\n% result\n%%EOF\n"
    svc.dossier_resolve(
        actor=ctx.staff.clerk, dossier=e, result_content=pdf, result_file_name="kq.pdf", at=AT
    )
    svc.dossier_return_result(actor=ctx.staff.reception, dossier=e, method="online", at=AT)
    e.refresh_from_db()
    assert (e.state, e.result_file_name) == (S.RETURNED, "kq.pdf")
    resolved = e.events.get(action=Action.RESOLVE)
    assert resolved.payload["result_sha256"] == e.result_file.sha256
    assert list(verify_events(Dossier.objects.filter(pk=e.pk))) == []


def test_online_submission_rules(ctx, catalogue):
    # A procedure without an online service cannot be submitted online (NĐ 42/2022).
    data = dossier_in(catalogue["2.000815"], ctx.desk, channel=Channel.ONLINE)
    with pytest.raises(ValidationFailed) as info:
        svc.dossier_submit(actor=ctx.owner, data=data, at=T0)
    assert info.value.code == "channel_not_offered"
    # Mandatory components must be there.
    data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
    data.components = []
    with pytest.raises(ValidationFailed) as info:
        svc.dossier_submit(actor=ctx.owner, data=data, at=T0)
    assert info.value.code == "component_missing"
    assert Dossier.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_receiving_at_night_starts_the_clock_next_morning(ctx):
    d = _submitted(ctx)
    svc.dossier_receive(actor=ctx.staff.reception, dossier=d, at=vn(2026, 3, 9, 19, 45))
    d.refresh_from_db()
    assert d.received_at == vn(2026, 3, 10, 7, 30)  # SPEC.md §1.3
    assert d.due_at == vn(2026, 3, 13, 7, 30) or d.due_at == vn(2026, 3, 12, 17, 0)


@pytest.mark.parametrize("state", [S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.RESOLVED, S.RETURNED])
def test_transfer_back_needs_an_open_transfer_in_process(ctx, p1_staff, state):
    dossier = walk(ctx, state)
    before = _snapshot(dossier)
    with pytest.raises((Conflict, NotFound)):
        svc.dossier_transfer_back(actor=ctx.staff.specialist, dossier=dossier, at=AT)
    # the province's roles cover its communes: it sees the dossier, but nothing is at a partner
    with pytest.raises(Conflict):
        svc.dossier_transfer_back(actor=p1_staff.specialist, dossier=dossier, at=AT)
    assert _snapshot(dossier) == before


def test_intake_needs_the_reception_role_at_that_agency(ctx):
    data = dossier_in(ctx.version, ctx.desk)
    with pytest.raises(NotFound):
        svc.dossier_intake(actor=ctx.other.reception, data=data, at=AT)
    with pytest.raises(PermissionDenied):
        svc.dossier_intake(actor=ctx.staff.specialist, data=data, at=AT)
    assert Dossier.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_submit_needs_an_account(ctx):
    from django.contrib.auth.models import AnonymousUser

    data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
    with pytest.raises(ValidationFailed):
        svc.dossier_submit(actor=AnonymousUser(), data=data, at=AT)
    assert Dossier.objects.count() == 0


def test_resubmit_is_the_applicants_own(ctx, c1_staff):
    d = walk(ctx, S.RETURNED_FOR_COMPLETION)
    from motcua.dossiers.tests.factories import citizen

    before = _snapshot(d)
    with pytest.raises(NotFound):
        svc.dossier_resubmit(actor=citizen("someone-else"), dossier=d, at=AT)
    with pytest.raises(PermissionDenied):
        svc.dossier_resubmit(actor=c1_staff.reception, dossier=d, at=AT)
    assert _snapshot(d) == before


def test_extension_to_a_day_off_moves_to_the_next_working_start(ctx):
    d = svc.dossier_intake(
        actor=ctx.staff.reception, data=dossier_in(ctx.version, ctx.desk), at=vn(2026, 3, 2, 9)
    )
    ext = svc.dossier_extend(
        actor=ctx.staff.agency_leader,
        dossier=d,
        new_due=vn(2026, 3, 13, 17, 0),
        reason="Chờ kết quả xác minh",
        at=vn(2026, 3, 4, 9),
    )
    assert ext.new_due == vn(2026, 3, 13, 17, 0)  # Friday 17:00, the end of a working day
    d2 = svc.dossier_intake(
        actor=ctx.staff.reception, data=dossier_in(ctx.version, ctx.desk), at=vn(2026, 3, 2, 9)
    )
    ext2 = svc.dossier_extend(
        actor=ctx.staff.agency_leader,
        dossier=d2,
        new_due=vn(2026, 3, 14, 9, 0),
        reason="Chờ kết quả xác minh",
        at=vn(2026, 3, 4, 9),
    )
    assert ext2.new_due == vn(2026, 3, 16, 7, 30)  # Saturday → Monday's opening


def test_a_merged_communes_dossiers_follow_to_its_successor(ctx, c2_staff, tree):
    # SPEC.md §10 / ADR 0001: a reorganisation closes a commune into another; its open dossiers
    # keep the historical agency (statistics) but the successor's officials see and handle them.
    from motcua.dossiers.policies import visible_dossiers
    from motcua.org.services.agencies import agency_merge

    desk2 = tree.c2_units["pvhcc"]
    d = svc.dossier_intake(
        actor=c2_staff.reception, data=dossier_in(ctx.version, desk2), at=vn(2026, 3, 2, 9)
    )
    done = svc.dossier_intake(
        actor=c2_staff.reception, data=dossier_in(ctx.version, desk2), at=vn(2026, 3, 2, 10)
    )
    svc.dossier_stop(actor=c2_staff.agency_leader, dossier=done, reason="Rút", at=vn(2026, 3, 3, 9))
    assert not visible_dossiers(ctx.staff.reception).filter(pk=d.pk).exists()

    agency_merge(sources=[tree.c2], into=tree.c1, effective=dt.date(2026, 4, 1), note="NQ sáp nhập")
    for user in vars(ctx.staff).values():  # a new request would read the roles afresh
        user.__dict__.pop("_motcua_assignments", None)
        user.__dict__.pop("_motcua_history_paths", None)

    seen = visible_dossiers(ctx.staff.reception)
    assert seen.filter(pk=d.pk).exists() and seen.filter(pk=done.pk).exists()
    svc.dossier_handover(actor=ctx.staff.reception, dossier=d, at=vn(2026, 4, 2, 9))
    d.refresh_from_db()
    assert d.receiving_agency == desk2  # the history keeps the agency that received it
    assert d.state == S.IN_PROCESS
