from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    CENTRAL = "central", _("Central agency")
    PROVINCE = "province", _("Provincial People's Committee")
    COMMUNE = "commune", _("Commune People's Committee")
    SERVICE_CENTRE = "service_centre", _("Public administrative service centre")
    DEPARTMENT = "department", _("Specialised department")
    VERTICAL = "vertical", _("Vertical agency")


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class DivisionType(models.TextChoices):
    """Administrative division types after the 2025 reform (SPEC.md §10)."""

    PROVINCE = "tinh", _("Province (tỉnh)")
    CITY = "thanh_pho", _("Centrally-run city (thành phố)")
    COMMUNE = "xa", _("Commune (xã)")
    WARD = "phuong", _("Ward (phường)")
    SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")


class Role(models.TextChoices):
    """Roles of officials (SPEC.md §1.2); each is granted on an agency and covers its subtree."""

    RECEPTION = "reception", _("Reception officer")  # cán bộ tiếp nhận
    SPECIALIST = "specialist", _("Specialist")  # chuyên viên
    UNIT_LEADER = "unit_leader", _("Head of unit")  # lãnh đạo phòng
    AGENCY_LEADER = "agency_leader", _("Agency leader")  # lãnh đạo UBND
    CLERK = "clerk", _("Records clerk")  # văn thư
    ACCOUNTANT = "accountant", _("Accountant")  # kế toán
    ADMINISTRATOR = "administrator", _("Administrator")  # quản trị
    SUPERVISOR = "supervisor", _("Supervisor")  # giám sát


class CalendarDayKind(models.TextChoices):
    """An administrator's override of one day (SPEC.md §3.3)."""

    HOLIDAY = "holiday", _("Public holiday (day off)")
    DAY_OFF = "day_off", _("Compensatory or swapped day off")
    WORKDAY = "workday", _("Make-up working day")

    @property
    def is_working_day(self) -> bool:
        return self is CalendarDayKind.WORKDAY


class AgencyChangeKind(models.TextChoices):
    CREATED = "created", _("Created")
    MERGED = "merged", _("Merged into successor")
    ABSORBED = "absorbed", _("Absorbed other units")
    MOVED = "moved", _("Moved under new parent")
    DISSOLVED = "dissolved", _("Dissolved")
