from django import template
from django.utils.html import format_html

from reports.links import commune_page_url

register = template.Library()


@register.simple_tag
def fig(figure, label=""):
    """A dashboard figure as a link to the communes it counts: {% fig row.announced %}."""
    if figure is None:
        return ""
    value = format_html("{}", f"{int(figure):,}".replace(",", "."))
    if figure.url is None:
        return value
    if label:
        return format_html('<a href="{}" title="{}">{}</a>', figure.url, label, value)
    return format_html('<a href="{}">{}</a>', figure.url, value)


@register.simple_tag
def commune_url(commune_id):
    return commune_page_url(commune_id)
