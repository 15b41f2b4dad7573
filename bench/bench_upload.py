"""Benchmark: a 200 MB evidence upload through the real server, against `cp` of the same file.

Issue 15's goals for it: no slower than 1.5 × `cp`, at most 32 MB more worker memory, and no
copy of the file spooled to TMPDIR on its way to storage (tracker/uploads.py).

It migrates a scratch SQLite database in a temporary folder (or BENCH_DATABASE_URL, emptied
first: see plan_fixture.bench_app), loads the seed's project and gives its manager a password,
then starts gunicorn (one sync worker) on that database with TMPDIR pointing at an empty folder.
It signs in as the manager and posts the evidence form with a generated 200 MB PDF, streamed
from disk by http.client. Three uploads and three `cp` runs of the file take turns; the figures
are their medians. The worker's memory is read from /proc: VmRSS before, sampled every 10 ms
during the uploads, and the rise of VmHWM; the same thread watches the worker's open files
during each upload for any under TMPDIR. It asserts
nothing about time. Run with `make bench` or `.venv/bin/python bench/bench_upload.py`.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from goals import Figure, print_figures
from plan_fixture import bench_app
from sqlalchemy import select
from werkzeug.wsgi import get_input_stream

from tracker.evidence.services import project_elements
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role
from tracker.seeding import load_seed

UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "200"))
RUNS = 3
BLOCK = 1024 * 1024
PASSWORD = secrets.token_urlsafe(16)
Body = tuple[bytes, Path, bytes]  # what goes before the file, the file, what goes after
ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass(frozen=True)
class Scene:
    """What the bench set up: where things are, and what the upload form needs."""

    folder: Path
    database_url: str
    email: str
    slug: str
    work_stream_id: int
    element_ids: list[int]

    @property
    def uploads(self) -> Path:
        return self.folder / "uploads"

    @property
    def tmpdir(self) -> Path:
        return self.folder / "tmpdir"


def set_up(folder: Path) -> Scene:
    """A migrated scratch database holding the seed's project and a manager who can sign in."""
    app = bench_app(folder)
    with app.app_context():
        load_seed(ROOT / "seed")
        project = db.session.execute(select(Project)).scalars().first()
        manager = (
            db.session.execute(
                select(Membership).where(
                    Membership.project_id == project.id, Membership.role == Role.MANAGER
                )
            )
            .scalars()
            .first()
            .person
        )
        manager.set_password(PASSWORD)
        elements = [e.id for e in project_elements(project)[:2]]
        scene = Scene(
            folder=folder,
            database_url=app.config["SQLALCHEMY_DATABASE_URI"],
            email=manager.email or "",
            slug=project.slug,
            work_stream_id=project.work_streams[0].id,
            element_ids=elements,
        )
        db.session.commit()
    scene.tmpdir.mkdir()
    return scene


def make_pdf(path: Path, megabytes: int) -> None:
    """A file the tracker accepts as a PDF (it checks the header), padded to `megabytes`."""
    block = os.urandom(BLOCK)
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n%" + block[: BLOCK - 10])
        for _ in range(megabytes - 1):
            out.write(block)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(scene: Scene, port: int, app: str = "tracker:create_app()") -> Iterator[int]:
    """gunicorn, one sync worker, serving `app` on the scene's database; yields the worker's
    pid."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_ENV", "REDIS_URL")}
    env |= {
        "DATABASE_URL": scene.database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "UPLOAD_FOLDER": str(scene.uploads),
        "MAX_UPLOAD_MB": str(UPLOAD_MB + 10),
        "SESSION_COOKIE_SECURE": "0",
        "TMPDIR": str(scene.tmpdir),
    }
    command = [str(GUNICORN), "-w", "1", "-k", "sync", "-b", f"127.0.0.1:{port}"]
    # gunicorn's heartbeat file would otherwise be the one file the worker holds under TMPDIR.
    command += ["--worker-tmp-dir", str(scene.folder), "--timeout", "300"]
    command += ["--pythonpath", str(ROOT / "bench"), "--log-level", "warning", app]
    master = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        yield wait_for_worker(master, port)
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(30)


def wait_for_worker(master: subprocess.Popen, port: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if master.poll() is not None:
            raise RuntimeError("gunicorn stopped")
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                if pids:
                    return int(pids[0])
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Browser:
    """Signs in through the sign-in form and keeps the cookies; reads CSRF tokens from pages."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path))
        if not found:
            raise RuntimeError(f"No CSRF token on {path}")
        return found.group(1)

    def sign_in(self, email: str, password: str) -> None:
        fields = {"csrf_token": self.token("/sign-in"), "email": email, "password": password}
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + "/sign-in", body) as response:
            if "/sign-in" in response.url:
                raise RuntimeError("Could not sign in")

    def cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def form_parts(scene: Scene, token: str, boundary: str) -> tuple[bytes, bytes]:
    """The multipart body around the file's bytes: the fields and the file part's head, and
    the closing boundary."""
    fields = [
        ("csrf_token", token),
        ("title", "Benchmark upload"),
        ("work_stream", str(scene.work_stream_id)),
        *[("elements", str(i)) for i in scene.element_ids],
        ("evidence_date", "1"),
        ("evidence_date", "6"),
        ("evidence_date", "2009"),
        ("store_anyway", "y"),  # the same file each run: not refused as a duplicate
    ]
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode()


