"""A job is its owner's only (the matrix world's job is the researcher's, still running):
anyone else is told it does not exist, and its file is not there before it is done."""

from tests.routes import Route


def owner_only(status):
    return {"anonymous": 302, "researcher": status, "director": 404, "admin": 404}


ROUTES = [
    Route("jobs.show_job", "/jobs/{job}", owner_only(200)),
    Route("jobs.job_status", "/jobs/{job}/status", owner_only(200)),
    Route("jobs.download_result", "/jobs/{job}/download", owner_only(409)),
]
