"""A local, stateful and strict fake of Stripe (API version 2026-10-28.endive) that the
real `stripe` client talks to over HTTP, with no patching of the library:

    fake = FakeStripe(api_key="sk_test_hub", webhook_secret="whsec_test")
    with FakeStripeServer(fake):                      # 127.0.0.1, a free port
        price_id = fake.add_price(product_name="AST Training Hub Pro", unit_amount=2900)
        client = stripe.StripeClient("sk_test_hub", base_addresses={"api": fake.base_url})

API routes (`ROUTES`; each name is also the name `fail`/`slow` take):
    customers.create                POST   /v1/customers
    customers.retrieve              GET    /v1/customers/{id}
    products.retrieve               GET    /v1/products/{id}
    prices.retrieve                 GET    /v1/prices/{id}
    checkout.sessions.create        POST   /v1/checkout/sessions
    checkout.sessions.retrieve      GET    /v1/checkout/sessions/{id}
    billing_portal.sessions.create  POST   /v1/billing_portal/sessions
    subscriptions.list              GET    /v1/subscriptions
    subscriptions.retrieve          GET    /v1/subscriptions/{id}
    subscriptions.update            POST   /v1/subscriptions/{id}
    subscriptions.cancel            DELETE /v1/subscriptions/{id}
    invoices.list                   GET    /v1/invoices
    invoices.retrieve               GET    /v1/invoices/{id}
    events.retrieve                 GET    /v1/events/{id}

Enforced as Stripe does, answering Stripe's error object (`{"error": {type, code, param,
message, doc_url, request_log_url}}`) and a `Request-Id` header on every answer:
    - `Authorization: Bearer <key>` (or Basic) must be the fake's key: else 401.
    - `Stripe-Version` must be the version the fake speaks: else 400.
    - POST bodies must be application/x-www-form-urlencoded; brackets (`a[b][0][c]`,
      `expand[]`) decode into dicts and lists. Every parameter, nested ones included, is
      checked against the route's schema: unknown (`parameter_unknown`), missing
      (`parameter_missing`), empty (`parameter_invalid_empty`), bad integer / boolean /
      enum / URL / metadata. Parameters this API version has but the fake does not model
      are either accepted and ignored (cosmetic ones) or refused with a 400 that says so.
    - Idempotency-Key on POST: same key and body replays the stored answer
      (`Idempotent-Replayed: true`), a changed body or endpoint is an `idempotency_error`,
      a key still in flight is a 409. Answers that fail validation, and injected faults,
      are not stored (as Stripe stores only requests that began executing).
    - Unknown ids are 404 `resource_missing`; an unknown id inside the parameters is 400.
    - `expand[]` on retrieve/create/list (`data.` prefix on lists); a path that cannot be
      expanded is a 400. `line_items` can be expanded on a Checkout Session.
    - Lists are newest first, `limit` 1-100 (default 10), `starting_after`/`ending_before`.

Shapes of this API version: the billing period lives on subscription ITEMS
(`current_period_start/end`), not on the subscription; an invoice reaches its subscription
through `parent.subscription_details.subscription` and has no `paid` field; an invoice's
own `period_start/end` are the period that *ended* (equal to `created` on the first one),
its lines carry the service period; `canceled_at` is set when cancellation is requested.
Periods are fixed lengths: day 1, week 7, month 30, year 365 days (times interval_count).

Hosted pages (plain HTML forms, no JS):
    GET/POST /c/pay/{session}              Checkout ("Subscribe" button, #email, #cardNumber)
    GET      /p/session/{portal_session}   Customer Portal ("Cancel plan" / "Renew plan")
    POST     /p/session/{id}/cancel|renew  (hidden field `subscription`), 303 back
    GET      /i/{invoice}                  hosted invoice
Test cards: 4000000000000002 declined, 4000000000009995 insufficient funds,
4000000000000069 expired; any other number passing the Luhn check pays.

Faults: `fake.fail(route, status=500, times=1, should_retry=None)` answers the next
`times` calls with 429 (rate limit), 402 (card_error), 5xx (api_error), 409 (lock
timeout), 401/403/404/400; `should_retry` sets `Stripe-Should-Retry: true|false`.
`fake.slow(route, seconds)` delays answers (0 to stop). Bugs in the fake itself answer 500
with `Stripe-Should-Retry: false` and are kept in `fake.internal_errors`.

Helpers (what Stripe's pages, clock and card networks do): `add_price`, `advance`,
`complete_checkout` (raises CardDeclined), `cancel_at_period_end`, `end_period`,
`fail_renewal`, `pay_invoice`, `cancel_now`. State: `customers`, `products`, `prices`,
`subscriptions`, `invoices`, `checkout_sessions`, `portal_sessions`, `events` (id -> the
object as the API answers it), `requests` (StripeRequest records; `calls(route)` filters).

Events are POSTed, signed (`sign`, real time, so a 5-minute tolerance holds), to
`fake.webhook_url` in emission order from one delivery thread (`deliveries`,
`redeliver_failed`, `wait_for_deliveries`, `payload`); with `fake.hold_events = True` they
wait in `fake.pending_events` for `fake.deliver(id)`; with neither, they are only recorded.
The clock (`fake.now`) moves only by `advance`/`end_period`/`fail_renewal`; open Checkout
Sessions past `expires_at` then expire and emit `checkout.session.expired`.

Not modelled: Connect (`Stripe-Account`), price_data, discounts, prorations, payment
intents, customer updates, setup-mode details, test clocks.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import html
import itertools
import json
import queue
import re
import secrets
import socket
import string
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

API_VERSION = "2026-10-28.endive"
DOCS = "https://docs.stripe.com"
DAY = 86400
INTERVAL_SECONDS = {"day": DAY, "week": 7 * DAY, "month": 30 * DAY, "year": 365 * DAY}
CHECKOUT_TTL = DAY
IDEMPOTENCY_TTL = DAY
DECLINED_CARDS = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "4000000000000069": ("expired_card", None, "Your card has expired."),
}
SUBSCRIPTION_STATUSES = (
    "active",
    "canceled",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
)
_LOCALE_NAMES = (
    "auto bg cs da de el en en-AU en-CA en-GB en-IE en-IN en-NZ en-SG es es-419 et fi fil "
    "fr fr-CA hi-IN hr hu id it ja ko lt lv ms mt nb nl pl pt pt-BR ro ru sk sl sv th tr vi "
    "zh zh-HK zh-TW"
)
LOCALES = _LOCALE_NAMES.split()
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$", "jpy": "¥"}
_ALNUM = string.ascii_letters + string.digits


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


# -- errors -----------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer, shaped like Stripe's."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}
        self.extra = extra

    def body(self, request_id: str) -> dict:
        error: dict[str, Any] = {"message": self.message, "type": self.type}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"{DOCS}/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": error}


class CardDeclined(Exception):
    """What the hosted Checkout page shows for a test card that does not pay."""


def _missing(param: str) -> ApiError:
    return ApiError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def _no_such(kind: str, object_id: str, *, param: str = "id", status: int = 404) -> ApiError:
    return ApiError(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def _invalid(param: str, message: str, code: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=param)


def _join(name: str, key: str | int) -> str:
    return f"{name}[{key}]" if name else str(key)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# -- form decoding: Stripe's bracket nesting ----------------------------------------------

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def decode_params(pairs: list[tuple[str, str]]) -> dict:
    """`a[b][0][c]=1&expand[]=x` -> {"a": {"b": [{"c": "1"}]}, "expand": ["x"]}."""
    root: dict = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if not match:
            raise _invalid(key, f"Invalid parameter name: {key}")
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for depth, segment in enumerate(path):
            segment = segment or str(len(node))  # `[]` appends
            name = "".join([path[0], *(f"[{s}]" for s in path[1 : depth + 1])])
            if depth == len(path) - 1:
                if isinstance(node.get(segment), dict):
                    raise _invalid(name, f"Invalid object: {name} is both a value and a hash")
                node[segment] = value
            else:
                child = node.setdefault(segment, {})
                if not isinstance(child, dict):
                    raise _invalid(name, f"Invalid object: {name} is both a value and a hash")
                node = child
    return {
        key: _listify(value, key, key) if isinstance(value, dict) else value
        for key, value in root.items()
    }


def _listify(node: dict, name: str, key: str) -> Any:
    """Hashes indexed 0..n-1 become arrays (except metadata, whose keys are free)."""
    out = {
        child: _listify(value, _join(name, child), child) if isinstance(value, dict) else value
        for child, value in node.items()
    }
    if out and all(child.isdigit() for child in out) and key != "metadata":
        indices = sorted(int(key) for key in out)
        if indices != list(range(len(indices))):
            raise _invalid(name, "Invalid array")
        return [out[str(i)] for i in indices]
    return out


# -- parameter schemas --------------------------------------------------------------------


class Spec:
    """Accepts any value: a real parameter of this API version the fake ignores."""

    clearable = True

    def check(self, value: Any, name: str) -> Any:
        return value


ANY = Spec()


class NotModelled(Spec):
    """A real parameter of this API version whose effect the fake does not model."""

    def check(self, value: Any, name: str) -> Any:
        raise _invalid(name, f"FakeStripe does not model {name}; add it to tests/fakes/stripe.py.")


NOT_MODELLED = NotModelled()


class Str(Spec):
    def __init__(self, max_length: int = 5000, *, clearable: bool = False) -> None:
        self.max_length = max_length
        self.clearable = clearable

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, str):
            raise _invalid(name, f"Invalid string: {_show(value)}")
        if len(value) > self.max_length:
            raise _invalid(
                name,
                f"Invalid string: {value[:20]}...; must be at most {self.max_length} characters",
                "string_too_long",
            )
        return value


class Url(Str):
    def check(self, value: Any, name: str) -> Any:
        value = super().check(value, name)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _invalid(name, "Not a valid URL", "url_invalid")
        return value


class Email(Str):
    def check(self, value: Any, name: str) -> Any:
        value = super().check(value, name)
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise _invalid(name, f"Invalid email address: {value}", "email_invalid")
        return value


class Int(Spec):
    clearable = False

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def check(self, value: Any, name: str) -> Any:
        if not (isinstance(value, str) and re.fullmatch(r"-?\d+", value)):
            raise _invalid(name, f"Invalid integer: {_show(value)}", "parameter_invalid_integer")
        number = int(value)
        if self.minimum is not None and number < self.minimum:
            raise _invalid(
                name,
                f"This value must be greater than or equal to {self.minimum}.",
                "parameter_invalid_integer",
            )
        if self.maximum is not None and number > self.maximum:
            raise _invalid(
                name,
                f"This value must be less than or equal to {self.maximum}.",
                "parameter_invalid_integer",
            )
        return number


class Bool(Spec):
    clearable = False

    def check(self, value: Any, name: str) -> Any:
        if value not in ("true", "false"):
            raise _invalid(name, f"Invalid boolean: {_show(value)}")
        return value == "true"


class Enum(Spec):
    clearable = False

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def check(self, value: Any, name: str) -> Any:
        if value not in self.choices:
            options = ", ".join(self.choices[:-1]) + f", or {self.choices[-1]}"
            raise _invalid(name, f"Invalid {name}: must be one of {options}")
        return value


class Metadata(Spec):
    """String values; "" unsets a key, and metadata="" unsets them all."""

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, dict):
            raise _invalid(name, "Invalid object")
        if len(value) > 50:
            raise _invalid(name, "Invalid metadata: a maximum of 50 keys is allowed")
        for key, item in value.items():
            if len(key) > 40:
                raise _invalid(_join(name, key), "Metadata keys must be at most 40 characters")
            if not isinstance(item, str):
                raise _invalid(_join(name, key), f"Invalid string: {_show(item)}")
            if len(item) > 500:
                raise _invalid(_join(name, key), "Metadata values must be at most 500 characters")
        return value


METADATA = Metadata()


class Obj(Spec):
    clearable = False

    def __init__(self, fields: dict[str, Spec], required: tuple[str, ...] = ()) -> None:
        self.fields = fields
        self.required = required

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, dict):
            raise _invalid(name, "Invalid object")
        out = {}
        for key, item in value.items():
            spec = self.fields.get(key)
            child = _join(name, key)
            if spec is None:
                raise ApiError(
                    400,
                    f"Received unknown parameter: {child}",
                    code="parameter_unknown",
                    param=child,
                )
            if item == "":
                if not spec.clearable or key in self.required:
                    raise _invalid(
                        child,
                        f"You passed an empty string for '{child}'. We assume empty values are "
                        "an attempt to unset a parameter; however "
                        f"'{child}' cannot be unset. You should remove '{child}' from your "
                        "request or supply a non-empty value.",
                        "parameter_invalid_empty",
                    )
                out[key] = None
                continue
            out[key] = spec.check(item, child)
        for key in self.required:
            if out.get(key) is None:
                raise _missing(_join(name, key))
        return out


class List(Spec):
    clearable = True

    def __init__(self, of: Spec, max_items: int = 100) -> None:
        self.of = of
        self.max_items = max_items

    def check(self, value: Any, name: str) -> Any:
        if isinstance(value, dict) and not value:
            value = []
        if not isinstance(value, list):
            raise _invalid(name, "Invalid array")
        if len(value) > self.max_items:
            raise _invalid(name, f"Invalid array: at most {self.max_items} items are allowed")
        return [self.of.check(item, _join(name, i)) for i, item in enumerate(value)]


EXPAND = List(Str())
RETRIEVE = Obj({"expand": EXPAND})


def _accepting(names: str) -> dict[str, Spec]:
    """Real parameters, accepted and ignored (they change nothing the fake models)."""
    return dict.fromkeys(names.split(), ANY)


def _refusing(names: str) -> dict[str, Spec]:
    """Real parameters the fake refuses, since it would have to model their effect."""
    return dict.fromkeys(names.split(), NOT_MODELLED)


CUSTOMER_CREATE = Obj(
    {
        "email": Email(512, clearable=True),
        "name": Str(256, clearable=True),
        "description": Str(clearable=True),
        "phone": Str(20, clearable=True),
        "metadata": METADATA,
        "expand": EXPAND,
        **_accepting(
            "address business_name individual_name invoice_settings preferred_locales shipping "
            "tax tax_exempt tax_id_data validate"
        ),
        **_refusing(
            "balance cash_balance invoice_prefix next_invoice_sequence payment_method source "
            "test_clock"
        ),
    }
)

CHECKOUT_CREATE = Obj(
    {
        "mode": Enum("payment", "setup", "subscription"),
        "ui_mode": Enum("elements", "embedded_page", "form", "hosted_page"),
        "customer": Str(),
        "customer_email": Email(512),
        "client_reference_id": Str(200),
        "line_items": List(
            Obj(
                {
                    "price": Str(),
                    "quantity": Int(0, 999999),
                    "metadata": METADATA,
                    **_accepting("adjustable_quantity tax_rates"),
                    **_refusing("price_data"),
                }
            )
        ),
        "success_url": Url(),
        "cancel_url": Url(),
        "return_url": Url(),
        "subscription_data": Obj(
            {
                "metadata": METADATA,
                "trial_period_days": Int(1, 730),
                "description": Str(500),
                **_accepting("invoice_settings default_tax_rates proration_behavior"),
                **_refusing(
                    "application_fee_percent billing_cycle_anchor billing_cycle_anchor_config "
                    "billing_mode on_behalf_of pending_invoice_item_interval transfer_data "
                    "trial_end trial_settings"
                ),
            }
        ),
        "metadata": METADATA,
        "allow_promotion_codes": Bool(),
        "allowed_payment_method_types": List(Str()),
        "billing_address_collection": Enum("auto", "required"),
        "locale": Enum(*LOCALES),
        "expires_at": Int(),
        "expand": EXPAND,
        "automatic_tax": Obj({"enabled": Bool(), "liability": ANY}, required=("enabled",)),
        "customer_update": Obj(
            {
                "address": Enum("auto", "never"),
                "name": Enum("auto", "never"),
                "shipping": Enum("auto", "never"),
            }
        ),
        **_accepting(
            "adaptive_pricing after_expiration branding_settings consent_collection currency "
            "custom_fields custom_text customer_creation excluded_payment_method_types "
            "integration_identifier invoice_creation name_collection origin_context "
            "payment_intent_data payment_method_collection payment_method_configuration "
            "payment_method_data payment_method_options phone_number_collection "
            "redirect_on_completion saved_payment_method_options setup_intent_data "
            "shipping_address_collection submit_type tax_id_collection wallet_options"
        ),
        **_refusing(
            "customer_account discounts managed_payments optional_items permissions "
            "shipping_options"
        ),
    },
    required=("mode",),
)

PORTAL_CREATE = Obj(
    {
        "customer": Str(),
        "return_url": Url(),
        "configuration": Str(),
        "locale": Enum(*LOCALES),
        "expand": EXPAND,
        **_accepting("after_expiration"),
        **_refusing("customer_account flow_data on_behalf_of"),
    },
    required=("customer",),
)

_PAGING = {
    "limit": Int(1, 100),
    "starting_after": Str(),
    "ending_before": Str(),
    "expand": EXPAND,
}

SUBSCRIPTION_LIST = Obj(
    {
        "customer": Str(),
        "status": Enum(*SUBSCRIPTION_STATUSES, "all", "ended"),
        "price": Str(),
        **_PAGING,
        **_refusing(
            "automatic_tax collection_method created current_period_end current_period_start "
            "customer_account plan test_clock"
        ),
    }
)

SUBSCRIPTION_UPDATE = Obj(
    {
        "cancel_at_period_end": Bool(),
        "metadata": METADATA,
        "description": Str(500, clearable=True),
        "proration_behavior": Enum("always_invoice", "create_prorations", "none"),
        "expand": EXPAND,
        **_accepting("cancellation_details payment_settings invoice_settings"),
        **_refusing(
            "add_invoice_items application_fee_percent automatic_tax billing_cycle_anchor "
            "billing_schedules billing_thresholds cancel_at collection_method days_until_due "
            "default_payment_method default_source default_tax_rates discounts items off_session "
            "on_behalf_of pause_collection payment_behavior pending_invoice_item_interval "
            "proration_date transfer_data trial_end trial_from_plan trial_settings"
        ),
    }
)

SUBSCRIPTION_CANCEL = Obj(
    {"expand": EXPAND, **_accepting("cancellation_details"), **_refusing("invoice_now prorate")}
)

INVOICE_LIST = Obj(
    {
        "customer": Str(),
        "subscription": Str(),
        "status": Enum("draft", "open", "paid", "uncollectible", "void"),
        **_PAGING,
        **_refusing("collection_method created customer_account due_date"),
    }
)


# -- routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: str
    params: Obj
    answers: str  # the object type answered ("list:<type>" for lists), for expand[]


def _route(method: str, path: str, name: str, params: Obj, answers: str) -> Route:
    pattern = re.compile("^" + path.replace("{id}", "(?P<id>[^/]+)") + "$")
    return Route(method, pattern, name, "_api_" + name.replace(".", "_"), params, answers)


ROUTES: list[Route] = [
    _route("POST", "/v1/customers", "customers.create", CUSTOMER_CREATE, "customer"),
    _route("GET", "/v1/customers/{id}", "customers.retrieve", RETRIEVE, "customer"),
    _route("GET", "/v1/products/{id}", "products.retrieve", RETRIEVE, "product"),
    _route("GET", "/v1/prices/{id}", "prices.retrieve", RETRIEVE, "price"),
    _route(
        "POST",
        "/v1/checkout/sessions",
        "checkout.sessions.create",
        CHECKOUT_CREATE,
        "checkout.session",
    ),
    _route(
        "GET",
        "/v1/checkout/sessions/{id}",
        "checkout.sessions.retrieve",
        RETRIEVE,
        "checkout.session",
    ),
    _route(
        "POST",
        "/v1/billing_portal/sessions",
        "billing_portal.sessions.create",
        PORTAL_CREATE,
        "billing_portal.session",
    ),
    _route(
        "GET", "/v1/subscriptions", "subscriptions.list", SUBSCRIPTION_LIST, "list:subscription"
    ),
    _route("GET", "/v1/subscriptions/{id}", "subscriptions.retrieve", RETRIEVE, "subscription"),
    _route(
        "POST",
        "/v1/subscriptions/{id}",
        "subscriptions.update",
        SUBSCRIPTION_UPDATE,
        "subscription",
    ),
    _route(
        "DELETE",
        "/v1/subscriptions/{id}",
        "subscriptions.cancel",
        SUBSCRIPTION_CANCEL,
        "subscription",
    ),
    _route("GET", "/v1/invoices", "invoices.list", INVOICE_LIST, "list:invoice"),
    _route("GET", "/v1/invoices/{id}", "invoices.retrieve", RETRIEVE, "invoice"),
    _route("GET", "/v1/events/{id}", "events.retrieve", RETRIEVE, "event"),
]
ROUTE_NAMES = frozenset(route.name for route in ROUTES)

# Which fields (dotted paths) of which object type `expand[]` may replace, and by what.
# "line_items" on a Checkout Session is not an id but an includable list.
EXPANDABLE: dict[str, dict[str, str]] = {
    "checkout.session": {
        "customer": "customer",
        "subscription": "subscription",
        "invoice": "invoice",
        "line_items": "list:item",
    },
    "subscription": {"customer": "customer", "latest_invoice": "invoice"},
    "invoice": {
        "customer": "customer",
        "parent.subscription_details.subscription": "subscription",
    },
    "price": {"product": "product"},
    "plan": {"product": "product"},
    "product": {"default_price": "price"},
}
# Objects embedded (never ids) in others, which an expand path may pass through.
EMBEDDED: dict[str, dict[str, str]] = {
    "subscription": {"items": "list:subscription_item"},
    "subscription_item": {"price": "price", "plan": "plan"},
    "item": {"price": "price"},
    "invoice": {"lines": "list:line_item"},
}
COLLECTIONS = {
    "customer": "customers",
    "subscription": "subscriptions",
    "invoice": "invoices",
    "product": "products",
    "price": "prices",
}


def check_expand(kind: str, segments: list[str], full: str) -> None:
    """Refuse, before anything runs, an expand path that the answer's type cannot take."""
    if kind.startswith("list:"):
        if len(segments) < 2 or segments[0] != "data":
            raise _cannot_expand(full)
        return check_expand(kind[5:], segments[1:], full)
    for n in range(len(segments), 0, -1):
        target = EXPANDABLE.get(kind, {}).get(".".join(segments[:n]))
        if target is not None:
            return check_expand(target, segments[n:], full) if segments[n:] else None
    child = EMBEDDED.get(kind, {}).get(segments[0])
    if child is None or len(segments) < 2:
        raise _cannot_expand(full)
    return check_expand(child, segments[1:], full)


