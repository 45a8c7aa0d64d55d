"""The four ways a user starts a job, each reduced to "would this spec be accepted?",
asked of a running hub without starting anything: REST `POST /api/v1/jobs/check`, the
MCP tool `check_training`, `asthub start --dry-run`, and the portal's "Check only"."""

import contextlib
import io
import re

import httpx

from asthub_client.cli import main as asthub_main
from asthub_spec import AST_KEYS

PASSWORD = "a long passphrase 123"  # the cast's (tests/mcp/conftest.py)


def rest_accepts(hub, token: str, spec: dict) -> tuple[bool, str]:
    answer = httpx.post(
        f"{hub['base_url']}/api/v1/jobs/check",
        json=spec,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code in (200, 400, 403), answer.text
    return answer.status_code == 200, answer.text


async def mcp_accepts(session, spec: dict) -> tuple[bool, str]:
    result = await session.call_tool("check_training", spec)
    text = " ".join(getattr(item, "text", "") for item in result.content)
    return not result.is_error, text


def cli_arguments(spec: dict) -> list[str] | None:
    """`asthub start` options for a spec; None when the CLI cannot say it (a JSON-only
    type such as the string "5", or a field the CLI has no option for)."""
    flat = dict(spec)
    flat.update(flat.pop("ast_config", {}) or {})
    argv: list[str] = []
    for name, value in flat.items():
        option = "--" + name.replace("_", "-")
        if isinstance(value, bool):
            if not value:
                return None
            argv.append(option)
        elif isinstance(value, int | float | str):
            argv += [option, str(value)]
        else:
            return None
    return argv


def cli_accepts(hub, token: str, spec: dict) -> tuple[bool, str] | None:
    argv = cli_arguments(spec)
    if argv is None:
        return None
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = asthub_main(
            ["--url", hub["base_url"], "--token", token, "start", "--dry-run", *argv]
        )
    return code == 0, out.getvalue() + err.getvalue()


class Portal:
    """A logged-in browser session, posting the New job form with "Check only"."""

    def __init__(self, hub, email: str) -> None:
        self.http = httpx.Client(base_url=hub["base_url"], timeout=30)
        self.http.get("/login/")
        answer = self.http.post(
            "/login/",
            data={
                "username": email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.http.cookies["csrftoken"],
            },
        )
        assert answer.status_code == 302, answer.text

    def form_data(self, spec: dict) -> dict | None:
        flat = dict(spec)
        flat.update(flat.pop("ast_config", {}) or {})
        data = {}
        for name, value in flat.items():
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif isinstance(value, int | float | str):
                data[name] = str(value)
            else:
                return None
        return data

    def accepts(self, spec: dict) -> tuple[bool, str] | None:
        data = self.form_data(spec)
        if data is None:
            return None
        text = self.post_new_job(spec, check=True)
        errors = re.findall(r'class="error"[^>]*>(.*?)</', text, flags=re.S)
        return "Nothing was started" in text, " ".join(errors)

    def post_new_job(self, spec: dict, *, check: bool = False) -> str:
        """The New job page after posting the form (a start unless `check`)."""
        self.http.get("/portal/jobs/new/")
        data = self.form_data(spec) | {"csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        answer = self.http.post("/portal/jobs/new/", data=data | ({"check": "1"} if check else {}))
        assert answer.status_code in (200, 302), answer.text[:500]
        return answer.text

    def close(self) -> None:
        self.http.close()


def flat_field_names() -> set[str]:
    from asthub_spec import JobSpec

    return (set(JobSpec.model_fields) - {"ast_config"}) | set(AST_KEYS)
