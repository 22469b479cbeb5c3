"""The commune list's rows, built in Python.

The list is the busiest page: fifty rows of a dozen cells each cost the template engine about
a third of a millisecond a row (a URL reversed, a sentence translated, filters and lookups for
every row). Here the link's prefix, the translated words and the period note are worked out once
a page, and each row is a few string joins, with the same markup.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def commune_rows(communes, can_edit, show_province=False):
    """{% commune_rows page.object_list can_edit show_province %}: the <tr> of each commune
    (attach_enrolments ran; with `show_province`, the communes' provinces are selected too)."""
    detail = reverse("rollout:commune_detail", args=[0])
    prefix, suffix = detail.rsplit("0", 1)
    choose, late_word = gettext("Chọn %(name)s"), escape(gettext("quá hạn"))
    upkeep_late = f' <span class="badge text-bg-danger upkeep-overdue">{escape(gettext("Duy trì quá hạn"))}</span>'
    reannounce = f' <span class="badge text-bg-warning upkeep-reannounce">{escape(gettext("Cần công bố lại"))}</span>'
    today = timezone.localdate()
    notes = {}
    out = []
    for commune in communes:
        enrolment = commune.row_enrolment
        group = commune.district.short_name if commune.district_id else commune.area.name if commune.area_id else ""
        note = ""
        if commune.valid_until:
            if commune.valid_until not in notes:
                notes[commune.valid_until] = f' <small class="text-muted">{escape(commune.period_note)}</small>'
            note = notes[commune.valid_until]
        name = escape(commune.name)
        out.append(f'<tr class="commune-row" data-commune="{commune.pk}">')
        if can_edit:
            box = (
                (
                    f'<input class="form-check-input" type="checkbox" name="enrolment" value="{enrolment.pk}" '
                    f'aria-label="{escape(choose % {"name": commune.name})}">'
                )
                if enrolment
                else ""
            )
            out.append(f"<td>{box}</td>")
        plan = (escape(enrolment.plan.number), escape(enrolment.phase.name)) if enrolment else None
        province = escape(commune.province.short_name) if show_province else ""
        step = escape(str(commune.row_step_label))
        # On a phone: the group, province and plan under the name, and the current step.
        small = " · ".join(part for part in (escape(group), province, plan[0] if plan else "") if part)
        out.append(
            f'<td><a href="{prefix}{commune.pk}{suffix}">{name}</a>{note}'
            f'<div class="small text-muted d-md-none">{small}</div>'
            + (f'<div class="small d-sm-none">{step}</div>' if step else "")
            + "</td>"
        )
        out.append(f'<td class="d-none d-md-table-cell">{escape(group) or "—"}</td>')
        if show_province:
            out.append(f'<td class="d-none d-md-table-cell">{province}</td>')
        out.append(
            f'<td class="d-none d-md-table-cell">{plan[0]}<br><small class="text-muted">{plan[1]}</small></td>'
            if plan
            else '<td class="d-none d-md-table-cell">—</td>'
        )
        out.append(f'<td class="d-none d-sm-table-cell">{step or "—"}</td>')
        flags = ""
        if enrolment and enrolment.upkeep_due_on and enrolment.upkeep_due_on < today:
            flags += upkeep_late
        if enrolment and enrolment.needs_reannouncement:
            flags += reannounce
        out.append(
            f'<td><span class="badge border text-wrap status-{commune.row_status or "not_started"}">'
            f"{escape(str(commune.row_status_label))}</span>{flags}</td>"
        )
        if commune.row_next_due_on:
            due = f'<span class="text-nowrap">{commune.row_next_due_on:%d/%m/%Y}</span>'
            due = (
                f'<span class="late">{due} <span class="text-nowrap">· {late_word}</span></span>'
                if commune.row_late
                else f"<span>{due}</span>"
            )
        else:
            due = "—"
        out.append(f"<td>{due}</td></tr>\n")
    return mark_safe("".join(out))
