"""The directory administration is for administrators only.

The POST data are valid, so an administrator's request saves and is redirected (302).
"""

from tests.routes import Route, admin_only, opinion_givers

USER = {
    "full_name": "Other Person",
    "email": "other@example.org",
    "category": "researcher",
    "nationality": "FR",
    "home_laboratory_id": "",
    "roles": ["researcher"],
    "active": "y",
}
PARTNER = {
    "name": "Partner Laboratory",
    "acronym": "PART",
    "kind": "partner",
    "institution": "University",
    "city": "Boston",
    "country": "US",
    "director_email": "",
}
PROGRAMME = {
    "name": "Short stays abroad",
    "direction": "outgoing",
    "opens_on": "2026-01-01",
    "closes_on": "2026-12-31",
    "min_days": "5",
    "max_days": "90",
    "budget": "25000.00",
    "eligible_categories": ["researcher", "postdoc"],
    "description": "",
    "active": "y",
}

COUNTRY = {"risk_level": "orange", "note": "Example level."}
RULE = {
    "code": "visa_needed",
    "name": "Long stays need a visa",
    "direction": "incoming",
    "min_days": "91",
    "min_risk_level": "",
    "non_eu_national": "y",
    "document_kind": "visa",
    "opinion_kind": "",
    "blocks": "approve",
    "active": "y",
}

ROUTES = [
    Route("directory.list_users", "/admin/users", admin_only(200)),
    Route("directory.edit_user", "/admin/users/{user}", admin_only(200)),
    Route("directory.edit_user", "/admin/users/{user}", admin_only(302), method="POST", data=USER),
    Route("directory.list_laboratories", "/admin/laboratories", admin_only(200)),
    Route("directory.new_laboratory", "/admin/laboratories/new", admin_only(200)),
    Route("directory.new_laboratory", "/admin/laboratories/new", admin_only(302),
          method="POST", data=PARTNER),
    Route("directory.edit_laboratory", "/admin/laboratories/{partner}", admin_only(200)),
    Route("directory.edit_laboratory", "/admin/laboratories/{partner}", admin_only(302),
          method="POST", data=PARTNER),
    Route("directory.list_programmes", "/admin/programmes", admin_only(200)),
    Route("directory.new_programme", "/admin/programmes/new", admin_only(200)),
    Route("directory.new_programme", "/admin/programmes/new", admin_only(302),
          method="POST", data=PROGRAMME),
    Route("directory.edit_programme", "/admin/programmes/{programme}", admin_only(200)),
    Route("directory.edit_programme", "/admin/programmes/{programme}", admin_only(302),
          method="POST", data=PROGRAMME),
    # Countries: administrators and security officers (not a joint unit's director).
    Route("directory.list_countries", "/admin/countries",
          {**admin_only(200), **opinion_givers(200, 403)}),
    Route("directory.edit_country", "/admin/countries/DE",
          {**admin_only(200), **opinion_givers(200, 403)}),
    Route("directory.edit_country", "/admin/countries/DE",
          {**admin_only(302), **opinion_givers(302, 403)}, method="POST", data=COUNTRY),
    Route("directory.list_rules", "/admin/rules", {**admin_only(200), **opinion_givers(403, 403)}),
    Route("directory.new_rule", "/admin/rules/new", admin_only(200)),
    Route("directory.new_rule", "/admin/rules/new", admin_only(302), method="POST", data=RULE),
    Route("directory.edit_rule", "/admin/rules/{rule}", admin_only(200)),
    Route("directory.edit_rule", "/admin/rules/{rule}", admin_only(302), method="POST",
          data=RULE),
    Route("directory.switch_rule", "/admin/rules/{rule}/switch", admin_only(302),
          method="POST"),
]
