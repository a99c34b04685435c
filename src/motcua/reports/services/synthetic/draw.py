"""Drawing a dossier: where, what, which channel, when, which story, and its applicant."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import uuid
import zlib
from typing import Any

from motcua.catalog.choices import ApplicantType, Channel
from motcua.core.workcal import WorkCalendar
from motcua.dossiers.services._common import dossier_convention
from motcua.org.choices import AgencyKind, AgencyLevel
from motcua.org.models import Agency
from motcua.reports.services.synthetic.common import (
    DEFAULT_CASE_SHARE,
    MARK,
    OPEN_OVERDUE_SHARE,
    STORIES,
    TRANSFER_SHARE,
    code_prefix,
)
from motcua.reports.services.synthetic.life import DossierLife, Made
from motcua.reports.services.synthetic.province import (
    Case,
    Desk,
    Province,
    statutory_days,
    weighted,
    working_days,
)

_FAMILY = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 1.5),
    ("Phan", 4.5), ("Vũ", 3), ("Võ", 1), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Mai", 0.5), ("Trịnh", 0.6), ("Lương", 0.4),
)  # fmt: skip

_MIDDLE = {
    "m": ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Xuân", "Ngọc"),
    "f": ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Thùy", "Bích"),
}
_GIVEN = {
    "m": ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long",
          "Nam", "Phong", "Phúc", "Quang", "Sơn", "Thắng", "Trung", "Tuấn", "Việt"),
    "f": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
          "Nga", "Ngân", "Nhung", "Phương", "Tâm", "Thảo", "Trang", "Vy", "Yến"),
}  # fmt: skip
_BUSINESS = ("Thương mại", "Dịch vụ", "Xây dựng", "Vận tải", "Nông sản", "Du lịch")
_FAMILY_CUMULATIVE = list(itertools.accumulate(weight for _name, weight in _FAMILY))


# -- the generator -------------------------------------------------------------------------------


class Generator:
    def __init__(
        self, province: Agency, *, seed: int, start: dt.date, end: dt.date, cutoff: dt.datetime
    ) -> None:
        self.ctx = Province(province, seed=seed, start=start, end=end)
        # Per dossier: the seed, the province and the dossier's number.
        self.seed_base = (seed * 1_000_003 + zlib.crc32(province.code.encode())) * 1_000_000_007
        self.cutoff = cutoff
        self.convention = dossier_convention()
        self.prefix = code_prefix(province)
        self.story_cumulative = list(itertools.accumulate(share for _s, share in STORIES))
        digits = "".join(c for c in province.division_code or province.code if c.isdigit())
        self.id_prefix = f"{int(digits or 0):03d}"[-3:]  # an identity card's place code

    def _instant(self, rng: random.Random, day: dt.date, calendar: WorkCalendar) -> dt.datetime:
        """A moment within the working hours of ``day``."""
        hours = calendar.hours
        am = dt.datetime.combine(day, hours.am_end) - dt.datetime.combine(day, hours.am_start)
        pm = dt.datetime.combine(day, hours.pm_end) - dt.datetime.combine(day, hours.pm_start)
        offset = dt.timedelta(seconds=int(rng.random() * (am + pm).total_seconds()))
        start = hours.am_start if offset < am else hours.pm_start
        if offset >= am:
            offset -= am
        wall = dt.datetime.combine(day, start) + offset
        return wall.replace(tzinfo=calendar.tz)

    def _reception_index(self, rng: random.Random, story: str, case: Case, channel: int) -> int:
        """The reception day, as an index in the province's working days."""
        days = self.ctx.days
        if story != "open":
            return int(rng.random() * len(days))
        # Open at the end: most received within their processing time, some long overdue.
        amount, unit = case.rules[channel]
        span = working_days(amount, unit)
        if rng.random() < OPEN_OVERDUE_SHARE:
            back = math.ceil(span) + 1 + int(rng.expovariate(1 / 20))
        else:  # the appointment not before the end
            back = int(rng.random() * span)
        return max(0, len(days) - 1 - back)

    def dossier(self, number: int) -> Made:
        rng = random.Random(self.seed_base + number)  # noqa: S311 - as above
        ctx = self.ctx
        story = STORIES[weighted(rng, self.story_cumulative)][0]
        if rng.random() < ctx.province_share:
            desk, pool, zipf = ctx.province_desk, ctx.province_procedures, ctx.province_zipf
        else:
            desk = ctx.commune_desks[weighted(rng, ctx.commune_cumulative)]
            pool, zipf = ctx.commune_procedures, ctx.commune_zipf
        procedure = pool[weighted(rng, zipf)]
        for _attempt in range(10):  # dossiers left open are of the longer procedures
            if story != "open" or statutory_days(procedure) >= 1:
                break
            procedure = pool[weighted(rng, zipf)]
        cases = procedure.cases
        case = (
            cases[0]
            if len(cases) == 1 or rng.random() < DEFAULT_CASE_SHARE
            else rng.choice(cases[1:])
        )
        channel = case.channels[weighted(rng, case.channel_cumulative)]

        life = DossierLife(
            ctx,
            rng,
            desk=desk,
            procedure=procedure,
            case=case,
            channel=channel,
            cutoff=self.cutoff,
            convention=self.convention,
            transfer=bool(ctx.departments) and rng.random() < TRANSFER_SHARE,
        )
        index = self._reception_index(rng, story, case, channel)
        while True:  # never after the end (today: not later than now)
            day = ctx.days[index]
            received = self._instant(rng, day, ctx.calendar(desk.desk, day))
            if received <= self.cutoff or index == 0:
                break
            index -= 1
        if channel == Channel.ONLINE:  # submitted at any hour before, received in working time
            submitted = received - dt.timedelta(minutes=int(rng.random() * 20 * 60))
        elif channel == Channel.POST:
            submitted = received - dt.timedelta(hours=rng.uniform(24, 72))
        else:
            submitted = received
        life.fields = self._applicant(rng, desk) | {
            "code": f"{self.prefix}{number:09d}",
            "other_code": MARK,
            "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
            "procedure_version_id": case.version.pk,
            "variant_id": case.variant.pk,
            "receiving_agency_id": desk.desk.pk,
            "channel": channel,
            "summary": case.version.name[:1000],
            "digitised": rng.random() < 0.6,
        }
        life.live(story, received, submitted)
        made = life.made()
        made.fields["handling_agency_id"] = made.handling.pk
        return made

    def _applicant(self, rng: random.Random, desk: Desk) -> dict[str, Any]:
        family = _FAMILY[weighted(rng, _FAMILY_CUMULATIVE)][0]
        sex = "m" if rng.random() < 0.5 else "f"
        person = f"{family} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"
        commune = (
            desk.committee
            if desk.level == AgencyLevel.COMMUNE or not self.ctx.commune_desks
            else rng.choice(self.ctx.commune_desks).committee
        )
        fields: dict[str, Any] = {
            "applicant_province_id": self.ctx.province.pk,
            "applicant_commune_id": commune.pk if commune.kind == AgencyKind.COMMUNE else None,
            "applicant_address": f"Thôn {rng.randint(1, 15)}, {commune.short_name or commune.name}",
            "applicant_phone": f"0{rng.choice('35789')}{rng.randrange(10**8):08d}",
        }
        if rng.random() < 0.08:
            fields |= {
                "applicant_type": ApplicantType.BUSINESS,
                "applicant_name": f"Công ty TNHH {rng.choice(_BUSINESS)} {person.split()[-1]}",
                "applicant_id_number": f"{rng.randrange(10**9, 10**10)}",
                "representative_name": person,
            }
        else:
            born = rng.randint(1950, 2005)
            century = (0 if born < 2000 else 2) + (0 if sex == "m" else 1)
            fields |= {
                "applicant_type": ApplicantType.CITIZEN,
                "applicant_name": person,
                "applicant_id_number": (
                    f"{self.id_prefix}{century}{born % 100:02d}{rng.randrange(10**6):06d}"
                ),
            }
        return fields
