"""flask export-project and flask import-project.

The command line has no request, so the import's transaction ends here (`import_and_commit`):
committed when the whole project is in, rolled back when anything fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import click
from flask import current_app
from sqlalchemy import select

from tracker.audit import acting_as
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.transfer.services import (
    ImportResult,
    TransferError,
    export_project,
    import_project,
)


@click.command("export-project")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_project_command(slug: str, file: Path) -> None:
    """Write the project SLUG, with its evidence files, to FILE (a ZIP)."""
    project = db.session.execute(select(Project).where(Project.slug == slug)).scalar_one_or_none()
    if project is None:
        raise click.ClickException(f"There is no project with the address {slug!r}")
    partial = file.with_name(file.name + ".part")
    try:
        counts = export_project(project.id, partial)
    except TransferError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(str(error)) from None
    partial.replace(file)
    click.echo(f"Exported {project.name} ({sum(counts.values())} rows) to {file}.")


def import_and_commit(source: IO[bytes] | Path, *, slug: str | None = None) -> ImportResult:
    """Import an export file as a new project and commit it, or raise TransferError and
    change nothing: the rows and the evidence files land together (the files are published by
    the commit), or the rollback removes the files written so far (tracker/evidence/storage.py).
    """
    try:
        result = import_project(source, slug=slug)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if isinstance(error, TransferError):
            raise
        current_app.logger.exception("Project import failed")
        raise TransferError(
            "The import failed and nothing was imported",
            [f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"],
        ) from error
    return result


@click.command("import-project")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="Import under this address instead of the one in the file.")
def import_project_command(file: Path, slug: str | None) -> None:
    """Import a project export FILE as a new project (nothing is imported if anything is wrong)."""
    try:
        with acting_as("import"):
            result = import_and_commit(file, slug=slug)
    except TransferError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Imported {result.name} at /projects/{result.slug}/: "
        f"{sum(result.rows.values())} rows and {result.files} evidence files."
    )
