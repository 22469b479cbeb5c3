"""Forms for review areas (khu vực theo dõi) of a province of today."""

from django import forms
from django.utils.translation import gettext_lazy as _

from provinces.models import Commune


class AreaForm(forms.Form):
    """An area's name and communes; carries the version it was read at (a stale save is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("Tên khu vực"),
        max_length=120,
        help_text=_("Ví dụ: “Lâm Hà” (trang của khu vực hiện “Khu vực Lâm Hà”)."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)
    communes = forms.ModelMultipleChoiceField(
        label=_("Các xã của khu vực"),
        queryset=Commune.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Chọn một xã đang thuộc khu vực khác sẽ chuyển xã sang khu vực này."),
    )

    def __init__(self, *args, province, area=None, **kwargs):
        if area is not None and area.pk:
            kwargs.setdefault(
                "initial",
                {
                    "version": area.version,
                    "name": area.name,
                    "note": area.note,
                    "communes": list(area.communes.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        self.area = area
        communes = Commune.objects.filter(province=province).select_related("area").order_by("area__name", "name")
        self.fields["communes"].queryset = communes
        self.fields["communes"].label_from_instance = lambda c: "{name}{where}".format(
            name=c.name, where=f" ({c.area.name})" if c.area_id and (area is None or c.area_id != area.pk) else ""
        )
