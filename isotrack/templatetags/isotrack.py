from html import escape

from django import forms, template
from django.utils.safestring import mark_safe

from isotrack.money import format_vnd, format_vnd_short

register = template.Library()


@register.filter
def vnd(amount):
    """{{ amount|vnd }} -> 700.000.000 ₫"""
    return format_vnd(amount)


@register.filter
def vnd_short(amount):
    """{{ amount|vnd_short }} -> 700 triệu"""
    return format_vnd_short(amount)


@register.filter
def percent(part, whole):
    """{{ part|percent:whole }} -> 68 (a whole-number share; 0 when there is no whole)."""
    if not whole:
        return 0
    return round(100 * (part or 0) / whole)


def _chosen(field):
    value = field.value()
    if value in (None, ""):
        return set()
    values = value if isinstance(value, (list, tuple)) else [value]
    return {str(v) for v in values}


@register.simple_tag
def fast_widget(field):
    """A filter field's <select>, checkboxes or text box, built in Python.

    Django renders each option of a select through its own template; on the commune list,
    the busiest page, that was a third of the page's time. Same markup, same names and ids.
    """
    chosen = _chosen(field)
    attrs = field.field.widget.attrs
    css, name, auto_id = escape(attrs.get("class", "")), escape(field.html_name), escape(field.auto_id)
    if isinstance(field.field.widget, forms.CheckboxSelectMultiple):
        return mark_safe(
            "".join(
                f'<div class="form-check form-check-inline"><input type="checkbox" name="{name}" '
                f'value="{escape(str(value))}" id="{auto_id}_{index}" class="{css}"'
                f'{" checked" if str(value) in chosen else ""}><label class="form-check-label" '
                f'for="{auto_id}_{index}">{escape(str(label))}</label></div>'
                for index, (value, label) in enumerate(field.field.choices)
            )
        )
    if isinstance(field.field.widget, forms.Select):
        options = "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in field.field.choices
        )
        return mark_safe(f'<select name="{name}" id="{auto_id}" class="{css}">{options}</select>')
    return field.as_widget()