def _cannot_expand(full: str) -> ApiError:
    return ApiError(400, f"This property cannot be expanded ({full}).", param="expand")


# -- records ----------------------------------------------------------------------------------


@dataclass
class StripeRequest:
    """One API call as the fake saw it."""

    method: str
    path: str
    params: dict
    headers: dict[str, str]  # lower-case names
    route: str | None = None
    status: int | None = None
    request_id: str = ""


@dataclass
class HttpRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, **headers: str) -> HttpResponse:
        body = json.dumps(data, indent=2).encode()
        return cls(status, body, {"Content-Type": "application/json", **headers})

    @classmethod
    def html(cls, status: int, title: str, body: str) -> HttpResponse:
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"
        )
        return cls(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def see_other(cls, location: str) -> HttpResponse:
        return cls(303, b"", {"Location": location})


@dataclass
class _Call:
    params: dict
    id: str
    request_id: str
    idempotency_key: str | None


@dataclass
class _Fault:
    status: int
    should_retry: bool | None


@dataclass
class _Saved:
    fingerprint: str
    endpoint: str
    request_id: str
    created: int
    response: HttpResponse | None = None  # None while the first request is in flight


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # Stripe counts a 3xx as a failure
        return None


_WEBHOOK_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


# -- the fake --------------------------------------------------------------------------------


class FakeStripe:
    """Stripe's state for one test account: objects, events, idempotency keys, faults."""

    def __init__(
        self,
        *,
        api_key: str = "sk_test_hub",
        webhook_secret: str = "whsec_test",  # noqa: S107 (the fake's own test secret)
        webhook_url: str | None = None,
        api_version: str = API_VERSION,
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.api_version = api_version
        self.base_url = ""  # set by FakeStripeServer
        self.now = int(time.time())
        self.webhook_timeout = 10.0
        self.customers: dict[str, dict] = {}
        self.products: dict[str, dict] = {}
        self.prices: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.checkout_sessions: dict[str, dict] = {}
        self.portal_sessions: dict[str, dict] = {}
        self.events: dict[str, dict] = {}
        self.requests: list[StripeRequest] = []
        self.deliveries: list[dict] = []
        self.pending_events: list[str] = []
        self.hold_events = False
        self.internal_errors: list[str] = []
        self.portal_configuration = _new_id("bpc_")
        # checkout session id -> its line items, and its subscription_data
        self._lines: dict[str, list[dict]] = {}
        self._subscription_data: dict[str, dict] = {}
        self._payloads: dict[str, bytes] = {}
        self._seq: dict[str, int] = {}
        self._counter = itertools.count()
        self._idempotency: dict[str, _Saved] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._slow: dict[str, float] = {}
        self._failed: list[str] = []
        self._lock = threading.RLock()
        self._delivered = threading.Condition()
        self._outbox: queue.Queue[str | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- test controls: catalogue, clock, faults -------------------------------------------

    def add_price(
        self,
        *,
        product_name: str,
        unit_amount: int,
        currency: str = "usd",
        interval: str | None = "month",
        interval_count: int = 1,
        lookup_key: str | None = None,
    ) -> str:
        """A Price (recurring unless interval=None) of a Product with that name."""
        if interval is not None and interval not in INTERVAL_SECONDS:
            raise ValueError(f"interval must be one of {sorted(INTERVAL_SECONDS)} or None")
        with self._lock:
            product = next((p for p in self.products.values() if p["name"] == product_name), None)
            if product is None:
                product = {
                    "id": _new_id("prod_", 14),
                    "object": "product",
                    "active": True,
                    "created": self.now,
                    "default_price": None,
                    "description": None,
                    "images": [],
                    "livemode": False,
                    "marketing_features": [],
                    "metadata": {},
                    "name": product_name,
                    "package_dimensions": None,
                    "shippable": None,
                    "statement_descriptor": None,
                    "tax_code": None,
                    "unit_label": None,
                    "updated": self.now,
                    "url": None,
                }
                self._store(self.products, product)
            price = {
                "id": _new_id("price_"),
                "object": "price",
                "active": True,
                "billing_scheme": "per_unit",
                "created": self.now,
                "currency": currency.lower(),
                "custom_unit_amount": None,
                "livemode": False,
                "lookup_key": lookup_key,
                "metadata": {},
                "nickname": None,
                "product": product["id"],
                "recurring": None,
                "tax_behavior": "unspecified",
                "tiers_mode": None,
                "transform_quantity": None,
                "type": "one_time",
                "unit_amount": unit_amount,
                "unit_amount_decimal": str(unit_amount),
            }
            if interval is not None:
                price["type"] = "recurring"
                price["recurring"] = {
                    "interval": interval,
                    "interval_count": interval_count,
                    "meter": None,
                    "trial_period_days": None,
                    "usage_type": "licensed",
                }
            self._store(self.prices, price)
            if product["default_price"] is None:
                product["default_price"] = price["id"]
            return price["id"]

    def advance(self, seconds: int = 0, days: int = 0) -> int:
        """Move the fake's clock forward; open Checkout Sessions past their expiry expire."""
        step = int(seconds + days * DAY)
        if step < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self.now += step
            for session in self.checkout_sessions.values():
                if session["status"] == "open" and session["expires_at"] <= self.now:
                    session.update(status="expired", url=None)
                    self._emit("checkout.session.expired", session)
            return self.now

    def fail(
        self, route: str, status: int = 500, times: int = 1, should_retry: bool | None = None
    ) -> None:
        """Answer the next `times` calls to `route` with an error of that HTTP status."""
        if route not in ROUTE_NAMES:
            raise ValueError(f"unknown route {route!r}; one of {sorted(ROUTE_NAMES)}")
        if not 400 <= status <= 599:
            raise ValueError("a fault is an HTTP status from 400 to 599")
        with self._lock:
            self._faults.setdefault(route, []).extend([_Fault(status, should_retry)] * times)

    def slow(self, route: str, seconds: float) -> None:
        """Delay every answer on `route` by `seconds` (0 stops)."""
        if route not in ROUTE_NAMES:
            raise ValueError(f"unknown route {route!r}; one of {sorted(ROUTE_NAMES)}")
        self._slow[route] = seconds

    def calls(self, route: str) -> list[StripeRequest]:
        return [request for request in self.requests if request.route == route]

    # -- test controls: what Stripe's pages and billing engine do ---------------------------

    def complete_checkout(
        self, session_id: str, card: str = "4242424242424242", email: str | None = None
    ) -> str | None:
        """The hosted page's Pay button: returns the new subscription id (None unless
        mode=subscription). Raises CardDeclined for a declining test card."""
        with self._lock:
            session = self.checkout_sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"Checkout Session {session_id} is {session['status']}")
            _charge(card)
            customer_id = session["customer"]
            if customer_id is None:
                email = email or session["customer_email"]
                if not email:
                    raise ValueError("an email is needed when the session has no customer")
                customer_id = self._new_customer({"email": email})["id"]
            customer = self.customers[customer_id]
            subscription = invoice = None
            if session["mode"] == "subscription":
                subscription = self._new_subscription(customer_id, session_id)
                invoice = self._new_invoice(
                    subscription, "subscription_create", paid=True, period=(self.now, self.now)
                )
                subscription["latest_invoice"] = invoice["id"]
            payment_status = "paid"
            if session["mode"] == "setup" or (subscription and subscription["trial_end"]):
                payment_status = "no_payment_required"
            session.update(
                status="complete",
                payment_status=payment_status,
                customer=customer_id,
                subscription=subscription and subscription["id"],
                invoice=invoice and invoice["id"],
                url=None,
                customer_details={
                    "address": None,
                    "business_name": None,
                    "email": customer["email"],
                    "individual_name": None,
                    "name": customer["name"],
                    "phone": None,
                    "tax_exempt": "none",
                    "tax_ids": [],
                },
            )
            if subscription:
                self._emit("customer.subscription.created", subscription)
                self._emit("invoice.paid", invoice)
            self._emit("checkout.session.completed", session)
            return subscription and subscription["id"]

    def cancel_at_period_end(self, subscription_id: str, cancel: bool = True) -> None:
        """The portal's Cancel plan (cancel=True) / Renew plan (cancel=False) button."""
        with self._lock:
            subscription = self._live_subscription(subscription_id)
            before = copy.deepcopy(subscription)
            self._set_cancel_at_period_end(subscription, cancel)
            self._emit_updated(subscription, before)

    def end_period(self, subscription_id: str) -> str | None:
        """Move the clock to the period end; cancel (if asked) or renew with a paid invoice.
        Returns the renewal invoice id (None when the subscription ended)."""
        with self._lock:
            subscription = self._live_subscription(subscription_id)
            self.advance(max(0, _period_end(subscription) - self.now))
            before = copy.deepcopy(subscription)
            if subscription["cancel_at_period_end"]:
                subscription.update(status="canceled", ended_at=self.now)
                self._emit("customer.subscription.deleted", subscription, before)
                return None
            invoice = self._renew(subscription, paid=True)
            subscription["status"] = "active"
            self._emit("invoice.paid", invoice)
            self._emit_updated(subscription, before)
            return invoice["id"]

    def fail_renewal(self, subscription_id: str) -> str:
        """Move to the period end; the renewal's payment fails and the subscription is
        past_due with an open invoice. Returns that invoice's id."""
        with self._lock:
            subscription = self._live_subscription(subscription_id)
            self.advance(max(0, _period_end(subscription) - self.now))
            before = copy.deepcopy(subscription)
            invoice = self._renew(subscription, paid=False)
            subscription["status"] = "past_due"
            self._emit("invoice.payment_failed", invoice)
            self._emit_updated(subscription, before)
            return invoice["id"]

    def pay_invoice(self, subscription_id: str) -> str:
        """The latest open invoice of the subscription is paid; it is active again."""
        with self._lock:
            subscription = self._live_subscription(subscription_id)
            invoice = next(
                (
                    i
                    for i in self._newest_first(self.invoices)
                    if _invoice_subscription(i) == subscription_id and i["status"] == "open"
                ),
                None,
            )
            if invoice is None:
                raise ValueError(f"{subscription_id} has no open invoice")
            before = copy.deepcopy(subscription)
            invoice.update(
                status="paid",
                amount_paid=invoice["amount_due"],
                amount_remaining=0,
                attempt_count=invoice["attempt_count"] + 1,
                next_payment_attempt=None,
                auto_advance=False,
            )
            invoice["status_transitions"]["paid_at"] = self.now
            subscription["status"] = "active"
            self._emit("invoice.paid", invoice)
            self._emit_updated(subscription, before)
            return invoice["id"]

    def cancel_now(self, subscription_id: str) -> None:
        """Cancel at once (as the dashboard or dunning does)."""
        with self._lock:
            subscription = self._live_subscription(subscription_id)
            before = copy.deepcopy(subscription)
            self._cancel(subscription)
            self._emit("customer.subscription.deleted", subscription, before)

    # -- webhooks ------------------------------------------------------------------------------

    def sign(
        self, payload: bytes | str, timestamp: int | None = None, secret: str | None = None
    ) -> str:
        """The Stripe-Signature header for `payload`, as Stripe computes it."""
        if isinstance(payload, str):
            payload = payload.encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        key = (self.webhook_secret if secret is None else secret).encode()
        digest = hmac.new(key, f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def payload(self, event_id: str) -> bytes:
        """The exact body sent for that event."""
        return self._payloads[event_id]

    def deliver(self, event_id: str) -> int | None:
        """Send one event now (synchronously); returns the HTTP status (None: no answer)."""
        with self._lock:
            if event_id in self.pending_events:
                self.pending_events.remove(event_id)
        return self._send(event_id)

    def redeliver_failed(self) -> list[int | None]:
        """Send again, in order, every event whose last delivery failed."""
        with self._lock:
            failed, self._failed = self._failed, []
        return [self._send(event_id) for event_id in failed]

    def wait_for_deliveries(self, count: int, timeout: float = 10) -> list[dict]:
        """Block until `count` delivery attempts were made; returns the attempts."""
        with self._delivered:
            if not self._delivered.wait_for(lambda: len(self.deliveries) >= count, timeout):
                raise TimeoutError(
                    f"{len(self.deliveries)} of {count} webhook deliveries after {timeout}s: "
                    f"{self.deliveries}"
                )
            return list(self.deliveries)

    def start(self) -> None:
        """Start the delivery thread (FakeStripeServer does)."""
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._deliver_forever, daemon=True)
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            self._outbox.put(None)
            self._worker.join(timeout=self.webhook_timeout + 5)
        self._worker = None

    def _deliver_forever(self) -> None:
        while (event_id := self._outbox.get()) is not None:
            try:
                self._send(event_id)
            except Exception:
                self.internal_errors.append(traceback.format_exc())

    def _send(self, event_id: str) -> int | None:
        url = self.webhook_url
        if not url:
            raise RuntimeError("fake.webhook_url is not set")
        payload = self._payloads[event_id]
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": self.sign(payload),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Accept": "*/*; q=0.5, application/xml",
                "Cache-Control": "no-cache",
            },
        )
        status: int | None
        error = None
        try:
            with _WEBHOOK_OPENER.open(request, timeout=self.webhook_timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            status, error = None, str(exc)
        attempt = {
            "event_id": event_id,
            "type": self.events[event_id]["type"],
            "status": status,
            "at": time.time(),
            "error": error,
        }
        with self._lock:
            if status is None or not 200 <= status < 300:
                if event_id not in self._failed:
                    self._failed.append(event_id)
            elif event_id in self._failed:
                self._failed.remove(event_id)
        with self._delivered:
            self.deliveries.append(attempt)
            self._delivered.notify_all()
        return status

    def _emit(
        self,
        type_: str,
        obj: dict,
        before: dict | None = None,
        call: _Call | None = None,
    ) -> str:
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if type_.endswith(".updated") and before is not None:
            data["previous_attributes"] = _previous_attributes(before, obj)
        event = {
            "id": _new_id("evt_"),
            "object": "event",
            "api_version": self.api_version,
            "created": self.now,
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {
                "id": call.request_id if call else None,
                "idempotency_key": call.idempotency_key if call else None,
            },
            "type": type_,
        }
        self._store(self.events, event)
        self._payloads[event["id"]] = json.dumps(event, indent=2).encode()
        if self.hold_events:
            self.pending_events.append(event["id"])
        elif self.webhook_url:
            self._outbox.put(event["id"])
        return event["id"]

    def _emit_updated(self, subscription: dict, before: dict, call: _Call | None = None) -> None:
        if subscription != before:
            self._emit("customer.subscription.updated", subscription, before, call)

    # -- dispatch --------------------------------------------------------------------------------

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/v1/"):
            return self._api(request)
        return self._hosted_page(request)

    def _api(self, request: HttpRequest) -> HttpResponse:
        request_id = _new_id("req_", 14)
        record = StripeRequest(
            request.method,
            request.path,
            _lenient_params(request),
            request.headers,
            request_id=request_id,
        )
        self.requests.append(record)
        try:
            response = self._answer(request, record)
        except ApiError as error:
            response = _error_response(error, request_id)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            error = ApiError(
                500,
                "FakeStripe crashed; see fake.internal_errors.",
                type="api_error",
                headers={"Stripe-Should-Retry": "false"},
            )
            response = _error_response(error, request_id)
        response.headers.setdefault("Request-Id", request_id)
        response.headers["Stripe-Version"] = self.api_version
        record.status = response.status
        return response

    def _answer(self, request: HttpRequest, record: StripeRequest) -> HttpResponse:
        self._authenticate(request.headers)
        self._check_version(request.headers)
        route, object_id = _match(request.method, request.path)
        record.route = route.name
        params = _strict_params(request)
        record.params = params
        self._inject_fault(route.name)
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        if key:
            replay = self._idempotency_begin(key, request, params, record.request_id)
            if replay is not None:
                return replay
        try:
            if delay := self._slow.get(route.name):
                time.sleep(delay)
            with self._lock:
                clean = route.params.check(params, "")
            for path in clean.get("expand") or []:
                check_expand(route.answers, path.split("."), path)
        except BaseException:
            if key:
                self._idempotency_abort(key)
            raise
        call = _Call(clean, object_id, record.request_id, key)
        try:
            with self._lock:
                result = copy.deepcopy(getattr(self, route.handler)(call))
                for path in clean.get("expand") or []:
                    self._expand(result, path.split("."), path)
                response = HttpResponse.json(200, result)
        except ApiError as error:
            response = _error_response(error, record.request_id)
        except BaseException:
            if key:
                self._idempotency_abort(key)
            raise
        if key:
            response.headers["Idempotency-Key"] = key
            self._idempotency_store(key, response)
        return response

    def _authenticate(self, headers: dict[str, str]) -> None:
        header = headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                credential = base64.b64decode(credential).decode().partition(":")[0]
            except ValueError:
                credential = ""
        elif scheme.lower() != "bearer":
            credential = ""
        credential = credential.strip()
        if not credential:
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://docs.stripe.com/api#authentication for "
                "details, or we can help at https://support.stripe.com/.",
            )
        if not hmac.compare_digest(credential.encode(), self.api_key.encode()):
            if credential.startswith("pk_"):
                raise ApiError(
                    401,
                    "This API call cannot be made with a publishable API key. Please use a "
                    "secret API key. You can find a list of your API keys at "
                    "https://dashboard.stripe.com/account/apikeys.",
                )
            raise ApiError(401, f"Invalid API Key provided: {_mask(credential)}")
        if headers.get("stripe-account"):
            raise ApiError(400, "FakeStripe does not model Connect (Stripe-Account header).")

    def _check_version(self, headers: dict[str, str]) -> None:
        version = headers.get("stripe-version")
        if version == self.api_version:
            return
        if version is None:
            message = (
                "FakeStripe needs a Stripe-Version header: without one Stripe answers in the "
                f"account's default version. The fake speaks {self.api_version}."
            )
        elif not re.fullmatch(r"\d{4}-\d{2}-\d{2}(\.[a-z]+)?", version):
            message = f"Invalid Stripe API version: {version}"
        else:
            message = (
                f"FakeStripe speaks only API version {self.api_version}; the request asked "
                f"for {version}."
            )
        raise ApiError(400, message)

    def _inject_fault(self, route: str) -> None:
        with self._lock:
            faults = self._faults.get(route)
            fault = faults.pop(0) if faults else None
        if fault is not None:
            raise _fault_error(fault)

    # -- idempotency ---------------------------------------------------------------------------

    def _idempotency_begin(
        self, key: str, request: HttpRequest, params: dict, request_id: str
    ) -> HttpResponse | None:
        if len(key) > 255:
            raise _invalid("idempotency_key", "Idempotency keys must be at most 255 characters")
        endpoint = f"{request.method} {request.path}"
        fingerprint = hashlib.sha256(
            json.dumps([endpoint, params], sort_keys=True).encode()
        ).hexdigest()
        with self._lock:
            saved = self._idempotency.get(key)
            if saved is not None and saved.created + IDEMPOTENCY_TTL <= self.now:
                saved = None
            if saved is None:
                self._idempotency[key] = _Saved(fingerprint, endpoint, request_id, self.now)
                return None
        if saved.endpoint != endpoint:
            raise ApiError(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ('{saved.endpoint}' vs '{endpoint}'). Try using a key other "
                f"than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        if saved.fingerprint != fingerprint:
            raise ApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            )
        if saved.response is None:
            raise ApiError(
                409,
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                "going through): "
                f"{key}. Please try again later.",
                type="idempotency_error",
            )
        replay = copy.deepcopy(saved.response)
        replay.headers.update({"Idempotent-Replayed": "true", "Original-Request": saved.request_id})
        replay.headers.pop("Request-Id", None)
        return replay

    def _idempotency_abort(self, key: str) -> None:
        with self._lock:
            saved = self._idempotency.get(key)
            if saved is not None and saved.response is None:
                del self._idempotency[key]

    def _idempotency_store(self, key: str, response: HttpResponse) -> None:
        with self._lock:
            saved = self._idempotency.get(key)
            if saved is not None:
                saved.response = copy.deepcopy(response)

    # -- expand and lists ---------------------------------------------------------------------

    def _expand(self, obj: Any, segments: list[str], full: str) -> None:
        """Replace ids with objects along a path `check_expand` accepted."""
        if not isinstance(obj, dict):
            return  # None (nothing to expand) or already checked
        if obj.get("object") == "list":
            for item in obj["data"]:
                self._expand(item, segments[1:], full)
            return
        kind = obj.get("object", "")
        fields = EXPANDABLE.get(kind, {})
        for n in range(len(segments), 0, -1):
            target = fields.get(".".join(segments[:n]))
            if target is None:
                continue
            parent = obj
            for segment in segments[: n - 1]:
                parent = parent.get(segment) or {}
            leaf = segments[n - 1]
            if kind == "checkout.session" and leaf == "line_items":
                parent[leaf] = self._session_line_items(obj["id"])
            elif isinstance(parent.get(leaf), str):
                collection = getattr(self, COLLECTIONS[target])
                parent[leaf] = copy.deepcopy(collection[parent[leaf]])
            if segments[n:]:
                self._expand(parent.get(leaf), segments[n:], full)
            return
        self._expand(obj.get(segments[0]), segments[1:], full)

    def _store(self, collection: dict[str, dict], obj: dict) -> dict:
        collection[obj["id"]] = obj
        self._seq[obj["id"]] = next(self._counter)
        return obj

    def _newest_first(self, collection: dict[str, dict]) -> list[dict]:
        return sorted(collection.values(), key=lambda o: self._seq[o["id"]], reverse=True)

    def _list_page(self, items: list[dict], params: dict, url: str, kind: str) -> dict:
        limit = params.get("limit") or 10
        after, before = params.get("starting_after"), params.get("ending_before")
        if after and before:
            raise ApiError(
                400,
                "You may only specify one of these parameters: ending_before, starting_after.",
                code="parameters_exclusive",
            )
        cursor = after or before
        if cursor:
            if cursor not in self._seq:
                param = "starting_after" if after else "ending_before"
                raise _no_such(kind, cursor, param=param, status=400)
            mark = self._seq[cursor]
            if after:
                items = [o for o in items if self._seq[o["id"]] < mark]
                page, has_more = items[:limit], len(items) > limit
            else:
                items = [o for o in items if self._seq[o["id"]] > mark]
                page, has_more = items[-limit:], len(items) > limit
        else:
            page, has_more = items[:limit], len(items) > limit
        return {"object": "list", "data": page, "has_more": has_more, "url": url}

    # -- API handlers (each returns the object as the API answers it) -------------------------

    def _api_customers_create(self, call: _Call) -> dict:
        return self._new_customer(call.params)

    def _api_customers_retrieve(self, call: _Call) -> dict:
        return self._get(self.customers, "customer", call.id)

    def _api_products_retrieve(self, call: _Call) -> dict:
        return self._get(self.products, "product", call.id)

    def _api_prices_retrieve(self, call: _Call) -> dict:
        return self._get(self.prices, "price", call.id)

    def _api_events_retrieve(self, call: _Call) -> dict:
        return self._get(self.events, "event", call.id)

    def _api_checkout_sessions_retrieve(self, call: _Call) -> dict:
        return self._get(self.checkout_sessions, "checkout.session", call.id)

    def _api_checkout_sessions_create(self, call: _Call) -> dict:
        p = call.params
        mode = p["mode"]
        ui_mode = p.get("ui_mode") or "hosted_page"
        self._check_checkout_urls(p, ui_mode)
        if p.get("customer") and p.get("customer_email"):
            raise ApiError(
                400,
                "You may only specify one of these parameters: customer, customer_email.",
                code="parameters_exclusive",
                param="customer_email",
            )
        if p.get("customer") and p["customer"] not in self.customers:
            raise _no_such("customer", p["customer"], param="customer", status=400)
        if p.get("customer_update") and not p.get("customer"):
            raise _invalid("customer_update", "`customer_update` can only be used with `customer`.")
        if p.get("subscription_data") and mode != "subscription":
            raise _invalid(
                "subscription_data", "`subscription_data` can only be used in `subscription` mode."
            )
        lines = self._checkout_lines(p.get("line_items") or [], mode)
        expires_at = p.get("expires_at") or self.now + CHECKOUT_TTL
        if not self.now + 1800 <= expires_at <= self.now + CHECKOUT_TTL:
            raise _invalid(
                "expires_at",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
            )
        currency = lines[0]["currency"] if lines else p.get("currency")
        amount = sum(line["amount"] for line in lines)
        session_id = _new_id("cs_test_", 58)
        hosted = ui_mode == "hosted_page"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "allow_promotion_codes": p.get("allow_promotion_codes"),
            "allowed_payment_method_types": p.get("allowed_payment_method_types"),
            "amount_subtotal": amount,
            "amount_total": amount,
            "automatic_tax": {
                "enabled": bool((p.get("automatic_tax") or {}).get("enabled")),
                "liability": None,
                "provider": None,
                "status": None,
            },
            "billing_address_collection": p.get("billing_address_collection"),
            "cancel_url": p.get("cancel_url"),
            "client_reference_id": p.get("client_reference_id"),
            "client_secret": None if hosted else f"{session_id}_secret_{_new_id('', 24)}",
            "created": self.now,
            "currency": currency,
            "customer": p.get("customer"),
            "customer_creation": p.get("customer_creation")
            or ("if_required" if mode == "payment" and not p.get("customer") else None),
            "customer_details": None,
            "customer_email": p.get("customer_email"),
            "expires_at": expires_at,
            "invoice": None,
            "livemode": False,
            "locale": p.get("locale"),
            "metadata": _new_metadata(p.get("metadata")),
            "mode": mode,
            "payment_intent": None,
            "payment_link": None,
            "payment_method_collection": "always",
            "payment_method_types": p.get("allowed_payment_method_types") or ["card"],
            "payment_status": "no_payment_required" if mode == "setup" else "unpaid",
            "return_url": p.get("return_url"),
            "setup_intent": None,
            "status": "open",
            "submit_type": None,
            "subscription": None,
            "success_url": p.get("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": ui_mode,
            "url": f"{self.base_url}/c/pay/{session_id}" if hosted else None,
        }
        self._lines[session_id] = lines
        self._subscription_data[session_id] = p.get("subscription_data") or {}
        return self._store(self.checkout_sessions, session)

    def _check_checkout_urls(self, p: dict, ui_mode: str) -> None:
        if ui_mode == "hosted_page":
            if not p.get("success_url"):
                raise _missing("success_url")
            if p.get("return_url"):
                raise _invalid(
                    "return_url", "`return_url` is not allowed when `ui_mode` is `hosted_page`."
                )
        else:
            for name in ("success_url", "cancel_url"):
                if p.get(name):
                    raise _invalid(name, f"`{name}` is not allowed when `ui_mode` is `{ui_mode}`.")

    def _checkout_lines(self, items: list[dict], mode: str) -> list[dict]:
        if mode in ("payment", "subscription") and not items:
            raise _missing("line_items")
        if mode == "setup" and items:
            raise _invalid("line_items", "You cannot pass `line_items` in `setup` mode.")
        lines = []
        for index, item in enumerate(items):
            name = f"line_items[{index}]"
            if not item.get("price"):
                raise _missing(f"{name}[price]")
            price = self.prices.get(item["price"])
            if price is None:
                raise _no_such("price", item["price"], param=f"{name}[price]", status=400)
            if not price["active"]:
                raise _invalid(f"{name}[price]", f"The price specified is inactive: {price['id']}")
            if item.get("quantity") is None:
                raise _invalid(
                    f"{name}[quantity]",
                    f"Quantity is required. Add `quantity` to `{name}`",
                    "parameter_missing",
                )
            if mode == "payment" and price["type"] == "recurring":
                raise _invalid(
                    f"{name}[price]",
                    "You specified `payment` mode but passed a recurring price. Either switch "
                    "to `subscription` mode or use only one-time prices.",
                )
            if lines and price["currency"] != lines[0]["currency"]:
                raise _invalid(f"{name}[price]", "All prices must be in the same currency.")
            lines.append(
                {
                    "price": price["id"],
                    "quantity": item["quantity"],
                    "currency": price["currency"],
                    "amount": price["unit_amount"] * item["quantity"],
                }
            )
        if mode == "subscription" and not any(
            self.prices[line["price"]]["type"] == "recurring" for line in lines
        ):
            raise _invalid(
                "line_items",
                "You must provide at least one recurring price in `subscription` mode when "
                "using prices.",
            )
        return lines

    def _api_billing_portal_sessions_create(self, call: _Call) -> dict:
        p = call.params
        if p["customer"] not in self.customers:
            raise _no_such("customer", p["customer"], param="customer", status=400)
        configuration = p.get("configuration") or self.portal_configuration
        if configuration != self.portal_configuration:
            raise _no_such("configuration", configuration, param="configuration", status=400)
        session_id = _new_id("bps_")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": configuration,
            "created": self.now,
            "customer": p["customer"],
            "flow": None,
            "livemode": False,
            "locale": p.get("locale"),
            "on_behalf_of": None,
            "return_url": p.get("return_url"),
            "url": f"{self.base_url}/p/session/{session_id}",
        }
        return self._store(self.portal_sessions, session)

    def _api_subscriptions_retrieve(self, call: _Call) -> dict:
        return self._get(self.subscriptions, "subscription", call.id)

    def _api_subscriptions_list(self, call: _Call) -> dict:
        p = call.params
        status = p.get("status")

        def wanted(sub: dict) -> bool:
            if p.get("customer") and sub["customer"] != p["customer"]:
                return False
            prices = {item["price"]["id"] for item in sub["items"]["data"]}
            if p.get("price") and p["price"] not in prices:
                return False
            if status is None:
                return sub["status"] not in ("canceled", "incomplete_expired")
            if status == "ended":
                return sub["status"] in ("canceled", "incomplete_expired")
            return status == "all" or sub["status"] == status

        items = [s for s in self._newest_first(self.subscriptions) if wanted(s)]
        return self._list_page(items, p, "/v1/subscriptions", "subscription")

    def _api_subscriptions_update(self, call: _Call) -> dict:
        p = call.params
        subscription = self._get(self.subscriptions, "subscription", call.id)
        refused = sorted(set(p) - {"metadata", "cancellation_details", "expand"})
        if subscription["status"] in ("canceled", "incomplete_expired") and refused:
            raise _invalid(
                refused[0],
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        before = copy.deepcopy(subscription)
        if p.get("cancel_at_period_end") is not None:
            self._set_cancel_at_period_end(subscription, p["cancel_at_period_end"])
        if "metadata" in p:
            subscription["metadata"] = _merge_metadata(subscription["metadata"], p["metadata"])
        if "description" in p:
            subscription["description"] = p["description"]
        self._emit_updated(subscription, before, call)
        return subscription

    def _api_subscriptions_cancel(self, call: _Call) -> dict:
        subscription = self._get(self.subscriptions, "subscription", call.id)
        if subscription["status"] == "canceled":
            raise _invalid("id", f"This subscription has already been canceled: {call.id}")
        before = copy.deepcopy(subscription)
        self._cancel(subscription)
        self._emit("customer.subscription.deleted", subscription, before, call)
        return subscription

    def _api_invoices_retrieve(self, call: _Call) -> dict:
        return self._get(self.invoices, "invoice", call.id)

    def _api_invoices_list(self, call: _Call) -> dict:
        p = call.params
        items = [
            invoice
            for invoice in self._newest_first(self.invoices)
            if (not p.get("customer") or invoice["customer"] == p["customer"])
            and (not p.get("subscription") or _invoice_subscription(invoice) == p["subscription"])
            and (not p.get("status") or invoice["status"] == p["status"])
        ]
        return self._list_page(items, p, "/v1/invoices", "invoice")

    # -- objects and billing engine ------------------------------------------------------------

    def _get(self, collection: dict[str, dict], kind: str, object_id: str) -> dict:
        obj = collection.get(object_id)
        if obj is None:
            raise _no_such(kind, object_id)
        return obj

    def _live_subscription(self, subscription_id: str) -> dict:
        subscription = self.subscriptions[subscription_id]
        if subscription["status"] == "canceled":
            raise ValueError(f"{subscription_id} is canceled")
        return subscription

    def _new_customer(self, p: dict) -> dict:
        customer = {
            "id": _new_id("cus_", 14),
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": self.now,
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": p.get("description"),
            "discount": None,
            "email": p.get("email"),
            "invoice_prefix": "".join(secrets.choice(string.ascii_uppercase) for _ in range(8)),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": _new_metadata(p.get("metadata")),
            "name": p.get("name"),
            "next_invoice_sequence": 1,
            "phone": p.get("phone"),
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
        return self._store(self.customers, customer)

    def _new_subscription(self, customer_id: str, session_id: str) -> dict:
        data = self._subscription_data.get(session_id, {})
        subscription_id = _new_id("sub_")
        trial_days = data.get("trial_period_days")
        trial_end = self.now + trial_days * DAY if trial_days else None
        items = []
        for line in self._lines[session_id]:
            price = self.prices[line["price"]]
            if price["type"] != "recurring":
                continue
            items.append(
                {
                    "id": _new_id("si_", 14),
                    "object": "subscription_item",
                    "created": self.now,
                    "current_period_end": trial_end or self.now + _interval(price),
                    "current_period_start": self.now,
                    "discounts": [],
                    "metadata": {},
                    "plan": _plan(price),
                    "price": copy.deepcopy(price),
                    "quantity": line["quantity"],
                    "subscription": subscription_id,
                    "tax_rates": [],
                }
            )
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "application": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": trial_end or self.now,
            "cancel_at": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": self.now,
            "currency": items[0]["price"]["currency"],
            "customer": customer_id,
            "days_until_due": None,
            "default_payment_method": None,
            "description": data.get("description"),
            "discounts": [],
            "ended_at": None,
            "items": {
                "object": "list",
                "data": items,
                "has_more": False,
                "total_count": len(items),
                "url": f"/v1/subscription_items?subscription={subscription_id}",
            },
            "latest_invoice": None,
            "livemode": False,
            "metadata": _new_metadata(data.get("metadata")),
            "pause_collection": None,
            "pending_update": None,
            "schedule": None,
            "start_date": self.now,
            "status": "trialing" if trial_end else "active",
            "test_clock": None,
            "trial_end": trial_end,
            "trial_start": self.now if trial_end else None,
        }
        return self._store(self.subscriptions, subscription)

    def _new_invoice(
        self, subscription: dict, reason: str, *, paid: bool, period: tuple[int, int]
    ) -> dict:
        customer = self.customers[subscription["customer"]]
        invoice_id = _new_id("in_")
        trialing = subscription["status"] == "trialing"
        lines = []
        for item in subscription["items"]["data"]:
            price = item["price"]
            amount = 0 if trialing else price["unit_amount"] * item["quantity"]
            product = self.products[price["product"]]["name"]
            lines.append(
                {
                    "id": _new_id("il_"),
                    "object": "line_item",
                    "amount": amount,
                    "currency": price["currency"],
                    "description": f"{item['quantity']} × {product} "
                    f"(at {_money(price['unit_amount'], price['currency'])} / "
                    f"{price['recurring']['interval']})",
                    "invoice": invoice_id,
                    "livemode": False,
                    "metadata": {},
                    "parent": {
                        "type": "subscription_item_details",
                        "subscription_item_details": {
                            "subscription": subscription["id"],
                            "subscription_item": item["id"],
                            "proration": False,
                        },
                    },
                    "period": {
                        "start": item["current_period_start"],
                        "end": item["current_period_end"],
                    },
                    "pricing": {
                        "type": "price_details",
                        "price_details": {"price": price["id"], "product": price["product"]},
                        "unit_amount_decimal": price["unit_amount_decimal"],
                    },
                    "quantity": item["quantity"],
                }
            )
        amount_due = sum(line["amount"] for line in lines)
        sequence = customer["next_invoice_sequence"]
        customer["next_invoice_sequence"] = sequence + 1
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "account_country": "US",
            "amount_due": amount_due,
            "amount_paid": amount_due if paid else 0,
            "amount_remaining": 0 if paid else amount_due,
            "attempt_count": 1 if amount_due else 0,
            "attempted": True,
            "auto_advance": not paid,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": self.now,
            "currency": subscription["currency"],
            "customer": customer["id"],
            "customer_email": customer["email"],
            "customer_name": customer["name"],
            "description": None,
            "due_date": None,
            "hosted_invoice_url": f"{self.base_url}/i/{invoice_id}",
            "invoice_pdf": None,
            "lines": {
                "object": "list",
                "data": lines,
                "has_more": False,
                "total_count": len(lines),
                "url": f"/v1/invoices/{invoice_id}/lines",
            },
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None if paid else self.now + 3 * DAY,
            "number": f"{customer['invoice_prefix']}-{sequence:04d}",
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": copy.deepcopy(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
            },
            "period_end": period[1],
            "period_start": period[0],
            "status": "paid" if paid else "open",
            "status_transitions": {
                "finalized_at": self.now,
                "marked_uncollectible_at": None,
                "paid_at": self.now if paid else None,
                "voided_at": None,
            },
            "subtotal": amount_due,
            "total": amount_due,
        }
        return self._store(self.invoices, invoice)

    def _renew(self, subscription: dict, *, paid: bool) -> dict:
        """Start the next period on every item, with its invoice."""
        period = (subscription["items"]["data"][0]["current_period_start"], self.now)
        if subscription["status"] == "trialing":
            subscription["status"] = "active"
        for item in subscription["items"]["data"]:
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] = item["current_period_start"] + _interval(item["price"])
        invoice = self._new_invoice(subscription, "subscription_cycle", paid=paid, period=period)
        subscription["latest_invoice"] = invoice["id"]
        return invoice

    def _set_cancel_at_period_end(self, subscription: dict, cancel: bool) -> None:
        subscription.update(
            cancel_at_period_end=cancel,
            cancel_at=_period_end(subscription) if cancel else None,
            canceled_at=self.now if cancel else None,
            cancellation_details={
                "comment": None,
                "feedback": None,
                "reason": "cancellation_requested" if cancel else None,
            },
        )

    def _cancel(self, subscription: dict) -> None:
        subscription.update(status="canceled", canceled_at=self.now, ended_at=self.now)
        subscription["cancellation_details"]["reason"] = "cancellation_requested"

    def _session_line_items(self, session_id: str) -> dict:
        data = []
        for line in self._lines.get(session_id, []):
            price = self.prices[line["price"]]
            data.append(
                {
                    "id": _new_id("li_"),
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": line["amount"],
                    "amount_tax": 0,
                    "amount_total": line["amount"],
                    "currency": line["currency"],
                    "description": self.products[price["product"]]["name"],
                    "price": copy.deepcopy(price),
                    "quantity": line["quantity"],
                }
            )
        return {
            "object": "list",
            "data": data,
            "has_more": False,
            "url": f"/v1/checkout/sessions/{session_id}/line_items",
        }

    # -- hosted pages ---------------------------------------------------------------------------

    def _hosted_page(self, request: HttpRequest) -> HttpResponse:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        for method, pattern, handler in PAGE_ROUTES:
            match = pattern.match(request.path)
            if match and request.method == method:
                with self._lock:
                    return getattr(self, handler)(unquote(match.group("id")), form)
        return HttpResponse.html(404, "Not found", "<h1>Something went wrong</h1>")

    def _checkout_page(self, session_id: str, form: dict, error: str = "") -> HttpResponse:
        session = self.checkout_sessions.get(session_id)
        if session is None:
            return HttpResponse.html(404, "Not found", "<h1>This page could not be found</h1>")
        lines = self._lines.get(session_id, [])
        products = [self.products[self.prices[line["price"]]["product"]]["name"] for line in lines]
        product = products[0] if products else "your account"
        verb = {"subscription": "Subscribe", "payment": "Pay", "setup": "Save"}[session["mode"]]
        title = f"{'Subscribe to' if verb == 'Subscribe' else verb} {product}"
        if session["status"] != "open":
            message = {
                "complete": "This checkout session is already complete.",
                "expired": "This checkout session has expired.",
            }[session["status"]]
            return HttpResponse.html(200, title, f"<h1>{html.escape(message)}</h1>")
        prices = "".join(
            f'<li class="price">{html.escape(name)} × {line["quantity"]}: '
            f"{html.escape(_price_text(self.prices[line['price']]))}</li>"
            for name, line in zip(products, lines, strict=True)
        )
        trial = self._subscription_data.get(session_id, {}).get("trial_period_days")
        trial_text = f'<p id="trial">{trial} days free</p>' if trial else ""
        first_price = _price_text(self.prices[lines[0]["price"]]) if lines else ""
        email = form.get("email") or session["customer_email"] or ""
        readonly = ""
        if session["customer"]:
            email, readonly = self.customers[session["customer"]]["email"] or "", " readonly"
        back = (
            f'<a id="back" href="{html.escape(session["cancel_url"])}">Back</a>'
            if session["cancel_url"]
            else ""
        )
        alert = f'<p id="error" role="alert">{html.escape(error)}</p>' if error else ""
        body = (
            f"{back}<h1>{html.escape(title)}</h1>"
            f'<p id="price">{html.escape(first_price)}</p>{trial_text}<ul>{prices}</ul>{alert}'
            f'<form method="post" action="/c/pay/{html.escape(session_id)}">'
            f'<label for="email">Email</label> <input id="email" name="email" type="email" '
            f'value="{html.escape(email)}" required{readonly}> '
            '<label for="cardNumber">Card number</label> <input id="cardNumber" '
            'name="cardNumber" inputmode="numeric" autocomplete="cc-number" '
            'placeholder="1234 1234 1234 1234" required> '
            f'<button type="submit" id="submit">{verb}</button></form>'
        )
        return HttpResponse.html(200, title, body)

    def _checkout_page_get(self, session_id: str, form: dict) -> HttpResponse:
        return self._checkout_page(session_id, form)

    def _checkout_page_pay(self, session_id: str, form: dict) -> HttpResponse:
        session = self.checkout_sessions.get(session_id)
        if session is None or session["status"] != "open":
            return self._checkout_page(session_id, form)
        email = form.get("email", "").strip()
        if not session["customer"] and "@" not in email:
            return self._checkout_page(session_id, form, "Your email address is invalid.")
        try:
            self.complete_checkout(session_id, card=form.get("cardNumber", ""), email=email)
        except CardDeclined as declined:
            return self._checkout_page(session_id, form, str(declined))
        target = session["success_url"] or session["return_url"] or self.base_url
        return HttpResponse.see_other(target.replace("{CHECKOUT_SESSION_ID}", session_id))

    def _portal_page(self, portal_id: str, form: dict) -> HttpResponse:
        portal = self.portal_sessions.get(portal_id)
        if portal is None:
            return HttpResponse.html(404, "Not found", "<h1>This page could not be found</h1>")
        customer = self.customers[portal["customer"]]
        rows = []
        for sub in self._newest_first(self.subscriptions):
            if sub["customer"] != customer["id"]:
                continue
            item = sub["items"]["data"][0]
            product = self.products[item["price"]["product"]]["name"]
            if sub["status"] == "canceled":
                when, action = f"Canceled on {_date(sub['ended_at'])}", ""
            elif sub["cancel_at_period_end"]:
                when, action = f"Cancels on {_date(sub['cancel_at'])}", "renew"
            else:
                when, action = f"Renews on {_date(_period_end(sub))}", "cancel"
            button = ""
            if action:
                button = (
                    f'<form method="post" action="/p/session/{html.escape(portal_id)}/{action}">'
                    f'<input type="hidden" name="subscription" value="{sub["id"]}">'
                    f'<button type="submit">{action.capitalize()} plan</button></form>'
                )
            rows.append(
                f'<section class="subscription" data-id="{sub["id"]}">'
                f"<h3>{html.escape(product)}</h3>"
                f'<p class="price">{html.escape(_price_text(item["price"]))}</p>'
                f'<p class="status">{sub["status"]}</p><p class="period">{when}</p>{button}'
                "</section>"
            )
        invoices = "".join(
            f"<tr><td>{_date(i['created'])}</td>"
            f"<td>{html.escape(_money(i['amount_due'], i['currency']))}</td>"
            f'<td>{i["status"]}</td><td><a href="{html.escape(i["hosted_invoice_url"])}">'
            f"{i['number']}</a></td></tr>"
            for i in self._newest_first(self.invoices)
            if i["customer"] == customer["id"]
        )
        back = ""
        if portal["return_url"]:
            host = urlsplit(portal["return_url"]).netloc
            back = (
                f'<a id="return" href="{html.escape(portal["return_url"])}">'
                f"Return to {html.escape(host)}</a>"
            )
        body = (
            f"{back}<h1>Manage your subscription</h1>"
            f"<p>{html.escape(customer['email'] or '')}</p>"
            f'<div id="subscriptions">{"".join(rows) or "<p>No subscriptions</p>"}</div>'
            f'<h2>Invoice history</h2><table id="invoices">{invoices}</table>'
        )
        return HttpResponse.html(200, "Manage your subscription", body)

    def _portal_action(self, portal_id: str, form: dict, cancel: bool) -> HttpResponse:
        portal = self.portal_sessions.get(portal_id)
        sub = self.subscriptions.get(form.get("subscription", ""))
        if portal is None or sub is None or sub["customer"] != portal["customer"]:
            return HttpResponse.html(404, "Not found", "<h1>This page could not be found</h1>")
        if sub["status"] != "canceled":
            self.cancel_at_period_end(sub["id"], cancel=cancel)
        return HttpResponse.see_other(f"/p/session/{portal_id}")

    def _portal_cancel(self, portal_id: str, form: dict) -> HttpResponse:
        return self._portal_action(portal_id, form, cancel=True)

    def _portal_renew(self, portal_id: str, form: dict) -> HttpResponse:
        return self._portal_action(portal_id, form, cancel=False)

    def _invoice_page(self, invoice_id: str, form: dict) -> HttpResponse:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            return HttpResponse.html(404, "Not found", "<h1>This page could not be found</h1>")
        body = (
            f"<h1>Invoice {invoice['number']}</h1>"
            f'<p id="amount">{html.escape(_money(invoice["amount_due"], invoice["currency"]))}</p>'
            f'<p id="status">{invoice["status"]}</p>'
        )
        return HttpResponse.html(200, f"Invoice {invoice['number']}", body)


