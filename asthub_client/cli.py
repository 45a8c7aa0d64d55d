"""The `asthub` command: the SDK for shells and CI.

Exit codes: 0 ok, 1 job failed or cancelled, 2 usage or invalid input, 3 authentication
or permission, 4 not found, 5 quota or rate limit, 6 server or connection error.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import importlib.metadata
import json
import queue
import shutil
import sys
import threading
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx

import asthub_client
from asthub_client import render
from asthub_client.client import Client
from asthub_client.config import Settings, config_path, resolve_settings, save_config
from asthub_client.errors import (
    AstHubError,
    AuthenticationError,
    Conflict,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
)
from asthub_client.models import Job
from asthub_client.retry import RetryPolicy
from asthub_client.specs import add_job_options, job_spec_from_args, parse_grid

EXIT_OK = 0
EXIT_JOB_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_QUOTA = 5
EXIT_SERVER = 6

Command = Callable[[argparse.Namespace, Client], int]

# The distribution's name in pyproject.toml ([project] name), which is what pip installed.
DISTRIBUTION = "asthub"


def client_version() -> str:
    """This client's version, read locally: `--version` must answer offline and at once."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        # Run from a source tree that was never installed (python -m asthub_client.cli).
        return getattr(asthub_client, "__version__", "unknown")


