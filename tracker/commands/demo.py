"""The demo organisation: laboratories, people and programmes to try the tracker with.

Everything here is fictional, the countries' risk levels included: they are examples, not an
official map. Demo accounts exist only in demo data. Every application is driven through the
services (documents attached, opinions given, transitions taken), so that each queue of each
role holds something to act on after ``make run``.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

from werkzeug.datastructures import FileStorage

from tracker.agreements.models import Agreement
from tracker.agreements.services import attach_document, save_agreement
from tracker.applications.documents import store_document
from tracker.applications.opinions import give_opinion
from tracker.applications.services import create_application, transition
from tracker.auth.services import create_user
from tracker.directory.models import Laboratory, Programme
from tracker.directory.services import set_country_level
from tracker.extensions import db

DEMO_PASSWORD = "demo-password"

# (acronym, name, kind, institution, city, country)
LABORATORIES = [
    ("LPMC", "Laboratoire de Physique de la Matière Condensée", "unit",
     "Mobility Research Organisation", "Paris", "FR"),
    ("IGBM", "Institut de Génomique et de Biologie Moléculaire", "unit",
     "Mobility Research Organisation", "Lyon", "FR"),
    ("LIAS", "Laboratoire d'Informatique et d'Algorithmique de Strasbourg", "unit",
     "Mobility Research Organisation", "Strasbourg", "FR"),
    ("CEOB", "Centre d'Études Océanographiques de Brest", "unit",
     "Mobility Research Organisation", "Brest", "FR"),
    ("ISHM", "Institut des Sciences Humaines de Marseille", "unit",
     "Mobility Research Organisation", "Marseille", "FR"),
    ("NUPD", "Department of Physics", "partner", "Northbridge University", "Boston", "US"),
    ("WCSI", "West Coast Climate Science Institute", "partner",
     "Pacific State University", "Berkeley", "US"),
    ("IMBH", "Institut für Molekularbiologie", "partner", "Universität Heidelberg-Neckar",
     "Heidelberg", "DE"),
    ("ZIM", "Zentrum für Informatik und Mathematik", "partner", "Technische Hochschule Spree",
     "Berlin", "DE"),
    ("KESD", "Department of Earth Sciences", "partner", "University of Kingsbridge",
     "Cambridge", "GB"),
    ("SHRC", "School of History Research Centre", "partner", "Caledonian University",
     "Edinburgh", "GB"),
    ("IAMS", "Institute for Advanced Materials Science", "partner", "Sendai Institute of Technology",
     "Sendai", "JP"),
    ("QCI", "Quantum Computing Institute", "partner", "University of Toronto-Lakeshore",
     "Toronto", "CA"),
    ("IOBA", "Instituto de Oceanografia da Bahia", "partner", "Universidade do Nordeste",
     "Salvador", "BR"),
    ("DMUS", "Dipartimento di Matematica", "partner", "Università di Siena Nuova", "Siena", "IT"),
    ("FJLP", "Franco-Japanese Laboratory for Photonics", "joint_unit",
     "Mobility Research Organisation and University of Kanto", "Tokyo", "JP"),
    ("TLC", "Transatlantic Laboratory for Climate", "joint_unit",
     "Mobility Research Organisation and Rocky Mountain University", "Boulder", "US"),
    ("FGMI", "Franco-German Mathematics Institute", "joint_unit",
     "Mobility Research Organisation and Universität Rheinland", "Bonn", "DE"),
    ("ASAL", "Australian–French Astronomy Laboratory", "joint_unit",
     "Mobility Research Organisation and Southern Cross University", "Sydney", "AU"),
    ("JRL", "Joint Robotics Laboratory", "joint_unit",
     "Mobility Research Organisation and Tsukuba Institute of Technology", "Tsukuba", "JP"),
    ("IBAS", "Instituto de Biodiversidad Andina y Selvática", "partner",
     "Universidad del Alto Magdalena", "Bogotá", "CO"),
    ("CRSE", "Centre de Recherche Sahélien sur l'Environnement", "partner",
     "Université du Fleuve Niger", "Bamako", "ML"),
]
# Units whose access is protected: a foreign national entering one needs a security opinion.
RESTRICTED_UNITS = ("LPMC",)
# Example risk levels (not an official map): (country, level, note).
COUNTRY_LEVELS = [
    ("CO", "orange", "Example level: some regions advised against except for essential travel."),
    ("ML", "red", "Example level: travel formally advised against."),
    ("BR", "yellow", "Example level: increased vigilance in some areas."),
]

# (email, full name, category, nationality, home lab acronym, roles, directs)
PEOPLE = [
    ("admin@example.org", "Alice Martin", "engineer", "FR", "LPMC", ("admin",), ()),
    ("office@example.org", "Olivier Garnier", "engineer", "FR", "IGBM", ("admin",), ()),
    ("security@example.org", "Sophie Laurent", "engineer", "FR", "LIAS",
     ("researcher", "security_officer"), ()),
    ("host@example.org", "Haruto Sato", "researcher", "JP", "JRL",
     ("researcher", "director"), ("JRL",)),
    ("director@example.org", "Dominique Bernard", "researcher", "FR", "LPMC",
     ("researcher", "director"), ("LPMC",)),
    ("researcher@example.org", "Romain Petit", "researcher", "FR", "LPMC", ("researcher",), ()),
    ("visitor@example.org", "Victoria Hughes", "researcher", "US", "NUPD", ("researcher",), ()),
    ("c.moreau@example.org", "Claire Moreau", "researcher", "FR", "IGBM",
     ("researcher", "director"), ("IGBM",)),
    ("h.nguyen@example.org", "Hoang Nguyen", "researcher", "FR", "LIAS",
     ("researcher", "director"), ("LIAS",)),
    ("y.le-gall@example.org", "Yann Le Gall", "researcher", "FR", "CEOB",
     ("researcher", "director"), ("CEOB",)),
    ("s.benali@example.org", "Samira Benali", "researcher", "FR", "ISHM",
     ("researcher", "director"), ("ISHM",)),
    ("k.tanaka@example.org", "Kenji Tanaka", "researcher", "JP", "FJLP",
     ("researcher", "director"), ("FJLP",)),
    ("m.rossi@example.org", "Marco Rossi", "researcher", "IT", "TLC",
     ("researcher", "director"), ("TLC", "FGMI", "ASAL")),
    ("l.dubois@example.org", "Léa Dubois", "phd_student", "FR", "LPMC", ("researcher",), ()),
    ("t.girard@example.org", "Thomas Girard", "postdoc", "FR", "IGBM", ("researcher",), ()),
    ("a.schmidt@example.org", "Anna Schmidt", "postdoc", "DE", "IMBH", ("researcher",), ()),
    ("j.smith@example.org", "James Smith", "phd_student", "GB", "KESD", ("researcher",), ()),
    ("n.fontaine@example.org", "Nicolas Fontaine", "engineer", "FR", "CEOB", ("researcher",), ()),
    ("p.oliveira@example.org", "Paula Oliveira", "researcher", "BR", "IOBA", ("researcher",), ()),
]

ALL_CATEGORIES = ("researcher", "engineer", "phd_student", "postdoc", "other")


def programmes(today):
    year_start = date(today.year, 1, 1)
    return [
        # Open before the demo's stay that began 20 days ago was submitted, even in January.
        dict(name="Short research stays abroad", direction="outgoing",
             opens_on=min(year_start, today - timedelta(days=30)), closes_on=year_start.replace(month=12, day=31),
             min_days=1, max_days=90, budget=Decimal("250000.00"),
             categories=ALL_CATEGORIES,
             description="Conferences, fieldwork and short visits to partner laboratories."),
        dict(name="Secondments to international joint units", direction="outgoing",
             opens_on=year_start, closes_on=today + timedelta(days=180),
             min_days=180, max_days=5 * 365, budget=Decimal("900000.00"),
             categories=("researcher", "engineer"),
             description="Long stays in the organisation's joint units abroad."),
        dict(name="Doctoral mobility grants", direction="outgoing",
             opens_on=today - timedelta(days=60), closes_on=today + timedelta(days=120),
             min_days=30, max_days=365, budget=Decimal("180000.00"),
             categories=("phd_student",),
             description="Research stays abroad for PhD students."),
        dict(name="Visiting scientists", direction="incoming",
             opens_on=year_start, closes_on=year_start.replace(month=12, day=31),
             min_days=2, max_days=3 * 365, budget=Decimal("400000.00"),
             categories=("researcher", "postdoc", "engineer"),
             description="Invitations of researchers from partner laboratories, from a "
                         "two-day seminar to a three-year visit."),
        dict(name="Postdoctoral fellowships in France", direction="incoming",
             opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=90),
             min_days=365, max_days=3 * 365, budget=Decimal("1200000.00"),
             categories=("postdoc",),
             description="One to three years in one of the organisation's units."),
        dict(name="Visiting scientists (previous call)", direction="incoming",
             opens_on=date(today.year - 1, 1, 1), closes_on=date(today.year - 1, 12, 31),
             min_days=7, max_days=365, budget=Decimal("350000.00"),
             categories=("researcher", "postdoc"), active=False,
             description="Last year's call, kept for history."),
    ]


def seed_demo(today=None):
    """Create the demo organisation in an empty database. Returns what was created."""
    today = today or date.today()
    labs = {}
    for acronym, name, kind, institution, city, country in LABORATORIES:
        lab = Laboratory(acronym=acronym, name=name, kind=kind, institution=institution,
                         city=city, country=country, restricted_zone=acronym in RESTRICTED_UNITS)
        db.session.add(lab)
        labs[acronym] = lab
    db.session.flush()

    users = {}
    for email, full_name, category, nationality, lab, roles, directs in PEOPLE:
        user = create_user(email, full_name, DEMO_PASSWORD, roles=roles, category=category,
                           nationality=nationality, home_laboratory_id=labs[lab].id)
        for acronym in directs:
            labs[acronym].director = user
        users[email] = user

    # Through the service, as the security officer would: the audit page has entries.
    for code, level, note in COUNTRY_LEVELS:
        set_country_level(code, level, note, users["security@example.org"])

    progs = []
    for spec in programmes(today):
        spec = dict(spec)
        categories = spec.pop("categories")
        programme = Programme(**spec)
        programme.eligible_categories = categories
        db.session.add(programme)
        progs.append(programme)
    db.session.flush()
    agreements = seed_agreements(labs, users["admin@example.org"], today)
    applications = seed_applications(labs, users, progs, today)
    return {"laboratories": labs, "users": users, "programmes": progs,
            "agreements": agreements, "applications": applications}


# Agreements in force, expiring within six months, expired, a draft and a terminated one:
# (reference, kind, title, laboratories, first day, last day (days from today), status,
# stays a year, a limit?, our contact, the partner's contact).
AGREEMENTS = [
    ("FA-NB-2023", "framework", "Framework agreement with Northbridge University",
     ("LPMC", "LIAS", "NUPD"), -700, 1100, "in_force", 12, False,
     ("Olivier Garnier", "office@example.org"), ("Mary Collins", "m.collins@example.edu")),
    ("UMI-FJLP-2022", "joint_unit", "Franco-Japanese Laboratory for Photonics",
     ("LPMC", "FJLP", "IAMS"), -1300, 120, "in_force", None, False,
     ("Claire Moreau", "c.moreau@example.org"), ("Kenji Sato", "k.sato@example.jp")),
    ("NET-CLIMATE-2021", "network", "Atlantic climate observation network",
     ("LPMC", "CEOB", "TLC", "WCSI"), -1400, 60, "in_force", None, False,
     ("Olivier Garnier", "office@example.org"), ("Dana Brooks", "d.brooks@example.edu")),
    ("JP-KESD-2019", "joint_project", "Glacial sediments joint project",
     ("LPMC", "CEOB", "KESD"), -2000, -30, "in_force", None, False,
     ("", ""), ("Alan Hughes", "a.hughes@example.ac.uk")),
    ("EX-HEID-2024", "exchange", "Heidelberg molecular biology exchange",
     ("LPMC", "IGBM", "IMBH"), -300, 1500, "in_force", 3, True,
     ("Claire Moreau", "c.moreau@example.org"), ("Anna Schmidt", "a.schmidt@example.org")),
    ("UMI-FGMI-2020", "joint_unit", "Franco-German Mathematics Institute",
     ("LIAS", "FGMI", "ZIM"), -1800, 900, "in_force", None, False,
     ("", ""), ("", "")),
    ("FA-ZIM-2027", "framework", "Framework agreement with Technische Hochschule Spree",
     ("LPMC", "ZIM"), 30, 1500, "draft", None, False, ("", ""), ("", "")),
    ("EX-SHRC-2022", "exchange", "History students exchange with Caledonian University",
     ("ISHM", "SHRC"), -1000, 500, "terminated", None, False, ("", ""), ("", "")),
]


def seed_agreements(labs, admin, today):
    """The demo's agreements, recorded through the service as the office would."""
    created = []
    for (reference, kind, title, covered, first, last, status, stays, limit, ours,
         theirs) in AGREEMENTS:
        created.append(save_agreement(Agreement(), admin, {
            "kind": kind, "title": title, "reference": reference,
            "starts_on": today + timedelta(days=first), "ends_on": today + timedelta(days=last),
            "status": status, "laboratory_ids": [labs[acronym].id for acronym in covered],
            "our_contact_name": ours[0], "our_contact_email": ours[1],
            "partner_contact_name": theirs[0], "partner_contact_email": theirs[1],
            "quota_stays": stays, "quota_days": None, "quota_is_limit": limit,
            "notes": "Demo data.",
        }))
    # The first one's signed text, so that its page shows a document to download.
    attach_document(created[0], admin, FileStorage(
        io.BytesIO(DEMO_PDF), filename=f"{created[0].reference} signed.pdf",
        content_type="application/pdf"))
    return created