PAGE_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/c/pay/(?P<id>[^/]+)$"), "_checkout_page_get"),
    ("POST", re.compile(r"^/c/pay/(?P<id>[^/]+)$"), "_checkout_page_pay"),
    ("GET", re.compile(r"^/p/session/(?P<id>[^/]+)$"), "_portal_page"),
    ("POST", re.compile(r"^/p/session/(?P<id>[^/]+)/cancel$"), "_portal_cancel"),
    ("POST", re.compile(r"^/p/session/(?P<id>[^/]+)/renew$"), "_portal_renew"),
    ("GET", re.compile(r"^/i/(?P<id>[^/]+)$"), "_invoice_page"),
]


# -- small pure helpers ----------------------------------------------------------------------


def _match(method: str, path: str) -> tuple[Route, str]:
    for route in ROUTES:
        match = route.pattern.match(path)
        if match and route.method == method:
            return route, unquote(match.groupdict().get("id") or "")
    raise ApiError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://docs.stripe.com or "
        "we can help at https://support.stripe.com/.",
    )


def _lenient_params(request: HttpRequest) -> dict:
    try:
        return _strict_params(request)
    except (ApiError, UnicodeDecodeError):
        return {}


def _strict_params(request: HttpRequest) -> dict:
    pairs = parse_qsl(request.query, keep_blank_values=True)
    if request.method == "POST" and request.body:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            raise ApiError(
                400,
                f"Invalid request: unsupported Content-Type {content_type}. If error persists "
                "and you need assistance, please contact support@stripe.com.",
            )
        try:
            pairs += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise ApiError(400, "Invalid request: the body is not UTF-8.") from exc
    return decode_params(pairs)


