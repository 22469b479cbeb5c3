"""Errors of the API as problem details (RFC 9457, `application/problem+json`).

Every refusal has the same shape, in the caller's language (Vietnamese unless the request
asks for English):

    {"type": "urn:isotrack:problem:validation", "title": "Dữ liệu không hợp lệ", "status": 400,
     "detail": "…", "instance": "/api/v1/steps/12/",
     "errors": [{"field": "done_on", "detail": "Ngày hoàn thành không được ở tương lai."}]}

`type` names the kind of problem (the README's API section lists them); `errors` lists what
was wrong with each field or query parameter (`field` is null for the request as a whole).
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response

from rollout.actions import StaleEdit

log = logging.getLogger("isotrack.api")

CONTENT_TYPE = "application/problem+json"

# code -> (HTTP status, title)
PROBLEMS = {
    "validation": (400, gettext_lazy("Dữ liệu không hợp lệ")),
    "parse-error": (400, gettext_lazy("Nội dung yêu cầu không đọc được")),
    "not-authenticated": (401, gettext_lazy("Chưa xác thực")),
    "authentication-failed": (401, gettext_lazy("Xác thực không thành công")),
    "permission-denied": (403, gettext_lazy("Không được phép")),
    "read-only-token": (403, gettext_lazy("Khóa API chỉ đọc")),
    "not-found": (404, gettext_lazy("Không tìm thấy")),
    "method-not-allowed": (405, gettext_lazy("Phương thức không được hỗ trợ")),
    "not-acceptable": (406, gettext_lazy("Không trả được định dạng yêu cầu")),
    "stale": (412, gettext_lazy("Bản ghi đã thay đổi")),
    "unsupported-media-type": (415, gettext_lazy("Định dạng nội dung không được hỗ trợ")),
    "idempotency-key-reused": (422, gettext_lazy("Khóa chống gửi trùng đã dùng cho yêu cầu khác")),
    "precondition-required": (428, gettext_lazy("Thiếu If-Match")),
    "throttled": (429, gettext_lazy("Quá nhiều yêu cầu")),
    "server-error": (500, gettext_lazy("Lỗi máy chủ")),
}

DETAILS = {
    "not-found": gettext_lazy("Không có đối tượng này, hoặc nó nằm ngoài phạm vi của bạn."),
    "not-authenticated": gettext_lazy("Gửi khóa API trong tiêu đề “Authorization: Bearer isk_…”."),
    "validation": gettext_lazy("Xem danh sách lỗi theo từng trường."),
    "server-error": gettext_lazy("Đã có lỗi phía máy chủ; yêu cầu không thay đổi dữ liệu nào. Hãy thử lại sau."),
}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy(
        'Thay đổi một bản ghi cần tiêu đề If-Match với ETag đọc được từ bản ghi đó (ví dụ If-Match: "3").'
    )
    default_code = "precondition-required"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = gettext_lazy(
        "Idempotency-Key này đã được dùng cho một yêu cầu khác; mỗi yêu cầu tạo mới cần một khóa riêng."
    )
    default_code = "idempotency-key-reused"


def problem(code, detail=None, *, request=None, errors=None, headers=None, **extra):
    """A problem-details Response of kind `code`."""
    status_code, title = PROBLEMS[code]
    body = {
        "type": f"urn:isotrack:problem:{code}",
        "title": str(title),
        "status": status_code,
        "detail": str(detail if detail is not None else DETAILS.get(code, title)),
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def field_errors(detail, field=None):
    """[{"field", "detail"}] from DRF's nested error details or a Django ValidationError."""
    if isinstance(detail, DjangoValidationError):
        if hasattr(detail, "error_dict"):
            return [
                {"field": None if name == "__all__" else name, "detail": str(message)}
                for name, errors in detail.error_dict.items()
                for error in errors
                for message in error.messages
            ]
        return [{"field": field, "detail": str(message)} for message in detail.messages]
    if isinstance(detail, dict):
        return [
            item
            for name, value in detail.items()
            for item in field_errors(
                value, None if name in ("non_field_errors", "__all__") else (f"{field}.{name}" if field else name)
            )
        ]
    if isinstance(detail, (list, tuple)):
        return [item for value in detail for item in field_errors(value, field)]
    return [{"field": field, "detail": str(detail)}]