class _PrintVersion(argparse.Action):
    """Like argparse's "version" action, but looks the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"asthub {client_version()}")
        parser.exit()


def missing_settings_hint(settings: Settings) -> str | None:
    """What to do when the settings cannot reach a hub as anyone, or None when they can.

    Without this, a first run fails with "cannot reach http://127.0.0.1:8000", which
    says nothing about logging in.
    """
    if settings.token:
        return None
    if not settings.url_configured:
        return (
            "no hub is configured: run `asthub login --url URL` "
            "(or set ASTHUB_URL and ASTHUB_TOKEN)"
        )
    return f"no API token for {settings.url}: run `asthub login` (or set ASTHUB_TOKEN)"


def exit_code_for(error: AstHubError) -> int:
    if isinstance(error, AuthenticationError | PermissionDenied):
        return EXIT_AUTH
    if isinstance(error, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, QuotaExceeded | RateLimited):
        return EXIT_QUOTA
    # A conflict (cancelling a finished job, a missing platform credential) is fixed by
    # changing what was asked, like any other invalid input.
    if isinstance(error, InvalidRequest | Conflict):
        return EXIT_USAGE
    return EXIT_SERVER


def _describe(error: AstHubError) -> str:
    if isinstance(error, RateLimited) and error.retry_after is not None:
        return f"{error.message} (retry in {error.retry_after:.0f} s)"
    if isinstance(error, QuotaExceeded) and error.upgrade_url:
        return f"{error.message}\nUpgrade: run `asthub upgrade`, or open {error.upgrade_url}"
    return error.message


def _print_json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


# -- commands ----------------------------------------------------------------------------


def cmd_whoami(args: argparse.Namespace, client: Client) -> int:
    me = client.me()
    if args.json:
        _print_json(me, sys.stdout)
    else:
        scopes = ", ".join(me.get("token_scopes") or []) or "none"
        print(f"{me.get('email')} on {client.url} (plan {me.get('plan')}; scopes: {scopes})")
    return EXIT_OK


def cmd_usage(args: argparse.Namespace, client: Client) -> int:
    usage = client.usage()
    if args.json:
        _print_json(usage, sys.stdout)
        return EXIT_OK
    title = usage.get("plan_title") or usage.get("plan")
    print(f"Plan {title}, resets {render.short_time(usage.get('resets_at'))}")
    rows = []
    for name, line in (usage.get("limits") or {}).items():
        limit = "unlimited" if line.get("unlimited") else line.get("limit")
        unit = line.get("unit") or ""
        rows.append(
            (
                line.get("label") or name,
                "-" if line.get("used") is None else line["used"],
                limit,
                unit,
            )
        )
    if rows:
        print(render.table(("LIMIT", "USED", "OF", "UNIT"), rows))
    billing = usage.get("billing") or {}
    if billing.get("cancel_at_period_end"):
        ends = render.short_time(billing.get("current_period_end"))
        print(f"Cancelled: {title} until {ends}, then Free.")
    elif billing.get("status") == "past_due":
        print(f"Payment failed: {title} until {render.short_time(billing.get('grace_ends_at'))}.")
    if usage.get("upgrade_url"):
        print(f"Upgrade to Pro: asthub upgrade (or {usage['upgrade_url']})")
    return EXIT_OK


def _open_in_browser(url: str, args: argparse.Namespace) -> None:
    print(url)
    if not args.no_browser:
        webbrowser.open(url)


def cmd_upgrade(args: argparse.Namespace, client: Client) -> int:
    """Stripe Checkout for Pro: the person pays in the browser; the plan follows."""
    url = client.start_checkout()
    print("Pay in the browser to move this account to Pro:", file=sys.stderr)
    _open_in_browser(url, args)
    return EXIT_OK


def cmd_billing(args: argparse.Namespace, client: Client) -> int:
    """The Stripe Customer Portal: card, invoices, cancellation."""
    url = client.billing_portal()
    print("Manage the card, invoices or cancel in the browser:", file=sys.stderr)
    _open_in_browser(url, args)
    return EXIT_OK


def cmd_start(args: argparse.Namespace, client: Client) -> int:
    spec = job_spec_from_args(args)
    if args.dry_run:
        return _print_check(client.check(spec), as_json=args.json)
    job = client.start(spec)
    if not args.watch:
        if args.json:
            _print_json(job.to_dict(), sys.stdout)
        else:
            baseline = f"; baseline job {job.baseline_id}" if job.baseline_id else ""
            print(f"Started job {job.id} ({job.name or job.dataset}) on {job.platform}{baseline}")
        return EXIT_OK
    if job.baseline_id is None:
        runs = {"": job.id}
        watching = f"Started job {job.id}; watching it"
    else:
        runs = {"ast": job.id, "baseline": job.baseline_id}
        watching = f"Started job {job.id} and its baseline job {job.baseline_id}; watching both"
    if not args.json:
        print(f"{watching} (Ctrl-C stops watching, not the jobs)")
    return _watch(client, runs, as_json=args.json)


def cmd_jobs(args: argparse.Namespace, client: Client) -> int:
    jobs: list[Job] = []
    for job in client.list_jobs(status=args.status, platform=args.platform):
        jobs.append(job)
        if len(jobs) >= args.limit:
            break
    if args.json:
        _print_json([job.to_dict() for job in jobs], sys.stdout)
    elif jobs:
        print(render.jobs_table(jobs))
    else:
        print("No jobs.")
    return EXIT_OK


def cmd_job(args: argparse.Namespace, client: Client) -> int:
    job = client.get_job(args.id)
    if args.json:
        _print_json(job.to_dict(), sys.stdout)
    else:
        print(render.job_details(job))
    return EXIT_OK


def cmd_watch(args: argparse.Namespace, client: Client) -> int:
    if args.sweep is not None:
        return _watch_sweep(client, args.sweep)
    return _watch(client, {"": args.id}, as_json=False)


def cmd_cancel(args: argparse.Namespace, client: Client) -> int:
    job = client.cancel(args.id, confirm=args.confirm)
    print(f"Job {job.id} is {job.status}")
    return EXIT_OK


def cmd_rerun(args: argparse.Namespace, client: Client) -> int:
    job = client.rerun(args.id)
    print(f"Started job {job.id}, a rerun of job {args.id}")
    return EXIT_OK


def cmd_metrics(args: argparse.Namespace, client: Client) -> int:
    points = client.metrics(args.id)
    if args.json:
        _print_json(points, sys.stdout)
    elif points:
        print(render.metrics_table(points))
    else:
        print(f"Job {args.id} has no metrics yet.")
    return EXIT_OK


def cmd_logs(args: argparse.Namespace, client: Client) -> int:
    if args.follow:
        for line in client.follow_logs(args.id, tail=args.tail):
            print(line, flush=True)
        return EXIT_OK
    for line in client.logs(args.id, tail=args.tail).get("lines") or []:
        print(line)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, client: Client) -> int:
    comparison = client.compare(args.ast_run, args.baseline_run)
    if args.format == "json":
        _print_json(comparison, sys.stdout)
    else:
        print(comparison.get(args.format) or "")
        if comparison.get("estimated"):
            print("(baseline figures are estimated: no baseline run was given)", file=sys.stderr)
    return EXIT_OK


def cmd_card(args: argparse.Namespace, client: Client) -> int:
    card = client.create_model_card(args.id, template=args.template)
    markdown = card.get("markdown") or ""
    if args.out:
        Path(args.out).write_text(markdown, encoding="utf-8")
        print(f"Wrote the {card.get('template', args.template)} model card to {args.out}")
    else:
        sys.stdout.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return EXIT_OK


def cmd_artifacts(args: argparse.Namespace, client: Client) -> int:
    artifacts = client.artifacts(args.id)
    if not args.download:
        rows = [(a.get("name"), render.size(a.get("size")), a.get("sha256", "")) for a in artifacts]
        print(render.table(("NAME", "SIZE", "SHA256"), rows) if rows else "No artifacts.")
        return EXIT_OK
    directory = Path(args.download)
    directory.mkdir(parents=True, exist_ok=True)
    for artifact in artifacts:
        path = client.download_artifact(args.id, artifact["name"], directory)
        print(path)
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace, client: Client) -> int:
    grid = parse_grid(args.grid)
    sweep = client.start_sweep(job_spec_from_args(args), grid, name=args.name or "")
    if args.json:
        _print_json(sweep, sys.stdout)
    else:
        job_ids = ", ".join(str(job_id) for job_id in sweep.get("job_ids") or [])
        print(f"Started sweep {sweep.get('id')}: jobs {job_ids}")
    return EXIT_OK


def _print_check(answer: dict[str, Any], *, as_json: bool) -> int:
    if as_json:
        _print_json(answer, sys.stdout)
        return EXIT_OK
    spec = answer["spec"]
    print(
        f"OK: {spec['model']} on {spec['dataset']} ({answer['engine_config']['dataset']}) "
        f"can start on {spec['platform']} ({spec['hardware']}); nothing was started."
    )
    return EXIT_OK


def cmd_catalog(args: argparse.Namespace, client: Client) -> int:
    page = client.catalog(query=args.query or "", kind=args.kind, platform=args.platform)
    if args.json:
        _print_json(page, sys.stdout)
        return EXIT_OK
    rows = [
        (
            entry["name"],
            entry["kind"],
            ", ".join(entry["platforms"]) or "-",
            _needs_text(entry["needs"]),
            entry["summary"],
        )
        for entry in page["results"]
    ]
    if rows:
        print(render.table(("NAME", "KIND", "PLATFORMS", "NEEDS", "ABOUT"), rows))
    shown = len(rows)
    if page["count"] > shown:
        print(f"{shown} of {page['count']} shown; narrow the search.")
    elif not rows:
        print("Nothing in the catalog matches.")
    return EXIT_OK


def _needs_text(needs: dict[str, Any]) -> str:
    parts = (["GPU"] if needs["gpu"] else []) + (
        [f"{needs['min_plan']} plan"] if needs["min_plan"] != "free" else []
    )
    return ", ".join(parts + list(needs["packages"])) or "-"


def cmd_share_create(args: argparse.Namespace, client: Client) -> int:
    link = client.create_share_link(args.jobs, label=args.label)
    if args.json:
        _print_json(link, sys.stdout)
        return EXIT_OK
    print(f"Share link {link.get('id')} for jobs {', '.join(map(str, link.get('job_ids') or []))}")
    print(f"Token (shown once): {link.get('token')}")
    print(f"Public page: {link.get('page_url')}")
    print(f"Read API:    {link.get('api_url')}")
    return EXIT_OK


def cmd_share_list(args: argparse.Namespace, client: Client) -> int:
    links = [link for link in client.share_links() if args.all or link.get("active")]
    if args.json:
        _print_json(links, sys.stdout)
        return EXIT_OK
    rows = [
        (
            link.get("share_id"),
            link.get("masked"),
            ",".join(str(job_id) for job_id in link.get("job_ids") or []),
            link.get("label") or "-",
            "active" if link.get("active") else "revoked",
            render.short_time(link.get("last_used_at")),
        )
        for link in links
    ]
    headers = ("ID", "TOKEN", "JOBS", "LABEL", "STATE", "LAST USED")
    print(render.table(headers, rows) if rows else "No share links.")
    return EXIT_OK


def cmd_share_revoke(args: argparse.Namespace, client: Client) -> int:
    client.revoke_share_link(args.id)
    print(f"Revoked share link {args.id}; its page and API now answer 404")
    return EXIT_OK


def cmd_apps_list(args: argparse.Namespace, client: Client) -> int:
    apps = client.connected_apps()
    if args.json:
        _print_json(apps, sys.stdout)
        return EXIT_OK
    rows = [
        (
            app.get("id"),
            app.get("name"),
            ",".join(app.get("redirect_hosts") or []),
            ",".join(app.get("scopes") or []),
            render.short_time(app.get("connected_at")),
            render.short_time(app.get("last_used_at")),
        )
        for app in apps
    ]
    headers = ("ID", "APP", "RETURNS TO", "SCOPES", "CONNECTED", "LAST USED")
    print(render.table(headers, rows) if rows else "No connected apps.")
    return EXIT_OK


def cmd_apps_revoke(args: argparse.Namespace, client: Client) -> int:
    client.disconnect_app(args.id)
    print(f"Disconnected app {args.id}; its tokens no longer work")
    return EXIT_OK


def cmd_leaderboard_show(args: argparse.Namespace, client: Client) -> int:
    board = client.leaderboard(args.dataset)
    if args.json:
        _print_json(board, sys.stdout)
        return EXIT_OK
    groups = board.get("datasets") or []
    if not groups:
        print("No runs on the leaderboard yet.")
    for group in groups:
        print(f"== {group.get('dataset')} ==")
        rows = [
            (
                entry.get("rank"),
                entry.get("display_name"),
                entry.get("model"),
                render.percent(entry.get("accuracy")),
                f"{render.number(entry.get('energy_kwh'))} ({entry.get('energy_source')})",
                render.number(entry.get("accuracy_per_kwh")),
                render.percent(entry.get("energy_savings")),
                entry.get("model_url") or "-",
            )
            for entry in group.get("entries") or []
        ]
        headers = ("#", "BY", "MODEL", "ACC", "KWH", "ACC/KWH", "SAVED", "PUBLISHED")
        print(render.table(headers, rows))
    return EXIT_OK


def cmd_leaderboard_join(args: argparse.Namespace, client: Client) -> int:
    listing = client.set_leaderboard_listing(args.id, True, args.name)
    name = listing.get("display_name") or "anonymous"
    print(f"Job {args.id} is listed on the public leaderboard as {name}")
    return EXIT_OK


def cmd_leaderboard_leave(args: argparse.Namespace, client: Client) -> int:
    client.set_leaderboard_listing(args.id, False)
    print(f"Job {args.id} is no longer on the public leaderboard")
    return EXIT_OK


def _print_publication(publication: dict) -> None:
    status = publication.get("status")
    where = f"{publication.get('from_platform')} → {publication.get('to_platform')}"
    line = f"Publication {publication.get('id')} ({where}): {status}"
    if status == "succeeded":
        line += f"\n  {publication.get('url')}"
        if publication.get("revision"):
            line += f"\n  revision {publication['revision']}"
    elif status == "failed":
        line += f"\n  {publication.get('failure_reason')}"
    print(line)


def cmd_sync(args: argparse.Namespace, client: Client) -> int:
    if args.job is None and not args.source:
        raise ValueError("give a JOB id, or --from PLATFORM --source REF")
    publication = client.sync_model(
        to_platform=args.to,
        job_id=args.job,
        from_platform=args.from_platform,
        source_ref=args.source or "",
        target_ref=args.repo or "",
        private=not args.public,
    )
    if args.wait:
        publication = client.wait_publication(publication["publication_id"])
    if args.json:
        _print_json(publication, sys.stdout)
    else:
        _print_publication(publication)
    return EXIT_JOB_FAILED if publication.get("status") == "failed" else EXIT_OK


def cmd_submit(args: argparse.Namespace, client: Client) -> int:
    submission = client.submit_to_competition(
        args.job, args.competition, args.file, message=args.message or ""
    )
    if args.wait:
        submission = client.wait_submission(submission["submission_id"], timeout=args.wait)
    number, competition = submission["submission_id"], submission["competition"]
    if args.json:
        _print_json(submission, sys.stdout)
    elif submission.get("status") == "complete":
        print(f"Submission {number} to {competition}: public score {submission['public_score']}")
    elif submission.get("status") == "error":
        print(f"Submission {number} failed: {submission['failure_reason']}")
    else:
        print(f"Submission {number} to {competition} is waiting for its score "
              f"({submission['url']})")  # fmt: skip
    return EXIT_JOB_FAILED if submission.get("status") == "error" else EXIT_OK


def cmd_publications(args: argparse.Namespace, client: Client) -> int:
    publications = list(client.publications(job_id=args.job))
    if args.json:
        _print_json(publications, sys.stdout)
        return EXIT_OK
    rows = [
        (
            p.get("publication_id"),
            p.get("job_id") or p.get("source_ref"),
            p.get("to_platform"),
            p.get("status"),
            p.get("url") or p.get("failure_reason") or "",
        )
        for p in publications
    ]
    print(render.table(("ID", "FROM", "TO", "STATUS", "WHERE"), rows) if rows else "None yet.")
    return EXIT_OK


def _watch(
    client: Client, runs: dict[str, int], *, as_json: bool, out: TextIO | None = None
) -> int:
    """Follow jobs until every one has finished; 0 only if all succeeded.

    `runs` maps a label to a job id: {"": id} for one job (its lines unlabelled), or
    {"ast": id, "baseline": id} for a run and its paired baseline.
    """
    out = out or sys.stdout
    printer = None if as_json else ProgressPrinter(out)

    def follow(label: str, job_id: int) -> Callable[[], Job]:
        on_update = None if printer is None else functools.partial(printer.show, label)
        return functools.partial(client.wait, job_id, on_update=on_update)

    jobs = _all_at_once([follow(label, job_id) for label, job_id in runs.items()])
    if printer:
        printer.finish()
    if as_json:
        dicts = [job.to_dict() for job in jobs]
        _print_json(dicts[0] if len(dicts) == 1 else dicts, out)
    names = [f"{label} job" if label else "job" for label in runs]
    return _outcome(list(zip(names, jobs, strict=True)))


def _all_at_once(waits: Sequence[Callable[[], Job]]) -> list[Job]:
    """The results of blocking waits, run side by side (a thread each when there are several).

    Client.wait blocks on one job's event stream, so following two jobs needs two
    threads. They are daemons: Ctrl-C returns at once instead of waiting for a stream to
    end. The first error is raised as soon as it happens.
    """
    if len(waits) == 1:
        return [waits[0]()]
    outcomes: queue.Queue[tuple[int, Job | BaseException]] = queue.Queue()

    def run(index: int, wait: Callable[[], Job]) -> None:
        try:
            outcomes.put((index, wait()))
        except BaseException as error:  # handed to the main thread, which reports it
            outcomes.put((index, error))

    for index, wait in enumerate(waits):
        threading.Thread(target=run, args=(index, wait), daemon=True).start()
    results: dict[int, Job] = {}
    while len(results) < len(waits):
        index, outcome = outcomes.get()
        if isinstance(outcome, BaseException):
            raise outcome
        results[index] = outcome
    return [results[index] for index in range(len(waits))]


def _outcome(finished: Sequence[tuple[str, Job]]) -> int:
    """One stderr line per job that did not succeed (`what` names it); the exit code."""
    for what, job in finished:
        if job.status != "succeeded":
            reason = f": {job.failure_reason}" if job.failure_reason else ""
            print(f"asthub: error: {what} {job.id} {job.status}{reason}", file=sys.stderr)
    return EXIT_OK if all(job.status == "succeeded" for _, job in finished) else EXIT_JOB_FAILED


def _watch_sweep(client: Client, sweep_id: int, out: TextIO | None = None) -> int:
    """Follow every run of a sweep until all have ended, then print the hub's ranking."""
    out = out or sys.stdout
    keys = sorted(client.get_sweep(sweep_id).get("grid") or {})  # an unknown sweep: 404
    printer = ProgressPrinter(out)

    def show(run: Job) -> None:
        printer.show(render.params_text(render.sweep_params(run, keys)), run)

    runs = client.wait_sweep(sweep_id, on_update=show)
    printer.finish()
    # Fetched after the last run ended, so the ranking covers every run.
    out.write(f"Sweep {sweep_id} finished:\n")
    out.write(render.sweep_summary(client.get_sweep(sweep_id), runs) + "\n")
    return _outcome([(f"sweep {sweep_id}: job", run) for run in runs])


