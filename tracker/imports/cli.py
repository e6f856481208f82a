"""``flask --app tracker import KIND FILE [--dry-run]``: import laboratories, people,
programmes or past applications from a CSV or XLSX file (docs/import.md), printing the
progress and, at the end, the counts and each refused row."""

import click

from tracker.extensions import db
from tracker.imports.columns import KINDS
from tracker.imports.reading import BadFile, extension_of
from tracker.imports.writing import run_import


def register_commands(app):
    app.cli.add_command(import_command)


def _progress(result):
    click.echo(f"{result.total} rows checked ({result.rows_per_second:.0f} rows/s)", err=True)


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_command(kind, path, dry_run):
    """Import KIND (laboratories, people, programmes, applications) from the file PATH."""
    with open(path, "rb") as stream:
        try:
            result = run_import(kind, stream, extension_of(path), source=click.format_filename(
                path).rsplit("/", 1)[-1], commit=None if dry_run else db.session.commit,
                progress=_progress)
        except BadFile as error:
            raise click.ClickException(str(error.message)) from None
    for line, column, reason in result.problems:
        click.echo(f"row {line}, {column}: {reason}")
    verb = "would be" if dry_run else "were"
    click.echo(f"{result.total} rows in {result.seconds:.1f} s "
               f"({result.rows_per_second:.0f} rows/s): {result.created} {verb} created, "
               f"{result.updated} {verb} updated, {result.unchanged} unchanged, "
               f"{result.refused} refused.")
    if result.refused:
        raise SystemExit(1)
