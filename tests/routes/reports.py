from tests.routes import Route, directors, everyone, signed_in

ROUTES = [
    Route("reports.dashboard", "/reports/", directors(200)),
    Route("reports.list_applications", "/reports/applications", directors(200)),
    Route("reports.export_csv", "/reports/applications.csv", directors(200)),
    Route("reports.export_xlsx", "/reports/applications.xlsx", directors(200)),
    Route("reports.presence", "/reports/presence", directors(200)),
    Route("reports.export_presence", "/reports/presence.csv", directors(200)),
    Route("reports.export_presence", "/reports/presence.xlsx", directors(200)),
    # The former address of the register of people abroad leads to it.
    Route("reports.abroad", "/reports/abroad", directors(301)),
    Route("reports.laboratory_stays", "/reports/laboratories/{unit}/stays", directors(200)),
    Route("reports.calendar", "/reports/calendar", signed_in(200)),
    Route("reports.calendar", "/reports/calendar", signed_in(302), method="POST"),
    # Without its secret, a feed is as if it did not exist.
    Route("reports.calendar_feed", "/reports/calendar/not-a-secret.ics", everyone(404)),
]