class ProgressPrinter:
    """One line per followed job, labelled when there are several.

    On a terminal the lines are rewritten in place; piped (CI logs), a job's line is
    printed again each time it changes. Safe to call from several threads.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.live = out.isatty()
        self._lines: dict[str, str] = {}  # by label, in the order the jobs first showed
        self._shown_widths: list[int] = []  # live: what each row on screen holds
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> None:
        self.show("", job)

    def show(self, label: str, job: Job) -> None:
        line = render.progress_line(job)
        line = f"{label}: {line}" if label else line
        with self._lock:
            if self._lines.get(label) == line:
                return
            self._lines[label] = line
            if self.live:
                self._redraw()
            else:
                self.out.write(line + "\n")
            self.out.flush()

    def _redraw(self) -> None:
        columns = shutil.get_terminal_size().columns - 1
        rows = [line[:columns] for line in self._lines.values()]
        if len(self._shown_widths) > 1:  # back to the first row of the block
            self.out.write(f"\x1b[{len(self._shown_widths) - 1}A")
        parts = []
        for row, line in enumerate(rows):
            # Padding blanks out what a longer earlier line left behind.
            width = self._shown_widths[row] if row < len(self._shown_widths) else 0
            parts.append("\r" + line.ljust(width))
        self.out.write("\n".join(parts))
        self._shown_widths = [len(line) for line in rows]

    def finish(self) -> None:
        with self._lock:
            if self.live and self._shown_widths:
                self.out.write("\n")
                self.out.flush()


def cmd_login(args: argparse.Namespace, transport: httpx.BaseTransport | None) -> int:
    url = args.login_url or args.url or resolve_settings().url
    token = args.login_token or args.token or _read_token()
    if not token:
        print("asthub: error: no token given", file=sys.stderr)
        return EXIT_USAGE
    with Client(url=url, token=token, transport=transport) as client:
        me = client.me()  # Only a token the hub accepts is worth saving.
    path = config_path()
    save_config(url, token, path)
    print(f"Logged in to {url} as {me.get('email')}; saved to {path}")
    return EXIT_OK


def _read_token() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("API token: ").strip()
    return sys.stdin.readline().strip()


def cmd_collection(args: argparse.Namespace, client: Client) -> int:
    if not args.job and not args.repo:
        raise ValueError("give at least one --job (a published run) or --repo")
    collection = client.create_collection(
        args.title,
        job_ids=args.job or (),
        repo_ids=args.repo or (),
        description=args.description or "",
        private=args.private,
    )
    if args.json:
        _print_json(collection, sys.stdout)
        return EXIT_OK
    visibility = " (private)" if collection.get("private") else ""
    print(f"{collection['title']}{visibility}: {collection['url']}")
    for item in collection.get("items", []):
        print(f"  {item['repo_id']}" + (f"  ({item['note']})" if item.get("note") else ""))
    return EXIT_OK


def cmd_dashboard(args: argparse.Namespace, client: Client) -> int:
    deployed = client.deploy_dashboard(args.jobs, space=args.space or "", private=args.private)
    if args.json:
        _print_json(deployed, sys.stdout)
        return EXIT_OK
    print(f"Space: {deployed['url']}")
    print(f"Also on this hub: {deployed['share_page_url']}")
    print(f"Stop the feed: asthub share revoke {deployed['share_id']}")
    return EXIT_OK


# -- parser ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="asthub", description="AST Training Hub client")
    parser.add_argument("--version", action=_PrintVersion, help="print the version and exit")
    parser.add_argument("--url", help="hub URL (default: $ASTHUB_URL, then the config file)")
    parser.add_argument("--token", help="API token (default: $ASTHUB_TOKEN, then the config file)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Command | None, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    login = command("login", None, "verify an API token and save it")
    login.add_argument("--url", dest="login_url")
    login.add_argument("--token", dest="login_token", help="read from stdin when omitted")

    command("whoami", cmd_whoami, "show the account the token belongs to").add_argument(
        "--json", action="store_true"
    )
    command("usage", cmd_usage, "show the plan's limits and usage").add_argument(
        "--json", action="store_true"
    )
    no_browser = {"action": "store_true", "help": "print the URL only"}
    command("upgrade", cmd_upgrade, "upgrade to Pro with Stripe Checkout").add_argument(
        "--no-browser", **no_browser
    )
    command("billing", cmd_billing, "manage billing in Stripe's Customer Portal").add_argument(
        "--no-browser", **no_browser
    )

    start = command("start", cmd_start, "start a training job")
    add_job_options(start)
    start.add_argument(
        "--dry-run",
        action="store_true",
        help="check the spec against the catalog, the platform and your plan; start nothing",
    )
    start.add_argument(
        "--watch",
        action="store_true",
        help="wait (for the baseline too with --with-baseline); exit 1 if a job fails",
    )
    start.add_argument("--json", action="store_true")

    jobs = command("jobs", cmd_jobs, "list jobs, newest first")
    jobs.add_argument(
        "--status", choices=("queued", "launching", "running", "succeeded", "failed", "cancelled")
    )
    jobs.add_argument("--platform", choices=("local", "kaggle", "huggingface"))
    jobs.add_argument("--limit", type=int, default=50)
    jobs.add_argument("--json", action="store_true")

    job = command("job", cmd_job, "show one job")
    job.add_argument("id", type=int)
    job.add_argument("--json", action="store_true")

    watch = command(
        "watch", cmd_watch, "follow a job or every run of a sweep; exit 0 if all succeed, else 1"
    )
    followed = watch.add_mutually_exclusive_group(required=True)
    followed.add_argument("id", type=int, nargs="?", metavar="JOB")
    followed.add_argument(
        "--sweep", type=int, metavar="SWEEP", help="follow every run, then print the ranking"
    )
    cancel = command("cancel", cmd_cancel, "cancel a job")
    cancel.add_argument("id", type=int)
    cancel.add_argument(
        "--confirm",
        action="store_true",
        help="Kaggle cannot stop a running kernel: stop following it here anyway",
    )
    command("rerun", cmd_rerun, "start a job again with the same configuration").add_argument(
        "id", type=int
    )

    metrics = command("metrics", cmd_metrics, "show a job's metrics per epoch")
    metrics.add_argument("id", type=int)
    metrics.add_argument("--json", action="store_true")

    logs = command("logs", cmd_logs, "print a job's log (the engine's or the platform's)")
    logs.add_argument("id", type=int, metavar="JOB")
    logs.add_argument("--tail", type=int, metavar="N", help="the last N lines (default 200)")
    logs.add_argument(
        "--follow",
        action="store_true",
        help="keep printing new lines until the run has ended (Ctrl-C stops)",
    )

    compare = command("compare", cmd_compare, "compare an AST run with its baseline")
    compare.add_argument("ast_run", type=int, metavar="A")
    compare.add_argument("baseline_run", type=int, nargs="?", metavar="B")
    compare.add_argument("--format", choices=("json", "markdown", "latex"), default="markdown")

    card = command("card", cmd_card, "create a model card for a run")
    card.add_argument("id", type=int, metavar="RUN")
    card.add_argument(
        "--template", choices=("standard", "competition", "research"), default="standard"
    )
    card.add_argument("--out", metavar="FILE")

    artifacts = command("artifacts", cmd_artifacts, "list or download a job's artifacts")
    artifacts.add_argument("id", type=int)
    artifacts.add_argument("--download", metavar="DIR")

    catalog = command("catalog", cmd_catalog, "find data sets and models a job may name")
    catalog.add_argument("query", nargs="?", help="text in the name or summary")
    catalog.add_argument("--kind", choices=("dataset", "model"))
    catalog.add_argument("--platform", choices=("local", "kaggle", "huggingface"))
    catalog.add_argument("--json", action="store_true")

    sweep = command("sweep", cmd_sweep, "start one job per point of a parameter grid")
    sweep.add_argument(
        "--grid", action="append", required=True, metavar="NAME=V1,V2", help="repeatable"
    )
    add_job_options(sweep)
    sweep.add_argument("--json", action="store_true")

    share = commands.add_parser("share", help="read-only public links to jobs")
    share_commands = share.add_subparsers(dest="share_command", required=True, metavar="ACTION")
    share_create = share_commands.add_parser("create", help="create a link (token shown once)")
    share_create.set_defaults(handler=cmd_share_create)
    share_create.add_argument("jobs", type=int, nargs="+", metavar="JOB")
    share_create.add_argument("--label", default="")
    share_create.add_argument("--json", action="store_true")
    share_list = share_commands.add_parser("list", help="your links (masked)")
    share_list.set_defaults(handler=cmd_share_list)
    share_list.add_argument("--all", action="store_true", help="include revoked links")
    share_list.add_argument("--json", action="store_true")
    share_revoke = share_commands.add_parser("revoke", help="revoke a link at once")
    share_revoke.set_defaults(handler=cmd_share_revoke)
    share_revoke.add_argument("id", type=int, metavar="ID")

    apps = commands.add_parser("apps", help="apps connected to your account through OAuth")
    apps_commands = apps.add_subparsers(dest="apps_command", required=True, metavar="ACTION")
    apps_list = apps_commands.add_parser("list", help="connected apps, their scopes, last use")
    apps_list.set_defaults(handler=cmd_apps_list)
    apps_list.add_argument("--json", action="store_true")
    apps_revoke = apps_commands.add_parser("revoke", help="disconnect an app (all its tokens)")
    apps_revoke.set_defaults(handler=cmd_apps_revoke)
    apps_revoke.add_argument("id", type=int, metavar="ID")

    board = commands.add_parser("leaderboard", help="the public energy leaderboard")
    board_commands = board.add_subparsers(dest="board_command", required=True, metavar="ACTION")
    board_show = board_commands.add_parser("show", help="rank listed runs per data set")
    board_show.set_defaults(handler=cmd_leaderboard_show)
    board_show.add_argument("--dataset")
    board_show.add_argument("--json", action="store_true")
    board_join = board_commands.add_parser("join", help="list one of your finished AST runs")
    board_join.set_defaults(handler=cmd_leaderboard_join)
    board_join.add_argument("id", type=int, metavar="JOB")
    board_join.add_argument("--name", default="", help="display name (default: anonymous)")
    board_leave = board_commands.add_parser("leave", help="take a run off the leaderboard")
    board_leave.set_defaults(handler=cmd_leaderboard_leave)
    board_leave.add_argument("id", type=int, metavar="JOB")

    sync = command("sync", cmd_sync, "publish a run's model (or copy a model between platforms)")
    sync.add_argument("job", type=int, nargs="?", metavar="JOB")
    sync.add_argument("--to", choices=("huggingface", "kaggle", "local"), default="huggingface")
    sync.add_argument("--from", dest="from_platform", choices=("local", "kaggle", "huggingface"))
    sync.add_argument("--source", metavar="REF", help="Hub repo id or Kaggle kernel to copy")
    sync.add_argument("--repo", metavar="REF", help="target Hub repo id or Kaggle model handle")
    sync.add_argument("--public", action="store_true", help="publish publicly (default private)")
    sync.add_argument("--wait", action="store_true", help="wait until published; exit 1 if not")
    sync.add_argument("--json", action="store_true")

    collection = command(
        "collection", cmd_collection, "gather published runs into a Hugging Face collection"
    )
    collection.add_argument("title", help="e.g. AST-CIFAR100 (an existing one is reused)")
    collection.add_argument("--job", type=int, action="append", help="a published run; repeat")
    collection.add_argument("--repo", action="append", help="a Hub repo id; repeat")
    collection.add_argument("--description")
    visibility = collection.add_mutually_exclusive_group()
    visibility.add_argument(
        "--private",
        dest="private",
        action="store_const",
        const=True,
        default=None,
        help="private (default: private when any of its models is private)",
    )
    visibility.add_argument(
        "--public",
        dest="private",
        action="store_const",
        const=False,
        help="public, even with private models in it (visitors do not see those)",
    )
    collection.add_argument("--json", action="store_true")

    dashboard = command(
        "dashboard", cmd_dashboard, "deploy a Hugging Face Space charting runs live"
    )
    dashboard.add_argument("jobs", type=int, nargs="+", metavar="JOB")
    dashboard.add_argument("--space", help="Space name or namespace/name")
    dashboard.add_argument("--private", action="store_true")
    dashboard.add_argument("--json", action="store_true")

    submit = command("submit", cmd_submit, "submit a run's output file to a Kaggle competition")
    submit.add_argument("job", type=int, metavar="JOB")
    submit.add_argument("competition", help="as in kaggle.com/competitions/NAME")
    submit.add_argument("file", help="one of the run's artifacts, e.g. submission.csv")
    submit.add_argument("-m", "--message", help="submission description")
    submit.add_argument(
        "--wait", type=float, metavar="SECONDS", default=0, help="wait this long for the score"
    )
    submit.add_argument("--json", action="store_true")

    publications = command("publications", cmd_publications, "list your model publications")
    publications.add_argument("--job", type=int)
    publications.add_argument("--json", action="store_true")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
) -> int:
    """Run one command; `transport` and `retry` let tests stand in for the network and clock."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # argparse already printed usage or help
        return int(exit_request.code or 0)
    try:
        if args.handler is None:
            return cmd_login(args, transport)
        settings = resolve_settings(args.url, args.token)
        hint = missing_settings_hint(settings)
        if hint:
            print(f"asthub: error: {hint}", file=sys.stderr)
            return EXIT_USAGE
        with Client(
            url=settings.url, token=settings.token, transport=transport, retry=retry
        ) as client:
            return args.handler(args, client)
    except AstHubError as error:
        print(f"asthub: error: {_describe(error)}", file=sys.stderr)
        return exit_code_for(error)
    except ValueError as error:
        print(f"asthub: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"asthub: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
