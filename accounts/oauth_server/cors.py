"""CORS for the endpoints an in-browser MCP client calls directly (MCP Inspector, web
apps): registration, token and revocation. They take no cookies, so any origin may call
them; the consent page, which does use the session, gets no CORS at all."""

from functools import wraps

from django.http import HttpResponse

ALLOWED_HEADERS = "Authorization, Content-Type, MCP-Protocol-Version"


def public_cors(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    wrapped.csrf_exempt = True
    return wrapped
