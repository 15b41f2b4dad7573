"""A simulated person using the tracker in a browser, for bench/bench_load.py.

Each one has its own keep-alive connection and cookies, signs in through the real sign-in form
(with its CSRF token), then loops over a mix of pages. Like a browser it asks for gzip, fetches
the stylesheets and scripts a page names, and keeps them as their Cache-Control says: fresh ones
are not asked for again, others are revalidated with If-None-Match (a 304 when unchanged). Writes
are real forms: the form page is read, every field sent back as the page filled it, a note added.
"""

from __future__ import annotations

import gzip
import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

ASSET = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(/(?:static|assets|vendor)/[^"]+)"')
MAX_AGE = re.compile(r"max-age=(\d+)")
PAGE_ASSETS: dict[str, list[str]] = {}  # page address -> the front-end files it links to


@dataclass
class Sample:
    """One request: when it ended (monotonic seconds), how long it took, what kind it was."""

    ended: float
    ms: float
    kind: str  # "page", "write" or "asset"
    ok: bool
    url: str = ""


@dataclass
class Recorder:
    """Samples from every simulated person, thread-safe."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, error: str | None = None) -> None:
        with self.lock:
            self.samples.append(sample)
            if error:
                self.errors.append(error)


class FormReader(HTMLParser):
    """The fields of the first POST form on a page whose action is `action`, as the page
    filled them (checked radios and boxes, selected options, textareas)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and a.get("method", "").lower() == "post":
            self.inside = urlsplit(a.get("action") or self.action).path == self.action
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(page: str, action: str) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(page)
    return reader.fields


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def text(self) -> str:
        raw = self.body
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8", "replace")


class Browser:
    """One person's browser: a keep-alive connection, cookies, and a cache of front-end files."""

    def __init__(self, host: str, port: int, recorder: Recorder, gzip_ok: bool = True) -> None:
        self.host, self.port = host, port
        self.recorder = recorder
        self.gzip_ok = gzip_ok
        self.cookies: dict[str, str] = {}
        self.cache: dict[str, tuple[float, str]] = {}  # url -> (fresh until, etag)
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def request(
        self, method: str, url: str, kind: str, body: dict | list | None = None, etag: str = ""
    ) -> Answer | None:
        """Send one request and record it; None (and an error) on a failure."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if self.gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        if etag:
            headers["If-None-Match"] = etag
        payload = None
        if body is not None:
            payload = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{url}"
        began = time.perf_counter()
        try:
            answer = self._exchange(method, url, payload, headers)
        except (OSError, http.client.HTTPException) as failure:
            self.connection.close()
            self._record(began, kind, url, f"{method} {url}: {failure!r}")
            return None
        for value in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        ok = answer.status < 400
        self._record(began, kind, url, None if ok else f"{method} {url}: {answer.status}")
        return answer

    def _exchange(self, method: str, url: str, payload: str | None, headers: dict) -> Answer:
        """One request and its answer. A kept-alive connection the server closed meanwhile is
        opened again and a GET sent again, as browsers do; a POST is not sent twice."""
        for attempt in (1, 2):
            try:
                self.connection.request(method, url, payload, headers)
                response = self.connection.getresponse()
                return Answer(response.status, response.headers, response.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if method != "GET" or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _record(self, began: float, kind: str, url: str, error: str | None) -> None:
        ended = time.perf_counter()
        sample = Sample(ended, (ended - began) * 1000, kind, error is None, url)
        self.recorder.add(sample, error)

    def visit(self, url: str, kind: str = "page") -> Answer | None:
        """A page as a browser shows it: the page, redirects followed, then its front-end files."""
        answer = self.request("GET", url, kind)
        while answer is not None and answer.status in (301, 302, 303):
            answer = self.request("GET", urlsplit(answer.headers["Location"]).path, kind)
        if answer is not None and answer.status == 200:
            for asset in self.assets_of(url, answer):
                self.fetch_asset(asset)
        return answer

    def assets_of(self, url: str, answer: Answer) -> list[str]:
        """The front-end files a page links to, read once per page address and shared by every
        simulated browser: reading 2 MB pages again and again would make the load generator,
        on the same cores as the server, slow the server down."""
        if url not in PAGE_ASSETS:
            found = dict.fromkeys(ASSET.findall(answer.text()))
            PAGE_ASSETS[url] = [asset.replace("&amp;", "&") for asset in found]
        return PAGE_ASSETS[url]

    def fetch_asset(self, url: str) -> None:
        fresh_until, etag = self.cache.get(url, (0.0, ""))
        if time.monotonic() < fresh_until:
            return
        answer = self.request("GET", url, "asset", etag=etag)
        if answer is None or answer.status not in (200, 304):
            return
        control = answer.headers.get("Cache-Control", "")
        age = MAX_AGE.search(control)
        lifetime = int(age.group(1)) if age and "no-cache" not in control else 0
        self.cache[url] = (time.monotonic() + lifetime, answer.headers.get("ETag", etag))

    def submit(self, form_url: str, changes: dict[str, str], kind: str = "write") -> bool:
        """Open the form page, send the form back with `changes`, follow where it leads."""
        page = self.request("GET", form_url, kind)
        if page is None or page.status != 200:
            return False
        action = urlsplit(form_url).path
        fields = [(k, v) for k, v in form_fields(page.text(), action) if k not in changes]
        answer = self.request("POST", action, kind, body=fields + list(changes.items()))
        if answer is None or answer.status not in (302, 303):
            if answer is not None and answer.status == 200:
                self.recorder.add(Sample(time.perf_counter(), 0, kind, False), f"{action}: refused")
            return False
        self.visit(urlsplit(answer.headers["Location"]).path, kind)
        return True

    def sign_in(self, email: str, password: str) -> bool:
        return self.submit("/sign-in", {"email": email, "password": password}, kind="page")


@dataclass
class Person:
    """A simulated person: who signs in, which pages they read, which form they may send."""

    email: str
    password: str
    pages: list[str]  # with repeats: a page listed twice is read twice as often
    write_form: str | None  # a form page this person may send, None for readers
    write_share: float  # the share of this person's steps that are writes


def simulate(
    person: Person,
    browser: Browser,
    stop_at: float,
    think: tuple[float, float],
    rng: random.Random,
) -> None:
    """Read (and now and then write) until `stop_at` (monotonic seconds), signed in already."""
    step = 0
    while time.monotonic() < stop_at:
        step += 1
        if person.write_form and rng.random() < person.write_share:
            browser.submit(person.write_form, {"note": f"Load test review {step}"})
        else:
            browser.visit(rng.choice(person.pages))
        if think[1] > 0:
            time.sleep(rng.uniform(*think))
