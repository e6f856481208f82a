"""The import page is for administrators only; an import nobody started answers 404."""

from tests.routes import Route, admin_only

UNKNOWN = "/admin/import/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

ROUTES = [
    Route("imports.start_import", "/admin/import", admin_only(200)),
    # The form posted without a file: the administrator reads its message (422).
    Route("imports.upload_file", "/admin/import", admin_only(422), method="POST",
          data={"kind": "people"}),
    Route("imports.show_import", UNKNOWN, admin_only(404)),
    Route("imports.download_report", UNKNOWN + "/report.csv", admin_only(404)),
    Route("imports.confirm_import", UNKNOWN + "/confirm", admin_only(404), method="POST"),
    Route("imports.download_template", "/admin/import/templates/people.csv", admin_only(200)),
    Route("imports.download_template", "/admin/import/templates/applications.xlsx",
          admin_only(200)),
    Route("imports.download_template", "/admin/import/templates/nothing.csv",
          admin_only(404)),
]
