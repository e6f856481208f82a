"""``flask --app tracker import KIND FILE [--dry-run]``: import laboratories, people,
programmes or past applications from a CSV or XLSX file (docs/import.md), printing the
progress and, at the end, the counts and each refused row."""

import sys
import time

import click

from tracker.extensions import db
from tracker.imports.columns import KINDS
from tracker.imports.reading import BadFile, extension_of
from tracker.imports.writing import run_import


def register_commands(app):
    app.cli.add_command(import_command)


class ProgressBar:
    """The rows checked, out of the file's, and the rate, on standard error as a bar that
    redraws itself (a line per batch when the output is not a terminal)."""

    def __init__(self):
        self.started = time.monotonic()
        self.done = 0
        self.bar = None

    def __call__(self, done, total):
        if not sys.stderr.isatty():
            click.echo(f"{done:,} of {total or done:,} rows checked ({self._rate(done)})",
                       err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total or done, label="Rows", show_pos=True,
                                         item_show_func=self._rate, file=sys.stderr)
            self.bar.__enter__()
        self.bar.length = max(self.bar.length, done)
        self.bar.update(done - self.done, done)
        self.done = done

    def _rate(self, done):
        if done is None:
            return None
        return f"{done / max(time.monotonic() - self.started, 1e-6):,.0f} rows/s"

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_command(kind, path, dry_run):
    """Import KIND (laboratories, people, programmes, applications) from the file PATH."""
    progress = ProgressBar()
    with open(path, "rb") as stream:
        try:
            result = run_import(kind, stream, extension_of(path), source=click.format_filename(
                path).rsplit("/", 1)[-1], commit=None if dry_run else db.session.commit,
                progress=progress)
        except BadFile as error:
            raise click.ClickException(str(error.message)) from None
        finally:
            progress.close()
    for line, column, reason in result.problems:
        click.echo(f"row {line}, {column}: {reason}")
    verb = "would be" if dry_run else "were"
    click.echo(f"{result.total} rows in {result.seconds:.1f} s "
               f"({result.rows_per_second:.0f} rows/s): {result.created} {verb} created, "
               f"{result.updated} {verb} updated, {result.unchanged} unchanged, "
               f"{result.refused} refused.")
    if result.refused:
        raise SystemExit(1)
