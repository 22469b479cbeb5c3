"""What an uploaded evidence file is, read from its content, never from its name.

Accepted: PDF, images (JPEG, PNG, GIF, WebP), Word (.docx) and Excel (.xlsx) documents, up to
settings.EVIDENCE_MAX_BYTES. The first bytes say which (a PDF begins "%PDF-", a PNG with its
eight-byte signature, …); a .docx or .xlsx is a zip holding [Content_Types].xml and the main
part of its kind, without macros. The name's extension must agree with the content: a file
named .pdf that holds a picture, or anything else, is refused with the reason. Old Office
files (.doc, .xls) are refused too: they may carry macros that cannot be told from their
content safely; Word and Excel save any of them as .docx/.xlsx or PDF.
"""

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: tuple
    # Shown in the browser (a PDF, a picture) rather than saved (an Office document).
    inline: bool


KINDS = {
    kind.key: kind
    for kind in (
        Kind("pdf", gettext_lazy("PDF"), "application/pdf", (".pdf",), True),
        Kind("jpeg", gettext_lazy("ảnh JPEG"), "image/jpeg", (".jpg", ".jpeg"), True),
        Kind("png", gettext_lazy("ảnh PNG"), "image/png", (".png",), True),
        Kind("gif", gettext_lazy("ảnh GIF"), "image/gif", (".gif",), True),
        Kind("webp", gettext_lazy("ảnh WebP"), "image/webp", (".webp",), True),
        Kind(
            "docx",
            gettext_lazy("văn bản Word (.docx)"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            False,
        ),
        Kind(
            "xlsx",
            gettext_lazy("bảng tính Excel (.xlsx)"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            False,
        ),
    )
}
BY_EXTENSION = {extension: kind for kind in KINDS.values() for extension in kind.extensions}
# The <input accept=…> of the upload forms: a hint for the file picker, not a check.
ACCEPT = ",".join(BY_EXTENSION)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 (.doc, .xls, .ppt)
MACRO_MARKS = ("macroEnabled", "vbaProject")
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def megabytes(size):
    return "{:g}".format(round(size / 1024 / 1024, 1))


def limit_text():
    return _("PDF, ảnh (JPG, PNG, GIF, WebP), Word (.docx) hoặc Excel (.xlsx), tối đa {limit} MB.").format(
        limit=megabytes(settings.EVIDENCE_MAX_BYTES)
    )


def _ooxml_kind(fileobj):
    """ "docx" or "xlsx" for an Office Open XML zip without macros; None for any other zip."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if any(mark in content_types for mark in MACRO_MARKS) or any(n.endswith("vbaProject.bin") for n in names):
                raise ValidationError(
                    _("Tệp có macro không được nhận: lưu lại dạng .docx hoặc .xlsx không có macro, hoặc PDF.")
                )
            if sum(info.file_size for info in archive.infolist()) > settings.EVIDENCE_MAX_BYTES * 20:
                raise ValidationError(_("Tệp giải nén ra quá lớn: không phải một văn bản bình thường."))
            return next((kind for kind, part in OOXML_MAIN_PART.items() if part in names), None)
    except zipfile.BadZipFile:
        return None
    finally:
        fileobj.seek(0)


def content_kind(fileobj):
    """The key of KINDS the content of `fileobj` is, or None; "ole" for an Office 97-2003 file."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(OLE):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(fileobj)
    return None


def identify_upload(uploaded):
    """The Kind of an uploaded file (size, name and content checked), or ValidationError
    with a message saying what to do."""
    name = os.path.basename(uploaded.name or "")
    if uploaded.size == 0:
        raise ValidationError(_("Tệp “{name}” trống.").format(name=name))
    if uploaded.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("Tệp “{name}” lớn {size} MB, quá giới hạn {limit} MB.").format(
                name=name, size=megabytes(uploaded.size), limit=megabytes(settings.EVIDENCE_MAX_BYTES)
            )
        )
    extension = os.path.splitext(name)[1].lower()
    named = BY_EXTENSION.get(extension)
    found = content_kind(uploaded)
    if found == "ole" or extension in (".doc", ".xls"):
        raise ValidationError(
            _(
                "Tệp Word, Excel 97-2003 (.doc, .xls) không được nhận: mở bằng Word hoặc Excel, "
                "lưu lại dạng .docx, .xlsx hoặc PDF rồi tải lên."
            )
        )
    if named is None:
        raise ValidationError(
            _("Không nhận tệp “{name}”: chỉ nhận {accepted}").format(name=name, accepted=limit_text())
        )
    if found is None:
        raise ValidationError(
            _(
                "Tệp “{name}” mang đuôi {extension} nhưng nội dung không phải {kind}: tệp bị hỏng hoặc đã bị đổi tên."
            ).format(name=name, extension=extension, kind=named.label)
        )
    if found != named.key:
        raise ValidationError(
            _(
                "Tệp “{name}” mang đuôi {extension} nhưng nội dung là {found}: đổi lại đúng tên hoặc chọn đúng tệp."
            ).format(name=name, extension=extension, found=KINDS[found].label)
        )
    return named
