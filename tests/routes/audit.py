"""The audit of the directory is for administrators only."""

from tests.routes import Route, admin_only

ROUTES = [
    Route("audit.list_entries", "/admin/audit", admin_only(200)),
    Route("audit.list_entries", "/admin/audit?subject_type=laboratory&actor=admin&q=PART"
          "&since=2020-01-01&until=2030-12-31", admin_only(200)),
]
