"""Benchmark: people served at once by gunicorn on PostgreSQL (issue 15, "more people per worker").

Builds, on a scratch PostgreSQL database (BENCH_DATABASE_URL, default the `i15_load` database on
127.0.0.1; it is emptied first, never point it at one you keep), the South Cambridgeshire demo
project (`flask seed`: risks, issues, evidence, reports) with one sign-in per role, and a second
project with the benchmark plan of 2,000 tasks (bench/plan_fixture.py) where the same people hold
the same roles. Then, for each gunicorn configuration under test, it starts gunicorn on a free
loopback port with 2 workers and drives BENCH_USERS (50) simulated people (bench/load_client.py),
each signing in through the real form and reading a mix of pages of either project (home,
dashboard, work plan, Gantt, risks, issues, evidence library, an element, reports), 5% of steps
being writes (a risk review through the real form). Two runs per configuration:

- with think time (0.5 to 1.5 s between steps) for BENCH_SECONDS (60): requests/s and the
  percentiles of page requests against the goals;
- with no think time for BENCH_BURST_SECONDS (30): throughput.

It prints the figures beside their goals (bench/goals.py) and asserts nothing about time.
Settings: BENCH_CONFIGS (comma-separated names from CONFIGS, default "production,gthread-4": the
configuration of gunicorn.conf.py against threaded workers; "base:sync" serves an older copy of
the code from BENCH_BASE_ROOT), BENCH_BIG_SHARE (0.1: the share of page views on the 2,000-task
project), BENCH_USERS, BENCH_APP_ENV ("NAME=VALUE,..."
added to the server's environment, e.g. COMPRESS_RESPONSES=0), BENCH_GZIP=0 (a client that does
not ask for gzip). Run with `.venv/bin/python bench/bench_load.py`.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from goals import Figure, print_figures
from load_client import Browser, Person, Recorder, Sample, simulate
from plan_fixture import bench_app, build_plan
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError

from tracker.cli import DEMO_PROJECT, demo_password
from tracker.extensions import db
from tracker.projects.models import Membership, Project, Role
from tracker.risks.models import Risk, RiskStatus

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/i15_load"
USERS = int(os.environ.get("BENCH_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
BURST_SECONDS = float(os.environ.get("BENCH_BURST_SECONDS", "30"))
WRITE_SHARE = 0.05
# Each gunicorn configuration under test: extra command-line options over gunicorn.conf.py.
CONFIGS: dict[str, list[str]] = {
    "production": [],  # gunicorn.conf.py as it is
    "sync": ["--worker-class", "sync", "--threads", "1"],
    "sync-no-gzip": ["--worker-class", "sync", "--threads", "1", "-e", "COMPRESS_RESPONSES=0"],
    "gthread-2": ["--worker-class", "gthread", "--threads", "2"],
    "gthread-4": ["--worker-class", "gthread", "--threads", "4"],
    "gthread-8": ["--worker-class", "gthread", "--threads", "8"],
    # Without keep-alive a connection is not tied to the worker that accepted it.
    "gthread-4-close": ["--worker-class", "gthread", "--threads", "4", "--keep-alive", "0"],
}
# Roles the simulated people sign in as, in turn; the planners are the ones who write.
ROLES = [Role.MANAGER, Role.SUPPORT, Role.SPONSOR, Role.WS_LEAD, Role.WS_MEMBER, Role.ASSURANCE]
WRITERS = frozenset({Role.MANAGER, Role.SUPPORT})


def build(folder: Path) -> tuple[str, dict[Role, str], list[int]]:
    """The database; returns the benchmark plan's slug, the sign-in per role, the demo risks."""
    app = bench_app(folder)
    with app.app_context():
        for command in (["seed"], ["demo-logins"]):
            result = app.test_cli_runner().invoke(args=command)
            if result.exit_code != 0:
                raise SystemExit(f"flask {command[0]} failed: {result.output}")
        demo = db.session.execute(select(Project).where(Project.slug == DEMO_PROJECT)).scalar_one()
        plan_project, _ = build_plan(2000, random.Random(15))
        emails: dict[Role, str] = {}
        for membership in db.session.execute(
            select(Membership).where(Membership.project_id == demo.id)
        ).scalars():
            person = membership.person
            if person.check_password(demo_password(membership.role.value)):
                emails[membership.role] = person.email or ""
                db.session.add(
                    Membership(
                        project_id=plan_project.id, person_id=person.id, role=membership.role
                    )
                )
        risks = list(
            db.session.execute(
                select(Risk.id).where(Risk.project_id == demo.id, Risk.status == RiskStatus.OPEN)
            ).scalars()
        )
        db.session.commit()
        return plan_project.slug, emails, risks