def _error_response(error: ApiError, request_id: str) -> HttpResponse:
    return HttpResponse.json(error.status, error.body(request_id), **error.headers)


def _fault_error(fault: _Fault) -> ApiError:
    headers = {}
    if fault.should_retry is not None:
        headers["Stripe-Should-Retry"] = "true" if fault.should_retry else "false"
    status = fault.status
    if status == 429:
        return ApiError(
            429,
            "Request rate limit exceeded. Learn more about rate limits here "
            "https://docs.stripe.com/rate-limits.",
            code="rate_limit",
            headers=headers,
        )
    if status == 402:
        return ApiError(
            402,
            "Your card was declined.",
            type="card_error",
            code="card_declined",
            headers=headers,
            decline_code="generic_decline",
        )
    if status >= 500:
        return ApiError(
            status,
            "An unknown error occurred (a fault injected by FakeStripe.fail).",
            type="api_error",
            headers=headers,
        )
    messages = {
        401: ("Invalid API Key provided: sk_test_****", None),
        403: ("The provided key does not have the required permissions for this endpoint.", None),
        404: ("No such object: injected by FakeStripe.fail", "resource_missing"),
        409: (
            "This object cannot be accessed right now because another API request or Stripe "
            "process is currently accessing it. If you see this error intermittently, retry "
            "the request.",
            "lock_timeout",
        ),
    }
    message, code = messages.get(status, ("Injected fault (FakeStripe.fail).", None))
    return ApiError(status, message, code=code, headers=headers)


