"""`flask storage-orphans`: files in storage that no evidence row points at.

They come from an upload cut short by a killed worker (a `<key>.part` left under its temporary
name), from rows deleted without their files (a whole project removed, or a process stopped
between removing personal data and deleting its files), or from before uploads were written under
temporary names. Listing is the default; `--remove` deletes them and says what went.

Only files older than `--older-than` minutes are considered, so an upload or an import still in
progress is never touched; and the folder is listed before the rows are read, so a file published
while the command runs is seen with its row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import click
from sqlalchemy import select

from tracker.database import utcnow
from tracker.evidence.models import EvidenceFile
from tracker.evidence.storage import Entry, Storage, storage
from tracker.extensions import db
from tracker.filters import datetime as london_time
from tracker.prepared.models import PreparedDownload

DEFAULT_MINUTES = 60


@dataclass
class Survey:
    unreferenced: list[Entry] = field(default_factory=list)  # no row: to remove
    unpublished: list[Entry] = field(default_factory=list)  # a committed row's file, not renamed


def survey(store: Storage, *, older_than: dt.datetime) -> Survey:
    entries = [e for e in store.entries() if e.modified <= older_than]
    referenced = set(db.session.execute(select(EvidenceFile.storage_key)).scalars())
    referenced |= set(  # the files the worker prepared for download (tracker/prepared)
        db.session.execute(
            select(PreparedDownload.storage_key).where(PreparedDownload.storage_key.is_not(None))
        ).scalars()
    )
    found = Survey()
    for entry in entries:
        # A process stopped between the commit and the rename leaves a row's file pending.
        if entry.pending and entry.key in referenced and not store.exists(entry.key):
            found.unpublished.append(entry)
        elif entry.pending or entry.key not in referenced:
            found.unreferenced.append(entry)
    return found


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _describe(entry: Entry) -> str:
    what = "upload cut short" if entry.pending else "no evidence row refers to it"
    return f"{entry.name} ({file_size(entry.size_bytes)}, {london_time(entry.modified)}): {what}"


@click.command("storage-orphans")
@click.option("--remove", is_flag=True, help="Delete the files listed (default: only list them).")
@click.option(
    "--older-than",
    "minutes",
    type=click.IntRange(min=0),
    default=DEFAULT_MINUTES,
    show_default=True,
    help="Leave files younger than this many minutes alone (uploads still in progress).",
)
def storage_orphans_command(remove: bool, minutes: int) -> None:
    """List the stored files that no evidence row refers to, and uploads cut short;
    with --remove, delete them."""
    store = storage()
    found = survey(store, older_than=utcnow() - dt.timedelta(minutes=minutes))
    for entry in found.unpublished:
        if remove:
            store.publish(entry.key)
        click.echo(
            f"{'Finished' if remove else 'Unfinished'}: {entry.name} "
            f"({file_size(entry.size_bytes)}) belongs to a saved evidence file but was not renamed"
        )
    for entry in found.unreferenced:
        if remove:
            store.remove_entry(entry)
        click.echo(f"{'Removed' if remove else 'Orphan'}: {_describe(entry)}")
    total = file_size(sum(e.size_bytes for e in found.unreferenced))
    count = len(found.unreferenced)
    if not count:
        click.echo("No orphaned files.")
    elif remove:
        click.echo(f"Removed {count} file(s), {total}.")
    else:
        click.echo(f"{count} orphaned file(s), {total}: run again with --remove to delete them.")
