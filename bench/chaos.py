"""make chaos: the portal while its Redis and its PostgreSQL fail.

Starts a PostgreSQL cluster and a Redis of its own (free ports, a temporary
folder: the machine's services are not touched), loads the demo content and
serves it with gunicorn (production settings, two workers, page cache on).
For about 90 seconds, eight public clients walk a mix of pages, searches,
/healthz and 404s, and two staff members save an article's change form in the
admin, on loopback with a bounded number of connections, while the run
- stops Redis for 20 s and starts it again on the same port,
- then stops PostgreSQL, waits 5 s and starts it again.

The report (bench/reports/chaos-<time>.md, printed too) gives per phase the
answers by status class (500 and 503 apart), stale pages (``X-Stale-Page``),
latency p50/p99 and socket errors; the exceptions behind any 500 (from
gunicorn's log); and the staff saves: every acknowledged save must be in the
article's history, every refused one nowhere. The exit status is 1 when a
target is missed: a 500 or another 5xx than 503, a 503 while PostgreSQL is
up, a public answer other than its usual one (or 503 while PostgreSQL is
down), a socket error, a lost or half-written save. Not part of ``make test``.
"""

import http.client
import itertools
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import common

sys.path.insert(0, str(common.ROOT))
from tests.services import (
    PG_BIN,
    REDIS_SERVER,
    PrivatePostgres,
    PrivateRedis,
    free_port,
)

WORKERS = 2
PUBLIC_CLIENTS = 8
STAFF = ("staff1", "staff2")
STAFF_PAUSE = 2.0  # seconds a staff member edits the form before saving it
RETRY_PAUSE = 0.5  # seconds before opening a form the admin did not show again
TIMEOUT = 10  # a socket that answers nothing this long is a socket error
# The saves write a token into these fields, so each can be found afterwards.
TOKEN_FIELDS = ("subtitle", "summary")
REPORTS = common.ROOT / "bench" / "reports"
DB_DOWN = "PostgreSQL stopped"
# How a 500 begins in gunicorn's log (Django's, then gunicorn's own), and how
# a traceback says it continues in the next one.
SERVER_ERROR_LINES = ("Internal Server Error: ", "Error handling request ")
CHAINED = ("The above exception", "During handling of the above")


@dataclass(slots=True)
class Answer:
    kind: str  # "public" or "staff"
    path: str
    started: float
    ended: float
    status: int | None  # None: a socket error
    error: str | None
    stale: bool
    expected: int | None  # the status a public path has when nothing fails


@dataclass(slots=True)
class Save:
    staff: str
    article: int
    token: str
    ended: float
    status: int | None
    outcome: str  # acknowledged, refused or unanswered


class Timeline:
    """When each phase began (monotonic clock), marked as the run plays it."""

    def __init__(self):
        self.starts: list[tuple[str, float]] = []
        self.ended: float | None = None

    def begin(self, name: str) -> None:
        self.starts.append((name, time.monotonic()))
        since = self.starts[-1][1] - self.starts[0][1]
        print(f"{since:5.1f} s  {name}", flush=True)

    def end(self) -> None:
        self.ended = time.monotonic()

    def phase_at(self, moment: float) -> str | None:
        """The phase under way at ``moment`` (None before the first: the
        warm-up). Answers after the end count in the last phase."""
        current = None
        for name, start in self.starts:
            if start <= moment:
                current = name
        return current

    def span(self, name: str) -> tuple[float, float]:
        names = [phase for phase, _ in self.starts]
        index = names.index(name)
        start = self.starts[index][1]
        if index + 1 < len(self.starts):
            return start, self.starts[index + 1][1]
        return start, self.ended


@dataclass
class Observed:
    """What a run saw, for the report."""

    paths: list[tuple[str, int]]
    timeline: Timeline = field(default_factory=Timeline)
    answers: list[Answer] = field(default_factory=list)
    saves: list[Save] = field(default_factory=list)
    staff_errors: list[str] = field(default_factory=list)
    setup_seconds: float = 0


def socket_error(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionError | http.client.HTTPException):
        return "reset"
    return type(error).__name__


