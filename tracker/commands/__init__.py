"""Command-line tools: ``flask --app tracker <command>``."""

import click
import sqlalchemy as sa
from flask import current_app

from tracker.auth.models import User
from tracker.extensions import db
from tracker.delegations.cli import register_commands as register_delegation_commands
from tracker.imports.cli import register_commands as register_import_commands
from tracker.jobs.cli import register_commands as register_job_commands
from tracker.notifications.cli import register_commands as register_notification_commands
from tracker.privacy.cli import register_commands as register_privacy_commands
from tracker.reports.generate import generate_command


def _is_email(address):
    """The check the registration form makes, so both ways in accept the same addresses."""
    from email_validator import EmailNotValidError, validate_email

    if len(address) > 254:
        return False
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def register_commands(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    register_notification_commands(app)
    register_delegation_commands(app)
    register_privacy_commands(app)
    register_import_commands(app)
    register_job_commands(app)
    app.cli.add_command(generate_command)


@click.command("seed-demo")
def seed_demo_command():
    """Fill an empty database with the demo organisation."""
    from tracker.commands.demo import seed_demo

    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has users: demo data not added.")
        return
    created = seed_demo()
    db.session.commit()
    click.echo(
        f"Demo data added: {len(created['laboratories'])} laboratories, "
        f"{len(created['users'])} people, {len(created['programmes'])} programmes. "
        "Sign in as admin@example.org, office@example.org, director@example.org, "
        "researcher@example.org, visitor@example.org, security@example.org or "
        "host@example.org with the password demo-password."
    )


@click.command("create-admin")
@click.option("--email", prompt="Email address")
@click.option("--full-name", prompt="Full name")
@click.option("--nationality", default="FR", show_default=True,
              help="ISO 3166 alpha-2 code.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email, full_name, nationality, password):
    """Create an administrator account (the first one of a real deployment)."""
    from tracker.auth.passwords import password_problems
    from tracker.audit import services as audit
    from tracker.auth.services import create_user, normalise_email, user_by_email
    from tracker.core.countries import is_country

    email = normalise_email(email)
    if not _is_email(email):
        raise click.BadParameter("Enter a valid email address.", param_hint="--email")
    if not full_name.strip():
        raise click.BadParameter("Enter a name.", param_hint="--full-name")
    if not is_country(nationality):
        raise click.BadParameter("Use an ISO 3166 alpha-2 code, such as FR.",
                                 param_hint="--nationality")
    if user_by_email(email) is not None:
        raise click.ClickException(f"An account already uses {email}.")
    with current_app.test_request_context():
        problems = password_problems(password, email=email)
    if problems:
        raise click.ClickException(" ".join(problems))
    admin = create_user(email, full_name, password, roles=("admin", "researcher"),
                        category="other", nationality=nationality.upper())
    audit.record(None, "create", "user", admin, after=audit.snapshot("user", admin))
    db.session.commit()
    click.echo(f"Administrator {email} created.")
