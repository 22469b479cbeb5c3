"""Password rules (AUTH_PASSWORD_VALIDATORS): Django's, with their messages in Vietnamese
(Django's Vietnamese catalogue lacks them), and the names of this office."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from isotrack.text import fold

PRODUCT_NAME = "isotrack"
# Shorter names ("Huế" -> "hue") would refuse ordinary words that merely contain them.
SHORTEST_NAME = 5


def _letters(text):
    """ "Lâm Đồng 2024!" -> "lamdong2024": folded, without spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


class LocalNamesValidator:
    """Refuse a password that contains the product's name or the name of a province,
    accents and spaces left out ("isotrack2024", "LamDong@2024", "lam-dong-2024"): the
    first words anyone guessing a password of this office would try."""

    def _province_names(self):
        from provinces.models import Province

        names = set()
        for name, short_name in Province.objects.values_list("name", "short_name"):
            names |= {_letters(name), _letters(short_name)}
        return {name for name in names if len(name) >= SHORTEST_NAME}

    def validate(self, password, user=None):
        letters = _letters(password)
        if PRODUCT_NAME in letters:
            raise ValidationError(_("Mật khẩu không được chứa tên hệ thống “isotrack”."), code="password_product_name")
        found = sorted(name for name in self._province_names() if name in letters)
        if found:
            raise ValidationError(
                _(
                    "Mật khẩu không được chứa tên tỉnh, thành phố (“{name}”): đó là điều người đoán mật khẩu thử đầu "
                    "tiên."
                ).format(name=found[0]),
                code="password_province_name",
            )

    def get_help_text(self):
        return _("Mật khẩu không được chứa tên hệ thống hay tên tỉnh, thành phố, kể cả khi viết không dấu.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất {count} ký tự.").format(count=self.min_length)

    def get_help_text(self):
        return _("Mật khẩu có ít nhất {count} ký tự.").format(count=self.min_length)


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("Mật khẩu quá giống %(verbose_name)s của bạn.")

    def get_help_text(self):
        return _("Mật khẩu không được giống tên đăng nhập, họ tên hay địa chỉ e-mail của bạn.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu này quá phổ biến, dễ bị đoán ra.")

    def get_help_text(self):
        return _("Mật khẩu không được là một mật khẩu phổ biến.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")

    def get_help_text(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")
