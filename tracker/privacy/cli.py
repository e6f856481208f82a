"""``flask --app tracker apply-retention``: erase the documents and the people kept past
their retention (run daily, see README; a second run the same day erases nothing more)."""

from datetime import datetime, timezone

import click

from tracker.core.dates import local_day
from tracker.privacy.retention import apply_retention, plan


def register_commands(app):
    app.cli.add_command(apply_retention_command)


def _ids(ids):
    return ", ".join(str(row_id) for row_id in ids) or "none"


@click.command("apply-retention")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to count retention up to (YYYY-MM-DD); today by default.")
@click.option("--dry-run", is_flag=True, help="List what would be erased; erase nothing.")
def apply_retention_command(today, dry_run):
    """Erase the documents of applications finished more than DOCUMENT_RETENTION_YEARS ago
    and the people inactive for more than PERSON_RETENTION_YEARS (none abroad today)."""
    day = today.date() if today is not None else local_day(datetime.now(timezone.utc))
    done = plan(day) if dry_run else apply_retention(day)
    verb = "would be erased (dry run: nothing erased)" if dry_run else "erased"
    click.echo(f"Retention on {day.isoformat()}: {len(done.documents)} document(s), "
               f"{len(done.people)} person(s), {len(done.import_files)} import file(s) and "
               f"{len(done.job_files)} job file(s) {verb}.")
    if dry_run:
        click.echo(f"Documents: {_ids(done.documents)}")
        click.echo(f"People: {_ids(done.people)}")
