from django import template

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