# Steps applications go through. Each is driven through the services, so that history,
# requirements and notifications are real: (action, actor, comment[, awarded amount]) for a
# transition; ("attach", actor, document kind) for a document; ("opinion", actor, kind,
# verdict, comment) for an opinion. Actors are named by the part of their address before @.
def _submit(actor):
    return [("submit", actor, "")]


def _attach(actor, *kinds):
    return [("attach", actor, kind) for kind in kinds]


# (applicant, funding: a programme's index or "unit", home, host, title, purpose, first day,
# days, cost items [(kind, description, EUR)], steps). Day numbers count from today.
DEMO_APPLICATIONS = [
    ("researcher@example.org", 0, "LPMC", "IMBH", "Protein crystallography workshop",
     "training", 60, 10, [("registration", "Workshop fee", "600.00"),
                          ("accommodation", "Guest house, 9 nights", "1200.00")], []),
    ("researcher@example.org", 0, "LPMC", "FJLP", "Photonics conference in Tokyo",
     "conference", 30, 6, [("travel", "Return flight Paris–Tokyo", "1500.00"),
                           ("registration", "Conference fee", "900.00")],
     _submit("researcher")),
    ("visitor@example.org", 3, "NUPD", "LPMC", "Spin liquids: joint measurements",
     "research_stay", 90, 45, [("travel", "Return flight Boston–Paris", "1400.00"),
                               ("subsistence", "Per diem", "4600.00")],
     _attach("visitor", "invitation_letter") + _submit("visitor")
     + [("endorse", "director", "")]),
    ("researcher@example.org", 0, "LPMC", "KESD", "Fieldwork on glacial sediments",
     "fieldwork", 75, 20, [("travel", "Train and ferry", "700.00"),
                           ("accommodation", "Field station", "2500.00")],
     _submit("researcher")
     + [("return", "director", "Please add the host's invitation and a budget breakdown.")]),
    ("visitor@example.org", 3, "NUPD", "LPMC", "Seminar series on topological matter",
     "teaching", 40, 8, [("travel", "Return flight", "1500.00")],
     _submit("visitor")
     + [("decline", "director", "The laboratory cannot host you on these dates.")]),
    ("researcher@example.org", 0, "LPMC", "NUPD", "Low-temperature transport experiments",
     "research_stay", 120, 21, [("travel", "Return flight Paris–Boston", "1300.00"),
                                ("accommodation", "University housing", "3200.00")],
     _submit("researcher") + [("endorse", "director", ""), ("approve", "admin", "", "4000.00")]),
    ("visitor@example.org", 3, "NUPD", "LPMC", "Sabbatical at LPMC",
     "research_stay", 150, 300, [("subsistence", "Monthly allowance", "38000.00")],
     _attach("visitor", "invitation_letter") + _submit("visitor")
     + [("endorse", "director", ""),
        ("reject", "admin", "The programme funds stays of up to one year at a lower amount.")]),
    ("researcher@example.org", 0, "LPMC", "ZIM", "Visit to the numerics group",
     "research_stay", 45, 7, [("travel", "Train Paris–Berlin", "300.00"),
                              ("accommodation", "Hotel", "800.00")],
     _submit("researcher") + [("withdraw", "researcher", "")]),
    ("researcher@example.org", 0, "LPMC", "QCI", "Quantum devices summer school",
     "training", 100, 12, [("registration", "School fee", "2100.00")],
     _submit("researcher")
     + [("endorse", "director", ""), ("approve", "admin", "", "2100.00"),
        ("cancel", "researcher", "The summer school has been postponed.")]),
    # A stay already over: submitted, approved and completed today.
    ("researcher@example.org", 0, "LPMC", "IAMS", "Thin-film growth at Sendai",
     "research_stay", -20, 10, [("travel", "Return flight", "1600.00"),
                                ("accommodation", "Guest house", "1000.00")],
     _submit("researcher")
     + [("endorse", "director", ""), ("approve", "admin", "", "2500.00"),
        ("complete", "admin", "")]),
    # Overlaps the approved stay above: reviewers see a warning.
    ("researcher@example.org", 0, "LPMC", "WCSI", "Climate data hackathon",
     "conference", 125, 4, [("travel", "Return flight", "900.00")], _submit("researcher")),
    # The director's own request: an administrator endorses it.
    ("director@example.org", 0, "LPMC", "TLC", "Collaboration visit to Boulder",
     "research_stay", 80, 14, [("travel", "Return flight", "1400.00"),
                               ("accommodation", "Hotel", "2100.00")], _submit("director")),
    # Missions on the unit's funds: the director decides, the office never sees them.
    ("researcher@example.org", "unit", "LPMC", "DMUS", "Two-day workshop in Siena",
     "conference", 20, 2, [("travel", "Train Paris–Siena", "320.00"),
                           ("accommodation", "Hotel, one night", "140.00"),
                           ("registration", "Workshop fee", "90.00")],
     _submit("researcher")),
    ("l.dubois@example.org", "unit", "LPMC", "ZIM", "Seminar talk in Berlin",
     "conference", 35, 3, [("travel", "Train Paris–Berlin", "280.00"),
                           ("accommodation", "Hotel, two nights", "260.00")],
     _submit("l.dubois") + [("approve", "director", "")]),
    # A mission to a red country: waits for the security opinion before the director signs.
    ("researcher@example.org", "unit", "LPMC", "CRSE", "Sediment sampling in the Niger delta",
     "fieldwork", 50, 12, [("travel", "Return flight Paris–Bamako", "950.00"),
                           ("insurance", "Repatriation insurance", "120.00"),
                           ("subsistence", "Per diem", "1100.00")],
     _submit("researcher")),
    # The same destination, refused by the security officer: only return or decline remain.
    ("n.fontaine@example.org", "unit", "CEOB", "CRSE", "Installing a river gauge network",
     "fieldwork", 40, 10, [("travel", "Return flight", "950.00"),
                           ("other", "Equipment shipping", "600.00")],
     _submit("n.fontaine")
     + [("opinion", "security", "security", "unfavourable",
         "The region of the stay is under a formal advice against travel.")]),
    # An orange country under a programme call: the opinion's conditions reach the office.
    ("t.girard@example.org", 0, "IGBM", "IBAS", "Biodiversity survey in the Andes",
     "fieldwork", 70, 18, [("travel", "Return flight Paris–Bogotá", "1100.00"),
                           ("accommodation", "Field station", "1400.00")],
     _submit("t.girard")
     + [("endorse", "c.moreau", ""),
        ("opinion", "security", "security", "favourable_with_conditions",
         "Stay in Bogotá and the reserve only; register with the embassy before departure.")]),
    # To a joint unit directed by someone else: its director's host opinion is asked.
    ("researcher@example.org", 0, "LPMC", "JRL", "Soft robotics experiments at JRL",
     "research_stay", 65, 21, [("travel", "Return flight Paris–Tokyo", "1500.00"),
                               ("accommodation", "Researchers' residence", "1900.00")],
     _submit("researcher")),
    # A two-year visit to a restricted unit by a national from outside the EU: a hosting
    # agreement (attached) and a security opinion (awaited) before approval.
    ("p.oliveira@example.org", 3, "IOBA", "LPMC", "Two-year visit: coastal sediment physics",
     "research_stay", 120, 730, [("travel", "Return flight Salvador–Paris", "1800.00"),
                                 ("subsistence", "Monthly allowance, 24 months", "48000.00")],
     _attach("p.oliveira", "invitation_letter", "host_agreement") + _submit("p.oliveira")),
]

