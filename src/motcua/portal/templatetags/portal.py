"""Display helpers of the public pages: labels for stored codes and statutory times in words."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.catalog.choices import ApplicantType, ImplementationLevel, OnlineLevel, TimeUnitChoice
from motcua.catalog.fees import describe

register = template.Library()


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def level_labels(levels) -> str:
    """["commune", "province"] -> "Commune, Province" (in the active language)."""
    return ", ".join(_label(ImplementationLevel, level) for level in levels or ())


@register.filter
def applicant_labels(types) -> list[str]:
    return [_label(ApplicantType, t) for t in types or ()]


@register.filter
def online_label(level) -> str:
    return _label(OnlineLevel, level)


@register.filter
def fee_formula(formula) -> str:
    """A fee formula in words (the catalogue's own Vietnamese wording)."""
    return describe(formula) if formula else ""


def _amount(value: Decimal) -> tuple[str, int]:
    """The number as written in the active language, and an integer for plural forms."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(int(value)), int(value)
    return number_format(value.normalize()), 2


@register.simple_tag
def duration(amount, unit) -> str:
    """A statutory time in plain words: "3 ngày làm việc", "Trong ngày (…)", "Giải quyết ngay"."""
    if unit == TimeUnitChoice.SAME_DAY:
        return _("Same day (if received after 15:00, the result is returned the next working day)")
    if unit == TimeUnitChoice.ON_THE_SPOT:
        return _("On the spot")
    if amount is None or not unit:
        return ""
    text, count = _amount(amount)
    if unit == TimeUnitChoice.WORKING_DAYS:
        template_ = ngettext("%(n)s working day", "%(n)s working days", count)
    elif unit == TimeUnitChoice.WORKING_HOURS:
        template_ = ngettext("%(n)s working hour", "%(n)s working hours", count)
    elif unit == TimeUnitChoice.CALENDAR_DAYS:
        template_ = ngettext("%(n)s day", "%(n)s days", count)
    else:
        return f"{text} {_label(TimeUnitChoice, unit)}"
    return template_ % {"n": text}


@register.filter
def startswith(value, prefix) -> bool:
    return str(value).startswith(str(prefix))
