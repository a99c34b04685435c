"""Reads of the catalogue for the public pages and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from motcua.catalog.models import ProcedureVariant, ProcedureVersion, Sector
from motcua.core.text import search_key


def procedure_search(
    *,
    q: str | None = None,
    sector: str | None = None,
    level: str | None = None,
    online: str | None = None,
) -> QuerySet[ProcedureVersion]:
    """Procedures in force today. ``q`` is accent-insensitive: every word must appear in the
    code, name, sector or result (``chung thuc`` finds "Chứng thực…", ``d`` matches ``đ``)."""
    qs = ProcedureVersion.objects.current().select_related("procedure", "sector")
    if q:
        for word in search_key(q).split():
            qs = qs.filter(search_text__contains=word)
    if sector:
        qs = qs.filter(sector__code=sector)
    if level:
        # levels is a short JSON list; a text match on the quoted value works on SQLite and
        # PostgreSQL alike and cannot match a longer level name.
        qs = qs.filter(levels__icontains=f'"{level}"')
    if online:
        qs = qs.filter(online_level=online)
    return qs.order_by("name", "procedure__code")


def procedure_detail(code: str) -> ProcedureVersion:
    """The version in force of the procedure with national ``code`` (raises DoesNotExist)."""
    return (
        ProcedureVersion.objects.current()
        .select_related("procedure", "sector")
        .prefetch_related(
            "legal_bases",
            Prefetch(
                "variants",
                queryset=ProcedureVariant.objects.prefetch_related("channels", "steps"),
            ),
            "components",
            "fees",
        )
        .get(procedure__code=code)
    )


def sectors_in_use() -> QuerySet[Sector]:
    return Sector.objects.filter(versions__in=ProcedureVersion.objects.current()).distinct()


# Procedures citizens ask for most often at commune and province desks (hộ tịch, chứng thực,
# lý lịch tư pháp). Until dossier statistics exist, the home page lists these national codes
# first and tops the list up with other commune-level procedures.
COMMON_PROCEDURE_CODES = (
    "1.001193",  # Đăng ký khai sinh
    "2.000815",  # Chứng thực bản sao từ bản chính
    "1.000894",  # Đăng ký kết hôn
    "1.000656",  # Đăng ký khai tử
    "2.000884",  # Chứng thực chữ ký
    "2.000635",  # Cấp bản sao trích lục hộ tịch
)


def procedures_common(*, limit: int = 6) -> list[ProcedureVersion]:
    """The procedures most often needed, for the home page (at most two queries)."""
    from motcua.catalog.choices import ImplementationLevel

    rank = {code: i for i, code in enumerate(COMMON_PROCEDURE_CODES)}
    chosen = sorted(
        ProcedureVersion.objects.current()
        .select_related("procedure", "sector")
        .filter(procedure__code__in=COMMON_PROCEDURE_CODES),
        key=lambda v: rank[v.procedure.code],
    )[:limit]
    if len(chosen) < limit:
        chosen += list(
            procedure_search(level=ImplementationLevel.COMMUNE).exclude(
                pk__in=[v.pk for v in chosen]
            )[: limit - len(chosen)]
        )
    return chosen
