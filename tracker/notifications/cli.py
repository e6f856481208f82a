"""``flask --app tracker send-notifications``: deliver the outbox."""

import click

from tracker.notifications.delivery import BATCH_SIZE, deliver_pending


def register_commands(app):
    app.cli.add_command(send_notifications_command)


@click.command("send-notifications")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1),
              help="Most messages to handle in this run.")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(min=1),
              help="Messages claimed at a time.")
def send_notifications_command(limit, batch_size):
    """Deliver due notifications by SMTP (or to the log when MAIL_SERVER is unset)."""
    counts = deliver_pending(limit=limit, batch_size=batch_size)
    click.echo(
        f"Notifications: {counts['sent']} sent, {counts['failed']} failed "
        f"(to be retried later), {counts['gave_up']} given up (see Undelivered messages), "
        f"{counts['skipped']} skipped."
    )
