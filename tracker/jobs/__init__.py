"""Background jobs: long work (large exports and imports, notification delivery,
reminders) queued on Redis with RQ and run by ``flask --app tracker worker``, or run at
once when no Redis is configured. The :class:`~tracker.jobs.models.Job` row is what people
see of it (``/jobs/<id>``); who may see one is decided in :mod:`tracker.access`."""
