from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.workcal import TimeUnit


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class OnlineLevel(models.TextChoices):
    """Nghị định 42/2022/NĐ-CP (SPEC.md §4.1)."""

    NONE = "none", _("Not online")
    PARTIAL = "partial", _("Partial online service")  # một phần
    FULL = "full", _("Full-process online service")  # toàn trình


class ImplementationLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class ApplicantType(models.IntegerChoices):
    """Loại đối tượng (SPEC.md §0)."""

    CITIZEN = 1, _("Citizen")
    BUSINESS = 2, _("Business")
    STATE_AGENCY = 3, _("State agency")
    ORGANISATION = 4, _("Other organisation")


class Channel(models.IntegerChoices):
    """Kênh thực hiện (SPEC.md §1.3)."""

    COUNTER = 1, _("In person")
    ONLINE = 2, _("Online")
    POST = 3, _("By public postal service")


class TimeUnitChoice(models.TextChoices):
    WORKING_HOURS = TimeUnit.WORKING_HOURS.value, _("working hours")
    WORKING_DAYS = TimeUnit.WORKING_DAYS.value, _("working days")
    CALENDAR_DAYS = TimeUnit.CALENDAR_DAYS.value, _("days")
    SAME_DAY = TimeUnit.SAME_DAY.value, _("same day (next working day if received after 15:00)")
    ON_THE_SPOT = TimeUnit.ON_THE_SPOT.value, _("on the spot")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Fee")  # phí
    CHARGE = "charge", _("Charge")  # lệ phí


class DossierStatusCode(models.IntegerChoices):
    """DVCQG dossier status codes 1–10 (SPEC.md §0, §1.7)."""

    NEW = 1, _("Newly registered")
    RECEIVED = 2, _("Received")
    NOT_RECEIVED = 3, _("Not received")
    IN_PROCESS = 4, _("In process")
    SUPPLEMENT = 5, _("Supplementation requested")
    FINANCIAL_OBLIGATION = 6, _("Financial obligation requested")
    WITHDRAWAL = 7, _("Applicant asked to withdraw")
    STOPPED = 8, _("Processing stopped")
    DONE = 9, _("Processing finished")
    RETURNED = 10, _("Result returned")