class Client:
    """One browser's connection (kept alive when the server allows) and the
    cookies it was given; every answer is appended to ``answers``."""

    def __init__(self, port: int, kind: str, answers: list, *, cookies: bool):
        self.port = port
        self.kind = kind
        self.answers = answers
        self.cookies = {} if cookies else None
        self.connection = None

    def request(self, method, path, *, body=None, headers=None, expected=None):
        """(answer, response, body); the response is None on a socket error."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT
                )
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            if self.connection:
                self.connection.close()
            self.connection = None
            answer = self.record(path, started, expected, error=socket_error(error))
            return answer, None, b""
        answer = self.record(
            path,
            started,
            expected,
            status=response.status,
            stale=response.getheader("X-Stale-Page") is not None,
        )
        if self.cookies is not None:
            self.keep_cookies(response)
        return answer, response, content

    def record(self, path, started, expected, *, status=None, error=None, stale=False):
        answer = Answer(
            kind=self.kind,
            path=path,
            started=started,
            ended=time.monotonic(),
            status=status,
            error=error,
            stale=stale,
            expected=expected,
        )
        self.answers.append(answer)
        return answer

    def keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)


class FormFields(HTMLParser):
    """What a browser submits from the form ``form_id`` of a page: every
    named input, textarea and select in page order (checked boxes only,
    selected options, a select's first option when none is selected), file
    inputs sent empty, disabled fields and buttons left out."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.enctype = "application/x-www-form-urlencoded"
        self.fields: list[tuple[str, str]] = []
        self.files: list[str] = []
        self.textarea = None  # [name, text parts]
        self.select = None  # [name, multiple, options, selected]
        self.option = None  # [value, text parts, selected]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            if self.inside:
                self.enctype = attrs.get("enctype") or self.enctype
            return
        name = attrs.get("name")
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and name:
            self.add_input(name, attrs)
        elif tag == "textarea" and name:
            self.textarea = [name, []]
        elif tag == "select" and name:
            self.select = [name, "multiple" in attrs, [], []]
        elif tag == "option" and self.select:
            self.end_option()
            self.option = [attrs.get("value"), [], "selected" in attrs]

    def add_input(self, name, attrs):
        kind = (attrs.get("type") or "text").lower()
        if kind in ("submit", "button", "image", "reset"):
            return
        if kind == "file":
            self.files.append(name)
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.fields.append((name, attrs.get("value") or "on"))
        else:
            self.fields.append((name, attrs.get("value") or ""))

    def handle_data(self, data):
        if self.option:
            self.option[1].append(data)
        elif self.textarea:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            name, parts = self.textarea
            # As in a browser: the newline right after <textarea> is not content.
            text = "".join(parts)
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "option":
            self.end_option()
        elif tag == "select" and self.select:
            self.end_option()
            name, multiple, options, selected = self.select
            chosen = selected or ([] if multiple else options[:1])
            self.fields.extend((name, value) for value in chosen)
            self.select = None

    def end_option(self):
        if self.option and self.select:
            value, parts, selected = self.option
            value = "".join(parts).strip() if value is None else value
            self.select[2].append(value)
            if selected:
                self.select[3].append(value)
        self.option = None


def form_fields(page: bytes, form_id: str) -> FormFields:
    parser = FormFields(form_id)
    parser.feed(page.decode("utf-8", "replace"))
    parser.close()
    if not parser.fields:
        raise RuntimeError(f"no form #{form_id} on the page")
    return parser


def encode(fields, files, enctype) -> tuple[bytes, str]:
    """The body and content type a browser would post."""
    if not enctype.startswith("multipart/"):
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    boundary = "----chaos" + secrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n"
        for name, value in fields
    ] + [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        'filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n'
        for name in files
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def sent_to_login(response) -> bool:
    return "/login/" in (response.getheader("Location") or "")


def save_outcome(answer: Answer, response) -> str:
    """Acknowledged: redirected on as after a save. Refused: the form again
    (errors), 503, or any other answer that says no. Unanswered: a 5xx other
    than 503 or a socket error, which say nothing of what was written."""
    if answer.status is None or (answer.status >= 500 and answer.status != 503):
        return "unanswered"
    if answer.status == 302 and not sent_to_login(response):
        return "acknowledged"
    return "refused"


class Staff:
    """A staff member who opens one article's change form and saves it, again
    and again, posting every field as the browser would, with the subtitle and
    summary set to a token of that save."""

    def __init__(self, port, answers, saves, *, name, password, urls, article):
        self.client = Client(port, "staff", answers, cookies=True)
        self.origin = f"http://127.0.0.1:{port}"
        self.saves = saves
        self.name = name
        self.password = password
        self.login_url, self.change_url = urls
        self.article = article
        self.number = 0

    def post(self, path, form, fields):
        body, content_type = encode(fields, form.files, form.enctype)
        headers = {
            "Content-Type": content_type,
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        return self.client.request("POST", path, body=body, headers=headers)

    def login(self) -> bool:
        answer, _, page = self.client.request("GET", self.login_url)
        if answer.status != 200:
            return False
        form = form_fields(page, "login-form")
        fields = [(n, v) for n, v in form.fields if n not in ("username", "password")]
        fields += [("username", self.name), ("password", self.password)]
        answer, response, _ = self.post(self.login_url, form, fields)
        return answer.status == 302 and not sent_to_login(response)

    def open_form(self) -> FormFields | None:
        """The change form, or None when the admin did not show it (sent to
        the login page: logs in again for the next turn)."""
        answer, response, page = self.client.request("GET", self.change_url)
        if answer.status == 302 and sent_to_login(response):
            self.login()
            return None
        if answer.status != 200:
            return None
        form = form_fields(page, "article_form")
        missing = set(TOKEN_FIELDS) - {name for name, _ in form.fields}
        if missing:
            raise RuntimeError(f"the change form has no field {sorted(missing)}")
        return form

    def save(self, form: FormFields) -> None:
        self.number += 1
        token = f"chaos-{self.name}-{self.number:04d}"
        fields = [
            (name, token if name in TOKEN_FIELDS else value)
            for name, value in form.fields
        ] + [("_save", "保存")]
        answer, response, _ = self.post(self.change_url, form, fields)
        self.saves.append(
            Save(
                staff=self.name,
                article=self.article,
                token=token,
                ended=answer.ended,
                status=answer.status,
                outcome=save_outcome(answer, response),
            )
        )

    def work(self, stop: threading.Event, errors: list) -> None:
        """Open the form, edit for STAFF_PAUSE, save; again. A save may so be
        sent while a service is down with a form opened before."""
        try:
            while not stop.is_set():
                form = self.open_form()
                if form is None:
                    stop.wait(RETRY_PAUSE)
                elif not stop.wait(STAFF_PAUSE):
                    self.save(form)
        except Exception as error:  # the run reports it and fails
            errors.append(f"{self.name}: {error!r}")


def visit(
    client: Client, offset: int, observed: Observed, stop: threading.Event
) -> None:
    """A visitor walking the public paths in turn, from ``offset``."""
    for index in itertools.count(offset):
        if stop.is_set():
            return
        path, expected = observed.paths[index % len(observed.paths)]
        client.request("GET", path, expected=expected)


def prepare(database_url: str) -> dict:
    """The demo content, two superusers, one published article and one draft
    for them to edit; the public paths with their usual status."""
    common.ensure_database(database_url)
    common.manage("load_demo", "-v0", DATABASE_URL=database_url)
    common.use_database(database_url)
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.urls import reverse

    from articles.models import Article
    from personnel.models import Person
    from projects.models import Project

    password = secrets.token_urlsafe(16)
    for name in STAFF:
        get_user_model().objects.create_superuser(name, None, password)
    published, draft, *_ = Article.objects.published().order_by("pk")
    # One staff member edits a live article (each save empties the page
    # cache), the other a draft (its saves change nothing public).
    draft.status = Article.Status.DRAFT
    draft.save()
    article = Article.objects.published().order_by("-published_at").first()
    paths = [
        ("/", 200),
        ("/articles/", 200),
        (article.channel.get_absolute_url(), 200),
        (article.get_absolute_url(), 200),
        ("/projects/", 200),
        (Project.objects.published().first().get_absolute_url(), 200),
        ("/personnel/", 200),
        (Person.objects.published().first().get_absolute_url(), 200),
        ("/personnel/?q=" + quote("季成"), 200),
        ("/search/?q=" + quote("援疆"), 200),
        ("/healthz", 200),
        ("/articles/99999999/", 404),
        ("/channels/no-such-channel/", 404),
        ("/no-such-page/", 404),
    ]
    staff = [
        {
            "name": name,
            "password": password,
            "article": pk,
            "urls": (
                reverse("admin:login"),
                reverse("admin:articles_article_change", args=[pk]),
            ),
        }
        for name, pk in zip(STAFF, (published.pk, draft.pk), strict=True)
    ]
    connections.close_all()  # PostgreSQL will be restarted under us
    return {"paths": paths, "staff": staff}


def warm_up(port, paths, staff) -> None:
    """Every public path once (filling the page cache) with its usual status,
    and each staff member logged in with the change form in hand: a run that
    would measure a broken set-up stops here."""
    client = Client(port, "public", [], cookies=False)
    for path, expected in paths:
        answer, _, _ = client.request("GET", path)
        if answer.status != expected:
            sys.exit(f"warm-up: {path} answered {answer.status}, not {expected}")
    for member in staff:
        if not member.login() or member.open_form() is None:
            sys.exit(f"warm-up: {member.name} cannot open the change form")


def play_faults(timeline: Timeline, redis, postgres) -> None:
    """About 90 s: Redis stopped for 20 s, then PostgreSQL for 5 s."""
    timeline.begin("before")
    time.sleep(15)
    timeline.begin("Redis stopped")
    redis.stop()
    time.sleep(20)
    redis.start()
    timeline.begin("Redis back")
    time.sleep(15)
    timeline.begin(DB_DOWN)
    postgres.stop()
    time.sleep(5)
    postgres.start()
    timeline.begin("PostgreSQL back")
    time.sleep(10)
    timeline.begin("after")
    time.sleep(25)
    timeline.end()


def traces(token: str, row: tuple, versions: list[tuple]) -> tuple[bool, bool]:
    """(whole, partial) for one save: whether a version in the history holds
    its token in every token field; whether the row or a version holds it in
    some of them only, or the row holds it with no version to match."""
    whole = (token,) * len(TOKEN_FIELDS) in versions
    partial = any(
        token in values and set(values) != {token} for values in [row, *versions]
    ) or (token in row and not whole)
    return whole, partial


def check_saves(saves: list[Save]) -> dict:
    """Each save looked for by its token in its article's row and history.
    Lost: acknowledged but no whole version in the history, or the row not at
    the last version written. Half-written: refused but a trace anywhere, or
    unanswered and there in part."""
    from articles.models import Article

    lost, half_written, unanswered_written = [], [], []
    for article in {save.article for save in saves}:
        row = Article.objects.values_list(*TOKEN_FIELDS).get(pk=article)
        versions = list(Article.history.filter(id=article).values_list(*TOKEN_FIELDS))
        last_written = None
        for save in (save for save in saves if save.article == article):
            whole, partial = traces(save.token, row, versions)
            if whole and not partial:
                last_written = save.token
            if save.outcome == "acknowledged":
                if not whole:
                    lost.append(save.token)
            elif partial or (whole and save.outcome == "refused"):
                half_written.append(save.token)
            elif whole:
                unanswered_written.append(save.token)
        if last_written and row != (last_written,) * len(TOKEN_FIELDS):
            lost.append(f"article {article}: row not at {last_written}")
    return {
        "lost": lost,
        "half_written": half_written,
        "unanswered_written": unanswered_written,
    }


def server_errors(log: str) -> dict[str, list[str]]:
    """What each 500 in gunicorn's log ended with (the last exception of its
    traceback, as its line ``Type: message``), and the paths it came on."""
    errors = defaultdict(list)
    path = None  # of the 500 being read, until the next log message
    exception = None
    in_frames = False
    for line in [*log.splitlines(), "(end)"]:
        if line.startswith("Traceback (most recent call last):"):
            in_frames = True
        elif in_frames:
            if not line.startswith((" ", "\t")):
                exception, in_frames = line.strip()[:300], False
        elif line and not line.startswith((" ", "\t", *CHAINED)):
            if path is not None:
                errors[exception or "(no traceback in the log)"].append(path)
            path, exception = None, None
            for opening in SERVER_ERROR_LINES:
                if opening in line:
                    path = line.split(opening, 1)[1].strip() or "?"
    return errors


def phase_rows(answers: list[Answer], timeline: Timeline):
    by_phase = defaultdict(list)
    for answer in answers:
        phase = timeline.phase_at(answer.ended)
        if phase:
            by_phase[phase].append(answer)
    lines = [
        "| phase | from (s) | lasted (s) | requests | 2xx | 3xx | 4xx | 500 | 503 "
        "| other 5xx | stale pages | p50 ms | p99 ms | socket errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    origin = timeline.starts[0][1]
    for name, start in timeline.starts:
        group = by_phase[name]
        statuses = [a.status for a in group if a.status is not None]
        classes = Counter(status // 100 for status in statuses)
        latencies = [(a.ended - a.started) * 1000 for a in group if a.status]
        errors = Counter(a.error for a in group if a.error)
        low, high = timeline.span(name)
        p50, p99 = (
            (
                f"{common.percentile(latencies, 0.5):.0f}",
                f"{common.percentile(latencies, 0.99):.0f}",
            )
            if latencies
            else ("–", "–")
        )
        lines.append(
            f"| {name} | {start - origin:.1f} | {high - low:.1f} | {len(group):,} "
            f"| {classes[2]:,} | {classes[3]:,} | {classes[4]:,} "
            f"| {statuses.count(500):,} | {statuses.count(503):,} "
            f"| {sum(1 for s in statuses if s >= 500 and s not in (500, 503)):,} "
            f"| {sum(1 for a in group if a.stale):,} | {p50} | {p99} "
            f"| {', '.join(f'{k} {v}' for k, v in errors.items()) or 0} |"
        )
    return lines


ANSWER_TARGETS = (
    NO_SOCKET_ERROR := "no socket error",
    NO_500 := "no 500",
    NO_OTHER_5XX := "no 5xx but 503",
    NO_503_WITH_DB := "503 only while PostgreSQL is down",
    AS_USUAL := "public paths answer as usual (or 503 while PostgreSQL is down)",
)


def missed_by(answer: Answer, db_down: bool) -> str | None:
    """The target an answer misses, if any."""
    status = answer.status
    if status is None:
        return NO_SOCKET_ERROR
    if status == 500:
        return NO_500
    if status > 500 and status != 503:
        return NO_OTHER_5XX
    if status == 503:
        return None if db_down else NO_503_WITH_DB
    if answer.kind == "public" and status != answer.expected:
        return AS_USUAL
    return None


def missed_targets(observed, checked) -> dict[str, Counter]:
    """Per target, where it was missed (phase or check) and how often."""
    timeline = observed.timeline
    low, high = timeline.span(DB_DOWN)
    missed = {target: Counter() for target in ANSWER_TARGETS}
    for answer in observed.answers:
        phase = timeline.phase_at(answer.ended)
        target = missed_by(answer, answer.started < high and answer.ended >= low)
        if phase and target:
            missed[target][phase] += 1
    for target, key in (
        ("no lost save", "lost"),
        ("no half-written save", "half_written"),
    ):
        missed[target] = Counter({"saves": len(checked[key])} if checked[key] else {})
    acknowledged = {
        timeline.phase_at(save.ended)
        for save in observed.saves
        if save.outcome == "acknowledged"
    }
    missed["staff saves acknowledged before the faults and after them"] = Counter(
        {phase: 1 for phase in ("before", "after") if phase not in acknowledged}
    )
    missed["the staff clients ran to the end"] = Counter(
        {error: 1 for error in observed.staff_errors}
    )
    return missed


def save_rows(saves, timeline):
    lines = [
        "| phase | saves sent | acknowledged | refused | unanswered (5xx ≠ 503, socket) |",
        "|---|---|---|---|---|",
    ]
    for name, _ in timeline.starts:
        outcomes = Counter(
            s.outcome for s in saves if timeline.phase_at(s.ended) == name
        )
        lines.append(
            f"| {name} | {sum(outcomes.values())} | {outcomes['acknowledged']} "
            f"| {outcomes['refused']} | {outcomes['unanswered']} |"
        )
    return lines


def report(observed: Observed, checked: dict, log: str) -> tuple[list[str], bool]:
    """The report's lines, and whether a target was missed."""
    missed = missed_targets(observed, checked)
    lines = [
        f"# aidportal chaos run, {datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"gunicorn ({WORKERS} workers, production settings, page cache on) on a "
        "PostgreSQL and a Redis of its own; "
        f"{PUBLIC_CLIENTS} public clients over {len(observed.paths)} paths and "
        f"{len(STAFF)} staff members each opening an article's change form, "
        f"editing {STAFF_PAUSE:.0f} s and saving it, on loopback. Redis is "
        "stopped at “Redis stopped” and started at “Redis back”; PostgreSQL is "
        f"stopped at “{DB_DOWN}” and started at “PostgreSQL back”. An answer "
        "counts in the phase in which it came. Set-up took "
        f"{observed.setup_seconds:.0f} s.",
        "",
        *phase_rows(observed.answers, observed.timeline),
        "",
        "## Staff saves",
        "",
        *save_rows(observed.saves, observed.timeline),
        "",
        *check_lines(checked),
    ]
    exceptions = server_errors(log)
    if exceptions:
        lines += ["", "## What the 500s ended with (gunicorn's log)", ""]
        for exception, paths in sorted(exceptions.items(), key=lambda e: -len(e[1])):
            shown = ", ".join(sorted(set(paths))[:4])
            lines.append(f"- {len(paths):,} × `{exception}` ({shown})")
    timeouts = log.count("WORKER TIMEOUT")
    if timeouts:
        lines.append(f"- gunicorn worker timeouts: {timeouts}")
    lines += ["", "## Targets", ""]
    for target, where in missed.items():
        places = ", ".join(f"{place} {count:,}" for place, count in where.items())
        lines.append(f"- {'missed' if where else 'met'}: {target}")
        if places:
            lines[-1] += f" ({places})"
    return lines, any(missed.values())


def check_lines(checked: dict) -> list[str]:
    def listed(key):
        found = checked[key]
        return f"{len(found)}" + (f" — {', '.join(found[:5])}" if found else "")

    return [
        f"- acknowledged but not in the article's history (lost): {listed('lost')}",
        "- refused, or unanswered, but left a trace (half-written): "
        + listed("half_written"),
        f"- unanswered but written whole: {len(checked['unanswered_written'])}",
    ]


def run(folder: Path, stack: ExitStack) -> tuple[list[str], bool]:
    started = time.monotonic()
    for name in ("MEDIA_ROOT", "PRIVATE_ROOT"):
        (folder / name.lower()).mkdir()
        os.environ[name] = str(folder / name.lower())
    redis = PrivateRedis()
    redis.start()
    stack.callback(redis.stop)
    postgres = PrivatePostgres(folder / "postgres")
    postgres.init()
    postgres.start()
    stack.callback(stop_if_running, postgres)
    database_url = postgres.url.rsplit("/", 1)[0] + "/aidportal"
    os.environ["REDIS_URL"] = redis.url
    setup = prepare(database_url)
    port = free_port()
    env = {
        **common.PRODUCTION_ENV,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis.url,
    }
    log_file = folder / "gunicorn.log"
    stack.enter_context(common.gunicorn(port, env, workers=WORKERS, log=log_file))
    observed = Observed(setup["paths"])
    staff = [
        Staff(port, observed.answers, observed.saves, **member)
        for member in setup["staff"]
    ]
    warm_up(port, setup["paths"], staff)
    observed.setup_seconds = time.monotonic() - started
    stop = threading.Event()
    stack.callback(stop.set)
    threads = start_clients(port, observed, staff, stop)
    play_faults(observed.timeline, redis, postgres)
    stop.set()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    checked = check_saves(observed.saves)
    return report(observed, checked, log_file.read_text(errors="replace"))


def start_clients(port, observed, staff, stop) -> list[threading.Thread]:
    """The public visitors, each from its own place in the paths, and the
    staff members, each in a thread of its own."""
    threads = [
        threading.Thread(
            target=visit,
            args=(
                Client(port, "public", observed.answers, cookies=False),
                offset,
                observed,
                stop,
            ),
            daemon=True,
        )
        for offset in range(0, PUBLIC_CLIENTS * 3, 3)
    ] + [
        threading.Thread(
            target=member.work, args=(stop, observed.staff_errors), daemon=True
        )
        for member in staff
    ]
    for thread in threads:
        thread.start()
    return threads


def stop_if_running(postgres) -> None:
    """A run cut short while PostgreSQL was down has nothing to stop."""
    if (postgres.data / "postmaster.pid").exists():
        postgres.stop()


def main():
    if not (PG_BIN and REDIS_SERVER):
        sys.exit("make chaos needs PostgreSQL's initdb and pg_ctl and redis-server")
    # A kill is handled as Ctrl-C: everything started is stopped and removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("chaos run terminated"))
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chaos-")))
        folder.chmod(0o711)  # PostgreSQL runs as its own user inside it
        lines, failed = run(folder, stack)
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"chaos-{datetime.now():%Y%m%d-%H%M%S}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nReport written to {path.relative_to(common.ROOT)}")
    if failed:
        sys.exit("chaos run missed its targets")


if __name__ == "__main__":
    main()
