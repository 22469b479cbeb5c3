from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionType(models.TextChoices):
    """Kinds of administrative unit, as the GSO names them (the name's prefix)."""

    PROVINCE = "tinh", _("Tỉnh")
    CENTRAL_CITY = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    URBAN_DISTRICT = "quan", _("Quận")
    RURAL_DISTRICT = "huyen", _("Huyện")
    TOWN = "thi_xa", _("Thị xã")
    PROVINCIAL_CITY = "thanh_pho", _("Thành phố thuộc tỉnh")
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    TOWNSHIP = "thi_tran", _("Thị trấn")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")


# Name prefixes, longest first, per level: the package's own division_type field is not
# reliable (every district of 0.6.0 says "huyện"), the official name is.
PREFIXES = {
    1: [("Thành phố ", DivisionType.CENTRAL_CITY), ("Tỉnh ", DivisionType.PROVINCE)],
    2: [
        ("Thành phố ", DivisionType.PROVINCIAL_CITY),
        ("Thị xã ", DivisionType.TOWN),
        ("Quận ", DivisionType.URBAN_DISTRICT),
        ("Huyện ", DivisionType.RURAL_DISTRICT),
    ],
    3: [
        ("Thị trấn ", DivisionType.TOWNSHIP),
        ("Phường ", DivisionType.WARD),
        ("Đặc khu ", DivisionType.SPECIAL_ZONE),
        ("Xã ", DivisionType.COMMUNE),
    ],
}


def split_name(level, full_name):
    """("Huyện Lâm Hà") -> (DivisionType.RURAL_DISTRICT, "Lâm Hà")."""
    for prefix, kind in PREFIXES[level]:
        if full_name.startswith(prefix):
            return kind, full_name[len(prefix) :]
    default = {1: DivisionType.PROVINCE, 2: DivisionType.RURAL_DISTRICT, 3: DivisionType.COMMUNE}
    return default[level], full_name