def _summary(errors):
    return " ".join(error["detail"] for error in errors if error["field"] is None) or str(DETAILS["validation"])


CODES = [
    (exceptions.NotAuthenticated, "not-authenticated"),
    (exceptions.AuthenticationFailed, "authentication-failed"),
    (exceptions.MethodNotAllowed, "method-not-allowed"),
    (exceptions.NotAcceptable, "not-acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported-media-type"),
    (exceptions.ParseError, "parse-error"),
    (PreconditionRequired, "precondition-required"),
    (IdempotencyKeyReused, "idempotency-key-reused"),
]


def exception_handler(exc, context):
    """REST framework's EXCEPTION_HANDLER: every refusal as a problem."""
    request = context.get("request")
    if isinstance(exc, (Http404, exceptions.NotFound)):
        # What Django's 404 says names models and queries: only the API's own reasons are told.
        told = isinstance(exc, exceptions.NotFound) and str(exc.detail) != str(exceptions.NotFound.default_detail)
        return problem("not-found", exc.detail if told else None, request=request)
    if isinstance(exc, StaleEdit):
        current = exc.current.version
        return problem(
            "stale",
            _(
                "Bản ghi đã được người khác thay đổi sau khi bạn đọc nó: không có gì được lưu. "
                "Đọc lại bản ghi (phiên bản {version}) rồi gửi lại thay đổi."
            ).format(version=current),
            request=request,
            headers={"ETag": f'"{current}"'},
            current_version=current,
        )
    if isinstance(exc, DjangoValidationError):
        errors = field_errors(exc)
        return problem("validation", _summary(errors), request=request, errors=errors)
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        return problem("validation", _summary(errors), request=request, errors=errors)
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return problem(
            "throttled",
            _("Khóa API này đã dùng hết lượt cho phép; thử lại sau {seconds} giây.").format(seconds=wait),
            request=request,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.PermissionDenied):
        code = "read-only-token" if getattr(exc, "default_code", "") == "read_only_token" else "permission-denied"
        return problem(code, exc.detail, request=request)
    if isinstance(exc, DjangoPermissionDenied):
        return problem(
            "permission-denied",
            _("Vai trò của bạn không được thực hiện thay đổi này trên đối tượng này."),
            request=request,
        )
    for kind, code in CODES:
        if isinstance(exc, kind):
            headers = {}
            if getattr(exc, "auth_header", None):
                headers["WWW-Authenticate"] = exc.auth_header
            if isinstance(exc, exceptions.MethodNotAllowed) and context.get("view"):
                headers["Allow"] = ", ".join(context["view"].allowed_methods)
            return problem(code, exc.detail if code != "not-authenticated" else None, request=request, headers=headers)
    if isinstance(exc, exceptions.APIException):
        return problem("validation" if exc.status_code == 400 else "server-error", exc.detail, request=request)
    if settings.DEBUG:
        return None  # Django's debug page
    log.exception("API request failed: %s %s", getattr(request, "method", ""), getattr(request, "path", ""))
    return problem("server-error", request=request)


def not_found(request):
    """The 404 of a URL under /api/ that names no endpoint (isotrack.views.page_not_found)."""
    status_code, title = PROBLEMS["not-found"]
    return JsonResponse(
        {
            "type": "urn:isotrack:problem:not-found",
            "title": str(title),
            "status": status_code,
            "detail": str(DETAILS["not-found"]),
            "instance": request.path,
        },
        status=status.HTTP_404_NOT_FOUND,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
