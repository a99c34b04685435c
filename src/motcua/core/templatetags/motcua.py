from django import template

from motcua.core import formatting

register = template.Library()

register.filter("money", formatting.money)
register.filter("vn_date", formatting.vn_date)
register.filter("vn_datetime", formatting.vn_datetime)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def working_time(value) -> str:
    """A working-time span (timedelta, either sign) as hours and minutes: "13 h 30 min"."""
    if value is None:
        return ""
    from django.utils.translation import gettext

    minutes = int(abs(value).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return gettext("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": rest}
