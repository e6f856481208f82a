"""``flask --app tracker send-notifications``: deliver the outbox;
``flask --app tracker send-reminders``: remind who must act (both run by cron, see README)."""

from datetime import datetime, timezone

import click
from flask import current_app

from tracker.core.dates import local_day
from tracker.jobs.services import start_job
from tracker.notifications.delivery import BATCH_SIZE, deliver_pending
from tracker.notifications.reminders import send_reminders


def register_commands(app):
    app.cli.add_command(send_notifications_command)
    app.cli.add_command(send_reminders_command)


@click.command("send-notifications")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1),
              help="Most messages to handle in this run.")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(min=1),
              help="Messages claimed at a time.")
@click.option("--background", is_flag=True,
              help="Queue the delivery as a job for the workers (needs REDIS_URL).")
def send_notifications_command(limit, batch_size, background):
    """Deliver due notifications by SMTP (or to the log when MAIL_SERVER is unset)."""
    if background:
        _queue("notifications", "tracker.notifications.delivery:delivery_job", limit=limit)
        return
    counts = deliver_pending(limit=limit, batch_size=batch_size)
    click.echo(
        f"Notifications: {counts['sent']} sent, {counts['failed']} failed "
        f"(to be retried later), {counts['gave_up']} given up (see Undelivered messages), "
        f"{counts['skipped']} skipped."
    )


@click.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to count waits up to (YYYY-MM-DD); today by default.")
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send nothing.")
@click.option("--background", is_flag=True,
              help="Queue the run as a job for the workers (needs REDIS_URL).")
def send_reminders_command(today, dry_run, background):
    """Remind who must act after REMINDER_DAYS working days, tell the admins after
    ESCALATION_DAYS, and remind applicants of unmet requirements before their stay. Run it
    daily: a second run on the same day sends nothing new."""
    day = today.date() if today is not None else local_day(datetime.now(timezone.utc))
    if background and not dry_run:
        _queue("reminders", "tracker.notifications.reminders:reminders_job",
               day=day.isoformat())
        return
    counts = send_reminders(day, dry_run=dry_run)
    verb = "would be queued (dry run: nothing sent)" if dry_run else "queued"
    click.echo(
        f"Reminders for {day.isoformat()}: {counts['reminder']} to people waited on, "
        f"{counts['escalation']} escalations to admins, {counts['requirements']} about "
        f"unmet requirements {verb}."
    )


def _queue(kind, target, **kwargs):
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("--background needs REDIS_URL (and a worker): without "
                                   "it, run the command without --background.")
    job = start_job(kind, target, None, **kwargs)
    click.echo(f"Queued as job {job.id} on {current_app.config['JOBS_QUEUE']}: "
               "`flask --app tracker worker` runs it.")
