from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reports.links import commune_page_url

register = template.Library()


@register.simple_tag
def fig(figure, label=""):
    """A dashboard figure as a link to the communes it counts: {% fig row.announced %}."""
    if figure is None:
        return ""
    value = f"{int(figure):,}".replace(",", ".")
    url = figure.url
    if url is None:
        return value
    title = f' title="{escape(label)}"' if label else ""
    return mark_safe(f'<a href="{escape(url)}"{title}>{value}</a>')


@register.simple_tag
def commune_url(commune_id):
    return commune_page_url(commune_id)


@register.simple_tag
def chart_svg(chart, title, chart_id):
    """{% chart_svg status_chart title "status-chart" %}: a chart drawn by reports.charts."""
    return chart.svg(str(title), chart_id)