def post_streamed(port: int, path: str, headers: dict[str, str], parts: Body) -> tuple[int, float]:
    """POST `parts`, the file's bytes read from disk a block at a time as they are sent: the
    answer's status and the seconds until it came."""
    head, source, tail = parts
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    began = time.perf_counter()
    connection.putrequest("POST", path)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(head) + source.stat().st_size + len(tail)))
    connection.endheaders(head)
    with open(source, "rb") as file:
        while block := file.read(BLOCK):
            connection.send(block)
    connection.send(tail)
    response = connection.getresponse()
    response.read()
    took = time.perf_counter() - began
    connection.close()
    return response.status, took


def upload(scene: Scene, browser: Browser, port: int, source: Path) -> float:
    """Post the evidence form with `source`; seconds until the answer."""
    path = f"/projects/{scene.slug}/evidence/new"
    boundary = secrets.token_hex(16)
    head, tail = form_parts(scene, browser.token(path), boundary)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": browser.cookies(),
    }
    status, took = post_streamed(port, path, headers, (head, source, tail))
    if status != 302:
        raise RuntimeError(f"The upload was answered {status}")
    return took


def drain(environ: dict, start_response: Callable[..., object]) -> list[bytes]:
    """A WSGI app that only reads the request's body: what gunicorn alone costs an upload."""
    stream = get_input_stream(environ, max_content_length=None)  # as Werkzeug reads it
    while stream.read(65536):
        pass
    start_response("204 No Content", [])
    return []


class TmpdirWatch:
    """Notes every file the worker holds open under TMPDIR while an upload runs (Werkzeug's
    spool is unnamed on Linux, but its descriptor still shows in /proc/<pid>/fd)."""

    def __init__(self, pid: int, tmpdir: Path) -> None:
        self.fd_folder = Path(f"/proc/{pid}/fd")
        self.tmpdir = str(tmpdir)
        self.status = Path(f"/proc/{pid}/status")
        self.seen: set[str] = set()
        self.largest = 0
        self.peak_rss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak_rss_kb = max(self.peak_rss_kb, memory_kb(self.status)["VmRSS"])
            for fd in list(self.fd_folder.iterdir()):
                try:
                    target = os.readlink(fd)
                    if target.startswith(self.tmpdir):
                        self.seen.add(target)
                        self.largest = max(self.largest, os.stat(fd).st_size)
                except OSError:  # closed in the meantime
                    continue

    def __enter__(self) -> TmpdirWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def memory_kb(status: Path) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the most ever resident) from /proc/<pid>/status."""
    found = re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status.read_text(), re.M)
    return {name: int(value) for name, value in found}


def copy_seconds(source: Path, folder: Path) -> float:
    target = folder / "copy.pdf"
    began = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    took = time.perf_counter() - began
    target.unlink()
    return took


def measure(scene: Scene, source: Path, small: Path) -> list[Figure]:
    port, drain_port = free_port(), free_port()
    with server(scene, port) as worker, server(scene, drain_port, "bench_upload:drain"):
        browser = Browser(port)
        browser.sign_in(scene.email, PASSWORD)
        upload(scene, browser, port, small)  # the upload's code paths warmed up
        before = memory_kb(Path(f"/proc/{worker}/status"))
        times: dict[str, list[float]] = {"cp": [], "drain": [], "upload": []}
        watches = []
        for _ in range(RUNS):
            times["cp"].append(copy_seconds(source, scene.folder))
            parts = (b"", source, b"")
            times["drain"].append(post_streamed(drain_port, "/", {}, parts)[1])
            with TmpdirWatch(worker, scene.tmpdir) as watch:
                times["upload"].append(upload(scene, browser, port, source))
            watches.append(watch)
        after = memory_kb(Path(f"/proc/{worker}/status"))
    copy, drained, sent = (statistics.median(times[k]) for k in ("cp", "drain", "upload"))
    spooled = set().union(*(w.seen for w in watches))
    peak = max(max(w.peak_rss_kb for w in watches), after["VmRSS"])
    return [
        Figure(f"cp of {UPLOAD_MB} MB", copy * 1000, "ms"),
        Figure("gunicorn only reading the same body", drained * 1000, "ms"),
        Figure(f"upload of {UPLOAD_MB} MB", sent * 1000, "ms"),
        Figure("upload ÷ cp", sent / copy, "×", goal=1.5),
        Figure("upload ÷ gunicorn only reading", sent / drained, "×"),
        Figure("worker memory growth (peak VmRSS)", (peak - before["VmRSS"]) / 1024, "MB", goal=32),
        Figure("worker VmHWM rise", (after["VmHWM"] - before["VmHWM"]) / 1024, "MB", goal=32),
        Figure("files held open under TMPDIR", len(spooled), "", goal=0),
        Figure("largest of them", max(w.largest for w in watches) / 2**20, "MB"),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as work:
        folder = Path(work)
        scene = set_up(folder)
        source, small = folder / "big.pdf", folder / "small.pdf"
        make_pdf(source, UPLOAD_MB)
        make_pdf(small, 1)
        figures = measure(scene, source, small)
        stored = sum(1 for p in scene.uploads.iterdir() if not p.name.endswith(".part")) - 1
        shutil.rmtree(scene.uploads, ignore_errors=True)
    print_figures(
        f"A {UPLOAD_MB} MB evidence upload through gunicorn (1 sync worker), median of {RUNS} "
        f"interleaved with cp and with gunicorn only reading the body ({stored} files stored)",
        figures,
    )


if __name__ == "__main__":
    main()
