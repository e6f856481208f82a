"""The JSON API and the token pages.

Under /api/ anonymous callers get 401, never a redirect. The matrix signs in with the browser
session and sends form data with the CSRF token: API writes then pass the CSRF check and
reach the body check, which refuses anything but JSON (415). The API's own tests cover the
same endpoints with bearer tokens and JSON bodies.
"""

from tests.routes import (
    Route, admin_only, directors, everyone, not_the_director, opinion_givers, signed_in,
)

API_SIGNED_IN = signed_in(200, anonymous=401)
# The world's application is a draft: its reviewing director does not see it (404).
API_DRAFT = not_the_director(200, anonymous=401)

ROUTES = [
    Route("api.openapi", "/api/v1/openapi.json", everyone(200)),
    Route("api.docs", "/api/v1/docs", everyone(200)),
    Route("api.create_token", "/api/v1/auth/tokens", everyone(415), method="POST"),
    # A session is not a token: there is no "current token" to revoke.
    Route("api.revoke_current_token", "/api/v1/auth/tokens/current", signed_in(404, 401),
          method="DELETE"),
    Route("api.get_me", "/api/v1/me", API_SIGNED_IN),
    Route("api.list_laboratories", "/api/v1/laboratories", API_SIGNED_IN),
    Route("api.create_laboratory", "/api/v1/laboratories", admin_only(415, anonymous=401),
          method="POST"),
    Route("api.update_laboratory", "/api/v1/laboratories/{partner}",
          admin_only(415, anonymous=401), method="PATCH"),
    Route("api.list_programmes", "/api/v1/programmes", API_SIGNED_IN),
    Route("api.create_programme", "/api/v1/programmes", admin_only(415, anonymous=401),
          method="POST"),
    Route("api.list_applications", "/api/v1/applications", API_SIGNED_IN),
    # The researcher's own application, reviewed by the director's unit.
    Route("api.get_application", "/api/v1/applications/{application}", API_DRAFT),
    Route("api.list_events", "/api/v1/applications/{application}/events", API_DRAFT),
    # Writes: the matrix sends form data, so whoever gets past the permission checks meets
    # the JSON check (415). Only the applicant (the researcher) edits or uploads; the admin
    # sees everything but may not (403); the director does not see a draft (404).
    Route("api.create_application", "/api/v1/applications", signed_in(415, anonymous=401),
          method="POST"),
    Route("api.update_application", "/api/v1/applications/{application}",
          {"anonymous": 401, "researcher": 415, "director": 404, "admin": 403},
          method="PATCH"),
    # Which action, and so who may take it, is in the JSON body.
    Route("api.create_transition", "/api/v1/applications/{application}/transitions",
          not_the_director(415, anonymous=401), method="POST"),
    # An upload is multipart; the matrix's url-encoded form is refused the same way (415).
    Route("api.upload_document", "/api/v1/applications/{application}/documents",
          {"anonymous": 401, "researcher": 415, "director": 404, "admin": 403},
          method="POST"),
    Route("api.download_document", "/api/v1/applications/{application}/documents/{document}",
          API_DRAFT),
    # Requirements and opinions: the draft is hidden from the opinion givers (404); the
    # pending application asks for theirs, so they see it.
    Route("api.list_requirements", "/api/v1/applications/{application}/requirements",
          {**API_DRAFT, **opinion_givers(404, 404)}),
    Route("api.list_requirements", "/api/v1/applications/{pending}/requirements",
          {**API_SIGNED_IN, **opinion_givers(200, 200)}),
    Route("api.list_opinions", "/api/v1/applications/{application}/opinions",
          {**API_DRAFT, **opinion_givers(404, 404)}),
    Route("api.list_opinions", "/api/v1/applications/{pending}/opinions",
          {**API_SIGNED_IN, **opinion_givers(200, 200)}),
    # Everyone who sees it meets the JSON check first (the matrix sends form data).
    Route("api.create_opinion", "/api/v1/applications/{pending}/opinions",
          {**signed_in(415, anonymous=401), **opinion_givers(415, 415)}, method="POST"),
    Route("api.create_opinion", "/api/v1/applications/{application}/opinions",
          {**not_the_director(415, anonymous=401), **opinion_givers(404, 404)},
          method="POST"),
    # Amendments: the approved applications are seen by their reviewing director too.
    Route("api.list_amendments", "/api/v1/applications/{amended}/amendments",
          {**API_SIGNED_IN, **opinion_givers(404, 404)}),
    Route("api.create_amendment", "/api/v1/applications/{approved}/amendments",
          {**signed_in(415, anonymous=401), **opinion_givers(404, 404)}, method="POST"),
    Route("api.create_amendment_transition",
          "/api/v1/applications/{amended}/amendments/{amendment}/transitions",
          {**signed_in(415, anonymous=401), **opinion_givers(404, 404)}, method="POST"),
    Route("api.get_stats", "/api/v1/stats", API_SIGNED_IN),
    # Token pages of the signed-in person (the matrix world has no token: 404 to revoke).
    Route("auth.list_tokens", "/auth/tokens", signed_in(200)),
    Route("auth.create_token", "/auth/tokens", signed_in(200), method="POST"),
    Route("auth.revoke_token", "/auth/tokens/999999/revoke", signed_in(404), method="POST"),
    # Countries: everyone signed in reads; admins (and security officers) set a level.
    Route("api.list_countries", "/api/v1/countries", API_SIGNED_IN),
    Route("api.get_country", "/api/v1/countries/DE", API_SIGNED_IN),
    Route("api.set_country", "/api/v1/countries/DE",
          {**admin_only(415, anonymous=401), **opinion_givers(415, 403)}, method="PUT"),
    # Invitations: the director of a unit and admins get past the permission check (415).
    Route("api.create_invitation", "/api/v1/invitations",
          {**directors(415, anonymous=401), **opinion_givers(403, 403)}, method="POST"),
]