# A one-page PDF, enough for the demo's attachments.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def seed_applications(labs, users, progs, today):
    """Applications in every status, for the demo accounts, driven through the workflow."""
    actors = {key.split("@")[0]: user for key, user in users.items()}
    created = []
    for (email, funding, home, host, title, purpose, first_day, days, costs,
         steps) in DEMO_APPLICATIONS:
        start = today + timedelta(days=first_day)
        data = {
            "home_laboratory_id": labs[home].id,
            "host_laboratory_id": labs[host].id,
            "title": title,
            "purpose": purpose,
            "start_date": start,
            "end_date": start + timedelta(days=days - 1),
            "cost_items": [{"kind": kind, "description": description, "amount": amount}
                           for kind, description, amount in costs],
            "justification": "Demo data: " + title.lower() + ".",
        }
        if funding == "unit":
            data.update(funding="unit", budget_line=f"{home}-MISSIONS-{today.year}")
            direction = "incoming" if labs[host].kind == "unit" else "outgoing"
        else:
            data.update(funding="programme", programme_id=progs[funding].id)
            direction = progs[funding].direction
        # A stay that began already was asked for and submitted before it began (no stay
        # starts in the past when created or submitted); the decisions come today.
        asked_on = min(today, start)
        application = create_application(users[email], direction, data, today=asked_on)
        for step in steps:
            _take(application, step, actors, asked_on if step[0] == "submit" else today)
        created.append(application)
    return created


def _take(application, step, actors, today):
    action, actor = step[0], actors[step[1]]
    if action == "attach":
        kind = step[2]
        upload = FileStorage(io.BytesIO(DEMO_PDF), filename=f"{kind}.pdf",
                             content_type="application/pdf")
        store_document(application, actor, kind, upload)
    elif action == "opinion":
        give_opinion(application, actor, step[2], step[3], step[4])
    else:
        comment = step[2]
        awarded = step[3] if len(step) > 3 else None
        transition(application, action, actor, comment=comment,
                   version=application.version, awarded_amount=awarded, today=today)
