"""Documents of the matrix world's application (a draft of ``researcher``)."""

from tests.routes import Route

ROUTES = [
    # No file sent: the applicant gets "choose a file" (400); the others may not upload.
    Route(
        "applications.upload_document",
        "/applications/{application}/documents",
        {"anonymous": 302, "researcher": 400, "director": 404, "admin": 403},
        method="POST",
        data={"kind": "cv"},
    ),
    Route(
        "applications.download_document",
        "/applications/{application}/documents/{document}",
        {"anonymous": 302, "researcher": 200, "director": 404, "admin": 200},
    ),
]
