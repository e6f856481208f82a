"""The agreements register: read by everyone signed in, written by administrators. The
matrix world has an agreement (``{agreement}``) between its unit and partner, with a
document (``{agreement_document}``), and a joint unit (``{joint}``)."""

from tests.routes import Route, admin_only, signed_in

ROUTES = [
    Route("agreements.list_agreements", "/agreements/", signed_in(200)),
    Route("agreements.show_agreement", "/agreements/{agreement}", signed_in(200)),
    Route("agreements.create_agreement", "/agreements/new", admin_only()),
    # The form posted empty: an admin meets its messages (422).
    Route("agreements.create_agreement", "/agreements/new", admin_only(422), method="POST"),
    Route("agreements.edit_agreement", "/agreements/{agreement}/edit", admin_only()),
    Route("agreements.edit_agreement", "/agreements/{agreement}/edit", admin_only(422),
          method="POST"),
    Route("agreements.delete_agreement", "/agreements/{agreement}/delete", admin_only()),
    Route("agreements.delete_agreement", "/agreements/{agreement}/delete", admin_only(302),
          method="POST"),
    Route("agreements.show_joint_unit", "/agreements/joint-units/{joint}", signed_in(200)),
    # No file sent: an admin gets "choose a file" (400) next to the field.
    Route("agreements.upload_document", "/agreements/{agreement}/documents", admin_only(400),
          method="POST"),
    Route("agreements.download_document",
          "/agreements/{agreement}/documents/{agreement_document}", signed_in(200)),
    Route("agreements.delete_document",
          "/agreements/{agreement}/documents/{agreement_document}/delete", admin_only()),
    Route("agreements.delete_document",
          "/agreements/{agreement}/documents/{agreement_document}/delete", admin_only(302),
          method="POST"),
    Route("api.list_agreements", "/api/v1/agreements", signed_in(200, anonymous=401)),
    Route("api.get_agreement", "/api/v1/agreements/{agreement}", signed_in(200, anonymous=401)),
    Route("api.create_agreement", "/api/v1/agreements",
          {"anonymous": 401, "researcher": 403, "director": 403, "admin": 415},
          method="POST"),
    Route("api.update_agreement", "/api/v1/agreements/{agreement}",
          {"anonymous": 401, "researcher": 403, "director": 403, "admin": 415},
          method="PATCH"),
    Route("api.delete_agreement", "/api/v1/agreements/{agreement}",
          {"anonymous": 401, "researcher": 403, "director": 403, "admin": 204},
          method="DELETE"),
    Route("api.list_agreement_documents", "/api/v1/agreements/{agreement}/documents",
          signed_in(200, anonymous=401)),
    # The matrix posts a form, not multipart: an admin gets 415.
    Route("api.upload_agreement_document", "/api/v1/agreements/{agreement}/documents",
          {"anonymous": 401, "researcher": 403, "director": 403, "admin": 415},
          method="POST"),
    Route("api.download_agreement_document",
          "/api/v1/agreements/{agreement}/documents/{agreement_document}",
          signed_in(200, anonymous=401)),
    Route("api.delete_agreement_document",
          "/api/v1/agreements/{agreement}/documents/{agreement_document}",
          {"anonymous": 401, "researcher": 403, "director": 403, "admin": 204},
          method="DELETE"),
]