# How often each page is read, relative to the others, in each project.
PAGE_WEIGHTS = {
    "/": 4,
    "/dashboard": 2,
    "/plan/tasks": 2,
    "/plan/timeline": 1,
    "/risks": 2,
    "/issues": 2,
    "/evidence": 2,
    "/reports": 1,
}
ELEMENTS = ["1.1.1", "1.2.3", "2.1.2", "3.2.1", "4.1.1", "5.3.4"]
# The share of page views on the project of 2,000 tasks; the rest are on the demo project.
BIG_SHARE = float(os.environ.get("BENCH_BIG_SHARE", "0.1"))


def pages_of(slug: str, *, elements: bool) -> list[str]:
    base = f"/projects/{slug}"
    pages = [base + page for page, weight in PAGE_WEIGHTS.items() for _ in range(weight)]
    if elements:  # the demo project has the standard's elements; the benchmark plan has not
        pages += [f"{base}/standard/elements/{code}" for code in ELEMENTS[:2]]
    return pages


def page_mix(plan_slug: str) -> list[str]:
    """Pages with repeats, so that a random choice reads each as often as its weight says."""
    demo, big = pages_of(DEMO_PROJECT, elements=True), pages_of(plan_slug, elements=False)
    big_copies = round(BIG_SHARE * 100 * len(demo) / len(big))
    demo_copies = round((1 - BIG_SHARE) * 100)
    return demo * demo_copies + big * big_copies


