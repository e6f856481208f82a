"""Dashboard figures, charts and tables, within what each person may see."""

import re
from datetime import date
from decimal import Decimal

from tracker.reports import dashboard


def test_admin_figures_for_a_year(app, org, apps):
    figures = dashboard.dashboard(org["admin"], 2024)
    assert figures["total"] == 3
    assert figures["by_status"]["submitted"] == 1 and figures["by_status"]["rejected"] == 1
    assert figures["by_direction"] == {"incoming": 1, "outgoing": 2}
    # Stays that happen only: the rejected sabbatical, the submitted Boston trip and the
    # endorsed visitor are no stays (yet).
    assert figures["by_month"] == {"incoming": [0] * 12, "outgoing": [0] * 12}
    assert figures["host_countries"] == []
    assert {acronym: n for _id, acronym, _name, n in figures["laboratories"]} == {"UNITA": 3}


def test_director_figures_exclude_other_units(app, org, apps):
    year = apps["bob_us"].start_date.year
    mine = dashboard.dashboard(org["director_a"], year)
    theirs = dashboard.dashboard(org["director_b"], year)
    assert theirs["total"] == 1 and theirs["by_status"]["approved"] == 1
    assert apps["bob_us"].id not in {row.id for row in mine["waiting"]}
    acronyms = {acronym for _id, acronym, _name, _n in mine["laboratories"]}
    assert "UNITB" not in acronyms
    # The waiting list: submitted and endorsed, oldest submission first, own unit only.
    assert dashboard.dashboard(org["director_b"], 2024)["waiting"] == []


