"""``flask --app tracker worker``: run the background jobs queued on Redis."""

import click
from flask import current_app

from tracker.jobs.services import job_queue, redis_connection


def register_commands(app):
    app.cli.add_command(worker_command)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst):
    """Run the jobs of the queue JOBS_QUEUE on REDIS_URL (exports, imports, notifications),
    each in a child process with the application's context, until stopped (or, with
    --burst, until the queue is empty). Run one or more on any node."""
    from rq import Worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: without it jobs run within the requests that start "
            "them, and no worker is needed.")
    connection = redis_connection()
    worker = Worker([job_queue(connection)], connection=connection)
    worker.work(burst=burst, with_scheduler=False)