def _mask(key: str) -> str:
    match = re.match(r"^((?:sk|rk|pk)_(?:test|live)_)", key)
    prefix = match.group(1) if match else ""
    rest = key[len(prefix) :]
    return prefix + "*" * max(len(rest) - 4, 0) + rest[-4:]


def _charge(card: str) -> None:
    number = re.sub(r"[\s-]", "", card)
    if number in DECLINED_CARDS:
        raise CardDeclined(DECLINED_CARDS[number][2])
    if not (number.isdigit() and 12 <= len(number) <= 19 and _luhn(number)):
        raise CardDeclined("Your card number is invalid.")


def _luhn(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _interval(price: dict) -> int:
    recurring = price["recurring"]
    return INTERVAL_SECONDS[recurring["interval"]] * recurring["interval_count"]


def _period_end(subscription: dict) -> int:
    return max(item["current_period_end"] for item in subscription["items"]["data"])


def _invoice_subscription(invoice: dict) -> str | None:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription")


def _plan(price: dict) -> dict:
    recurring = price["recurring"]
    return {
        "id": price["id"],
        "object": "plan",
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price["created"],
        "currency": price["currency"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": {},
        "meter": None,
        "nickname": None,
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def _new_metadata(metadata: dict | None) -> dict:
    return {k: v for k, v in (metadata or {}).items() if v != ""}


def _merge_metadata(current: dict, update: dict | None) -> dict:
    if update is None:  # metadata="" unsets every key
        return {}
    merged = {**current, **update}
    return {k: v for k, v in merged.items() if v != ""}


def _previous_attributes(before: dict, after: dict) -> dict:
    """The changed keys with their old values, nested like Stripe's previous_attributes."""
    previous = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            previous[key] = _previous_attributes(old, new)
        else:
            previous[key] = old
    return previous


def _money(amount: int, currency: str) -> str:
    value = f"{amount:,}" if currency in ZERO_DECIMAL else f"{amount / 100:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def _price_text(price: dict) -> str:
    amount = _money(price["unit_amount"], price["currency"])
    recurring = price["recurring"]
    if recurring is None:
        return amount
    count, interval = recurring["interval_count"], recurring["interval"]
    return f"{amount} per {interval}" if count == 1 else f"{amount} every {count} {interval}s"


def _date(timestamp: int | None) -> str:
    if timestamp is None:
        return ""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return f"{moment:%B} {moment.day}, {moment.year}"


# -- the HTTP server ---------------------------------------------------------------------------


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out as two writes: without this, Nagle's algorithm and
            # the client's delayed ACK add ~40 ms to every answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = HttpRequest(
                method=self.command,
                path=parts.path,
                query=parts.query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            response = fake.dispatch(request)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A client that gave up (its timeout) closed the socket before a slow answer.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeStripeServer:
    """Serves one FakeStripe on 127.0.0.1 at a free port, and runs its webhook deliveries."""

    def __init__(self, fake: FakeStripe) -> None:
        self.fake = fake
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(fake))
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        fake.base_url = self.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeStripeServer:
        self._thread.start()
        self.fake.start()
        return self

    def __exit__(self, *exc) -> None:
        self.fake.stop()
        self._server.shutdown()
        self._server.server_close()
