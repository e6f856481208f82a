"""``flask --app tracker announce-delegations``: tell the delegator and the stand-in of each
delegation that starts today (run daily, with ``send-reminders``; a second run the same day
sends nothing new)."""

import click

from tracker.delegations.services import announce_started
from tracker.extensions import db


def register_commands(app):
    app.cli.add_command(announce_delegations_command)


@click.command("announce-delegations")
def announce_delegations_command():
    """Queue the notices of the delegations starting today (each once)."""
    count = announce_started()
    db.session.commit()
    click.echo(f"{count} delegation(s) announced.")
