"""The OpenAPI schema (drf-spectacular) as the contract: the token scheme, and on every
operation the problems it can answer with, so that a client (and schemathesis in the tests)
can rely on every documented response and on no other."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json).",
    "properties": {
        "type": {"type": "string", "example": "urn:isotrack:problem:validation"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string", "nullable": True}, "detail": {"type": "string"}},
                "required": ["field", "detail"],
            },
        },
        "current_version": {"type": "integer"},
    },
    "required": ["type", "title", "status", "detail"],
}
REF = {"$ref": "#/components/schemas/Problem"}
ETAG = {"description": "Phiên bản của bản ghi, gửi lại trong If-Match để thay đổi nó.", "schema": {"type": "string"}}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "khoaApi"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "isk_<tiền tố>_<bí mật>",
            "description": _("Khóa API cá nhân, tạo tại /tai-khoan/api/."),
        }


def _problem(description):
    return {"description": description, "content": {"application/problem+json": {"schema": REF}}}


def add_problems(result, generator, request, public):
    """Every operation may answer 400, 401, 403, 404, 429 with a problem; writes also 412 and
    428 (If-Match) or 422 (Idempotency-Key); versioned records carry their ETag."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            common = {
                "400": _("Tham số hoặc nội dung không hợp lệ (lỗi theo từng trường)."),
                "401": _("Thiếu khóa API, hoặc khóa sai, đã thu hồi, hoặc tài khoản đã bị khóa."),
                "403": _("Vai trò của bạn, hoặc khóa chỉ đọc, không cho phép thay đổi này."),
                "404": _("Không có, hoặc nằm ngoài phạm vi của bạn."),
                "405": _("Phương thức không được hỗ trợ."),
                "406": _("Không trả được định dạng yêu cầu (chỉ JSON)."),
                "429": _("Quá số yêu cầu cho phép của khóa; chờ theo Retry-After."),
            }
            if method in ("post", "patch", "put"):
                common["415"] = _("Nội dung phải là JSON.")
            if "If-Match" in {p.get("name") for p in operation.get("parameters", [])}:
                common["412"] = _("Bản ghi đã thay đổi sau khi bạn đọc (If-Match đã cũ): không lưu gì.")
                common["428"] = _("Thiếu If-Match.")
            if "Idempotency-Key" in {p.get("name") for p in operation.get("parameters", [])}:
                common["422"] = _("Idempotency-Key đã dùng cho một yêu cầu khác.")
            for code, description in common.items():
                responses.setdefault(code, _problem(description))
            for code, response in responses.items():
                if code in ("200", "201") and "{id}" in path and _versioned(result, response):
                    response.setdefault("headers", {})["ETag"] = ETAG
    return result


def _versioned(result, response):
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    component = result["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return "version" in component.get("properties", {})
