"""Row counts as a clerk reads them: 1,204 (the row numbers of the error lines are written the same way)."""

from django import template

register = template.Library()


@register.filter
def grouped(value) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