def test_waiting_longest_in_order(app, make, org):
    from datetime import datetime, timezone
    later = make.application(applicant=org["ada"], status="endorsed", programme=org["outgoing"],
                             submitted_at=datetime(2025, 3, 1, tzinfo=timezone.utc))
    older = make.application(applicant=org["ada"], status="submitted", programme=org["outgoing"],
                             submitted_at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    make.application(applicant=org["ada"], status="approved", programme=org["outgoing"],
                     submitted_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    waiting = dashboard.dashboard(org["admin"], 2025)["waiting"]
    assert [row.id for row in waiting] == [older.id, later.id]
    assert waiting[0].applicant_name == "Ada Lovelace"


def test_budget_committed_per_programme(app, make, org):
    programme = make.programme("outgoing", name="Budgeted", budget=Decimal("10000.00"),
                               opens_on=date(2023, 9, 1), closes_on=date(2024, 12, 31))
    for status, awarded in (("approved", "1200.00"), ("completed", "800.00"),
                            ("rejected", None)):
        make.application(applicant=org["ada"], status=status, programme=programme,
                         awarded_amount=Decimal(awarded) if awarded else None)
    rows = {name: (budget, committed, n)
            for _id, name, budget, committed, n in dashboard.dashboard(org["admin"], 2024)["programmes"]}
    assert rows["Budgeted"][0] == Decimal("10000.00")
    assert Decimal(rows["Budgeted"][1]) == Decimal("2000.00") and rows["Budgeted"][2] == 2
    # A director sees only the part their unit committed.
    other = make.programme("outgoing", name="Other", opens_on=date(2023, 9, 1),
                           closes_on=date(2024, 12, 31))
    make.application(applicant=org["bob"], status="approved", programme=other,
                     awarded_amount=Decimal("500.00"))
    director_rows = {name: n for _id, name, _b, _c, n in
                     dashboard.dashboard(org["director_a"], 2024)["programmes"]}
    assert director_rows["Other"] == 0


def test_dashboard_page_draws_svg_charts_with_tables(client, login, org, apps):
    login(org["admin"])
    response = client.get("/reports/?year=2024")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count("<svg") == 6  # five charts and the world map
    assert body.count('role="img"') == 6
    assert body.count("<caption>") >= 6
    assert 'scope="row"' in body and 'scope="col"' in body
    assert "http://" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", body).split("<main", 1)[1]


def test_dashboard_page_for_a_director_hides_other_units(client, login, org, apps):
    login(org["director_a"])
    body = client.get(f"/reports/?year={apps['bob_us'].start_date.year}").get_data(as_text=True)
    assert apps["bob_us"].reference not in body and "UNITB" not in body


def test_dashboard_year_outside_the_list_is_refused(client, login, org):
    login(org["admin"])
    assert client.get("/reports/?year=1066").status_code == 400
    assert client.get("/reports/?year=abc").status_code == 400


def test_cached_figures_never_cross_scopes(app, org, apps):
    """With the cache on, a director still gets their own figures, never the admin's."""
    year = apps["bob_us"].start_date.year
    app.config["REPORTS_CACHE_SECONDS"] = 60
    try:
        dashboard.dashboard_cache.clear()
        admin_figures, _at = dashboard.cached_dashboard(org["admin"], year)
        director_figures, director_at = dashboard.cached_dashboard(org["director_b"], year)
        assert director_figures["total"] == 1 < admin_figures["total"]
        # Kept figures come back pickled, so equal rather than the same object; the time
        # they were computed tells that they were kept.
        again, again_at = dashboard.cached_dashboard(org["director_b"], year)
        assert again == director_figures and again_at == director_at
        assert dashboard.cached_dashboard(org["director_a"], year)[0] != director_figures
    finally:
        app.config["REPORTS_CACHE_SECONDS"] = 0
        dashboard.dashboard_cache.clear()


def test_chart_labels_are_escaped_before_being_shortened():
    from tracker.reports.charts import bar_chart

    svg = str(bar_chart("<Label>", [("R&D " * 10 + "<script>", 3)]))
    assert "<script>" not in svg and "&lt;Label&gt;" in svg
    # Cutting after escaping could leave half an entity such as "&am".
    assert "&am<" not in svg and "&a<" not in svg and "&<" not in svg


def test_a_long_bar_label_has_room_left_of_its_bar():
    import re

    from tracker.reports.charts import bar_chart

    svg = str(bar_chart("Statuses", [("Renvoyée pour modification", 1), ("Soumise", 2)]))
    # Labels end where the bars start, and 12-unit text needs about 7 units a character.
    label_end = float(re.search(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg).group(1))
    bar_start = float(re.search(r'<rect x="([\d.]+)"', svg).group(1))
    assert label_end >= len("Renvoyée pour modification") * 7 and bar_start > label_end
    short = str(bar_chart("Statuses", [("Soumise", 2)]))
    assert float(re.search(r'<rect x="([\d.]+)"', short).group(1)) < bar_start


# Only stays that happen; every programme that pays; the year it opens on ---------------------
def test_months_and_host_countries_count_only_approved_and_completed_stays(app, make, org):
    for status, month, host in (("draft", 2, "partner_us"), ("declined", 2, "partner_us"),
                                ("approved", 2, "partner_de"), ("completed", 3, "partner_us"),
                                ("withdrawn", 3, "partner_de")):
        make.application(applicant=org["ada"], status=status, programme=org["outgoing"],
                         host=org[host], start_date=date(2024, month, 1),
                         end_date=date(2024, month, 10))
    figures = dashboard.dashboard(org["admin"], 2024)
    assert figures["total"] == 5  # the counts by status still hold every application
    assert figures["by_month"]["outgoing"][1:3] == [1, 1]
    assert sorted(figures["host_countries"]) == [("DE", 1), ("US", 1)]


def test_budget_table_shows_a_programme_of_last_year_paying_for_stays_this_year(app, make, org):
    older_call = make.programme("outgoing", name="Call of 2023", budget=Decimal("5000.00"),
                                opens_on=date(2023, 1, 1), closes_on=date(2023, 6, 30))
    make.application(applicant=org["ada"], status="approved", programme=older_call,
                     awarded_amount=Decimal("700.00"), start_date=date(2024, 2, 1),
                     end_date=date(2024, 2, 20))
    unused = make.programme("outgoing", name="Unused call of 2022",
                            opens_on=date(2022, 1, 1), closes_on=date(2022, 6, 30))
    rows = {name: (committed, n) for _id, name, _budget, committed, n
            in dashboard.dashboard(org["admin"], 2024)["programmes"]}
    assert Decimal(rows["Call of 2023"][0]) == Decimal("700.00") and rows["Call of 2023"][1] == 1
    assert unused.name not in rows


def test_dashboard_opens_on_this_year_when_it_has_stays(app, client, login, make, org):
    today = date.today()
    make.application(applicant=org["ada"], status="approved", programme=org["outgoing"],
                     start_date=date(today.year - 2, 5, 1), end_date=date(today.year - 2, 5, 9))
    make.application(applicant=org["ada"], status="approved", programme=org["outgoing"],
                     start_date=date(today.year, 12, 1), end_date=date(today.year, 12, 9))
    assert dashboard.default_year(org["admin"], today) == today.year
    login(org["admin"])
    body = client.get("/reports/").get_data(as_text=True)
    assert f"Dashboard {today.year}" in body
    assert "It opens on this year" in body


def test_dashboard_opens_on_the_latest_year_with_stays_and_says_why(app, client, login, make, org):
    today = date.today()
    for status, year in (("approved", today.year - 3), ("completed", today.year - 2),
                         ("draft", today.year), ("declined", today.year - 1)):
        make.application(applicant=org["ada"], status=status, programme=org["outgoing"],
                         start_date=date(year, 5, 1), end_date=date(year, 5, 9))
    assert dashboard.default_year(org["admin"], today) == today.year - 2
    # A director who sees none of them opens on this year.
    assert dashboard.default_year(org["director_b"], today) == today.year
    login(org["admin"])
    body = client.get("/reports/").get_data(as_text=True)
    assert f"Dashboard {today.year - 2}" in body
    assert (f"It opens on {today.year - 2}, the latest year with approved or completed stays: "
            f"{today.year} has none yet.") in body
    # A year asked for is shown without the explanation.
    body = client.get(f"/reports/?year={today.year}").get_data(as_text=True)
    assert f"Dashboard {today.year}" in body and "It opens on" not in body


def test_every_host_country_is_mapped_and_the_top_ten_are_its_first(app, make, org):
    countries = ["BR", "CA", "CN", "DK", "ES", "FI", "GB", "IN", "IT", "JP", "KR", "MX"]
    for index, country in enumerate(countries):
        host = make.lab("partner", country=country)
        for _copy in range(index + 1):
            make.application(applicant=org["ada"], status="approved", programme=org["outgoing"],
                             host=host, start_date=date(2024, 4, 1),
                             end_date=date(2024, 4, 5))
    figures = dashboard.dashboard(org["admin"], 2024)
    assert figures["stays_by_country"] == {country: index + 1
                                           for index, country in enumerate(countries)}
    assert [country for country, _n in figures["host_countries"]] == countries[::-1][:10]


def test_dashboard_page_draws_the_world_map_with_its_table(client, login, make, org, apps):
    year = apps["ada_de"].start_date.year
    login(org["admin"])
    body = client.get(f"/reports/?year={year}").get_data(as_text=True)
    assert 'aria-labelledby="stays-map-title"' in body
    assert re.search(r'data-country="DE" fill="#(?!f1f3f5)', body)
    assert 'data-country="BR" fill="#f1f3f5"' in body
    table = body[body.index('id="stays-map"'):]
    table = table[table.index("<table"):table.index("</table>")]
    assert "<caption>Approved and completed outgoing stays of" in table
    assert "Germany" in table and "United States" in table