def people(plan_slug: str, emails: dict[Role, str], risks: list[int]) -> list[Person]:
    """USERS simulated people, in turn through ROLES; 5% of all steps are writes by planners."""
    roles = [ROLES[n % len(ROLES)] for n in range(USERS)]
    writers = sum(role in WRITERS for role in roles) or 1
    share = WRITE_SHARE * USERS / writers
    pages = page_mix(plan_slug)
    rng = random.Random(1)
    return [
        Person(
            email=emails[role],
            password=demo_password(role.value),
            pages=pages,
            write_form=(
                f"/projects/{DEMO_PROJECT}/risks/{rng.choice(risks)}/review"
                if role in WRITERS
                else None
            ),
            write_share=share if role in WRITERS else 0.0,
        )
        for role in roles
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(config: str, folder: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn with gunicorn.conf.py, 2 workers, `config`'s options, on a free loopback port."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=os.environ["BENCH_DATABASE_URL"],
        SECRET_KEY="bench-load-secret-key-of-at-least-32-bytes",
        SESSION_COOKIE_SECURE="0",
        UPLOAD_FOLDER=str(folder / "uploads"),
        TRACKER_ENV="production",
    )
    for pair in filter(None, os.environ.get("BENCH_APP_ENV", "").split(",")):
        name, _, value = pair.partition("=")
        env[name.strip()] = value.strip()
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
    # "base:NAME" serves the copy of the code in BENCH_BASE_ROOT (an older commit, to compare
    # with: `git archive COMMIT tracker | tar -x -C DIR`, and links to templates/ and static/).
    root = os.environ["BENCH_BASE_ROOT"] if config.startswith("base:") else str(ROOT)
    options = CONFIGS[config.removeprefix("base:")]
    command += ["--workers", "2", "--bind", f"127.0.0.1:{port}", *options]
    server = subprocess.Popen(command, cwd=root, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=5).read()
            return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn ({config}) did not answer within a minute")


def in_threads(jobs: list[tuple]) -> None:
    threads = [threading.Thread(target=target, args=args) for target, *args in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sign_in_all(port: int, crowd: list[Person]) -> list[Browser]:
    """A browser per person, signed in (not timed: signing in is not the mix)."""
    gzip_ok = os.environ.get("BENCH_GZIP", "1") == "1"
    browsers = [Browser("127.0.0.1", port, Recorder(), gzip_ok) for _ in crowd]
    in_threads([(b.sign_in, p.email, p.password) for b, p in zip(browsers, crowd, strict=True)])
    failed = sum(not b.cookies.get("session") for b in browsers)
    if failed:
        raise SystemExit(f"{failed} simulated people could not sign in")
    return browsers


def drive(
    browsers: list[Browser], crowd: list[Person], seconds: float, think: tuple[float, float]
) -> Recorder:
    """Every person in a thread of their own until `seconds` have passed."""
    recorder = Recorder()
    for browser in browsers:
        browser.recorder = recorder
    stop_at = time.monotonic() + seconds
    in_threads(
        [
            (simulate, person, browser, stop_at, think, random.Random(n))
            for n, (person, browser) in enumerate(zip(crowd, browsers, strict=True))
        ]
    )
    return recorder


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def figures(recorder: Recorder, seconds: float, *, goals: bool) -> list[Figure]:
    """Requests/s counts every request; the percentiles are of pages and writes, not of the
    front-end files (which are not the people's wait)."""
    samples: list[Sample] = recorder.samples
    pages = [s.ms for s in samples if s.kind != "asset" and s.ms > 0]
    kinds = Counter(s.kind for s in samples)
    return [
        Figure("requests/s (all)", len(samples) / seconds, "/s"),
        Figure("pages/s (pages and writes)", len(pages) / seconds, "/s"),
        Figure("front-end file requests", kinds["asset"], ""),
        Figure("writes (requests)", kinds["write"], ""),
        Figure("p50 page", percentile(pages, 0.50), "ms"),
        Figure("p95 page", percentile(pages, 0.95), "ms", 200 if goals else None),
        Figure("p99 page", percentile(pages, 0.99), "ms", 500 if goals else None),
        Figure("errors", len(recorder.errors), "", 0),
    ]


def run_config(config: str, crowd: list[Person], folder: Path) -> float:
    """Both runs against one configuration; returns its throughput with no think time."""
    server, port = start_server(config, folder)
    try:
        browsers = sign_in_all(port, crowd)
        paced = drive(browsers, crowd, SECONDS, (0.5, 1.5))
        print_figures(
            f"\n{config}: {USERS} people, think time 0.5-1.5 s, {SECONDS:g} s",
            figures(paced, SECONDS, goals=True),
        )
        report_errors(paced)
        slowest_pages(paced)
        burst = drive(browsers, crowd, BURST_SECONDS, (0.0, 0.0))
        burst_figures = figures(burst, BURST_SECONDS, goals=False)
        print_figures(
            f"\n{config}: {USERS} people, no think time, {BURST_SECONDS:g} s", burst_figures
        )
        report_errors(burst)
        return burst_figures[1].value
    finally:
        server.terminate()
        server.wait(timeout=30)


def slowest_pages(recorder: Recorder) -> None:
    """The pages with the highest 95th percentile: where the time goes."""
    by_url: dict[str, list[float]] = {}
    for sample in recorder.samples:
        if sample.kind == "page":
            by_url.setdefault(sample.url, []).append(sample.ms)
    worst = sorted(by_url.items(), key=lambda item: -percentile(item[1], 0.95))[:6]
    for url, values in worst:
        p95, p50 = percentile(values, 0.95), percentile(values, 0.5)
        print(f"  p95 {p95:7.0f} ms  p50 {p50:6.0f} ms  ×{len(values):<4} {url}")


def report_errors(recorder: Recorder) -> None:
    for error, count in Counter(recorder.errors).most_common(5):
        print(f"  error ×{count}: {error}")


def postgres_answers(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    configs = os.environ.get("BENCH_CONFIGS", "production,gthread-4").split(",")
    if not postgres_answers(os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)):
        print("bench_load: no PostgreSQL at BENCH_DATABASE_URL; skipped (it needs gunicorn + PG)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        plan_slug, emails, risks = build(folder)
        print(f"Built the database in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        crowd = people(plan_slug, emails, risks)
        throughput = {config: run_config(config, crowd, folder) for config in configs}
    first = next(iter(throughput.values())) or 1.0
    print_figures(
        "\nPages/s with no think time: shortfall from 110/s (2 × 55 before issue 15), and as a"
        " multiple of the first configuration",
        [Figure(f"{c}: shortfall", max(0.0, 110 - v), "/s", 0) for c, v in throughput.items()]
        + [Figure(f"{c}: × {configs[0]}", v / first, "") for c, v in throughput.items()],
    )


if __name__ == "__main__":
    main()
