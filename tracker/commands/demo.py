"""The demo organisation: laboratories, people and programmes to try the tracker with.

Everything here is fictional. Demo accounts exist only in demo data.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

from werkzeug.datastructures import FileStorage

from tracker.applications.documents import store_document
from tracker.applications.requirements import requirements_of
from tracker.applications.services import create_application, transition
from tracker.auth.services import create_user
from tracker.directory.models import Laboratory, Programme
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
]

# (email, full name, category, nationality, home lab acronym, roles, directs)
PEOPLE = [
    ("admin@example.org", "Alice Martin", "engineer", "FR", "LPMC", ("admin",), ()),
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
]

ALL_CATEGORIES = ("researcher", "engineer", "phd_student", "postdoc", "other")


def programmes(today):
    year_start = date(today.year, 1, 1)
    return [
        dict(name="Short research stays abroad", direction="outgoing",
             opens_on=year_start, closes_on=year_start.replace(month=12, day=31),
             min_days=3, max_days=90, budget=Decimal("250000.00"),
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
             min_days=7, max_days=365, budget=Decimal("400000.00"),
             categories=("researcher", "postdoc", "engineer"),
             description="Invitations of researchers from partner laboratories."),
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
                         city=city, country=country)
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

    progs = []
    for spec in programmes(today):
        spec = dict(spec)
        categories = spec.pop("categories")
        programme = Programme(**spec)
        programme.eligible_categories = categories
        db.session.add(programme)
        progs.append(programme)
    db.session.flush()
    applications = seed_applications(labs, users, progs, today)
    return {"laboratories": labs, "users": users, "programmes": progs,
            "applications": applications}


# (applicant, programme index, home, host, title, purpose, first day, days, EUR, steps).
# Day numbers count from today. Each step is (action, actor, comment); every application is
# driven through transition(), so its history and notifications are real.
DEMO_APPLICATIONS = [
    ("researcher@example.org", 0, "LPMC", "IMBH", "Protein crystallography workshop",
     "training", 60, 10, "1800.00", []),
    ("researcher@example.org", 0, "LPMC", "FJLP", "Photonics conference in Tokyo",
     "conference", 30, 6, "2400.00", [("submit", "researcher", "")]),
    ("visitor@example.org", 3, "NUPD", "LPMC", "Spin liquids: joint measurements",
     "research_stay", 90, 45, "6000.00",
     [("submit", "visitor", ""), ("endorse", "director", "")]),
    ("researcher@example.org", 0, "LPMC", "KESD", "Fieldwork on glacial sediments",
     "fieldwork", 75, 20, "3200.00",
     [("submit", "researcher", ""),
      ("return", "director", "Please add the host's invitation and a budget breakdown.")]),
    ("visitor@example.org", 3, "NUPD", "LPMC", "Seminar series on topological matter",
     "teaching", 40, 8, "1500.00",
     [("submit", "visitor", ""),
      ("decline", "director", "The laboratory cannot host you on these dates.")]),
    ("researcher@example.org", 0, "LPMC", "NUPD", "Low-temperature transport experiments",
     "research_stay", 120, 21, "4500.00",
     [("submit", "researcher", ""), ("endorse", "director", ""),
      ("approve", "admin", "", "4000.00")]),
    ("visitor@example.org", 3, "NUPD", "LPMC", "Sabbatical at LPMC",
     "research_stay", 150, 300, "38000.00",
     [("submit", "visitor", ""), ("endorse", "director", ""),
      ("reject", "admin", "The programme funds stays of up to one year at a lower amount.")]),
    ("researcher@example.org", 0, "LPMC", "ZIM", "Visit to the numerics group",
     "research_stay", 45, 7, "1100.00",
     [("submit", "researcher", ""), ("withdraw", "researcher", "")]),
    ("researcher@example.org", 0, "LPMC", "QCI", "Quantum devices summer school",
     "training", 100, 12, "2100.00",
     [("submit", "researcher", ""), ("endorse", "director", ""),
      ("approve", "admin", "", "2100.00"),
      ("cancel", "researcher", "The summer school has been postponed.")]),
    # A stay already over: submitted, approved and completed today.
    ("researcher@example.org", 0, "LPMC", "IAMS", "Thin-film growth at Sendai",
     "research_stay", -20, 10, "2600.00",
     [("submit", "researcher", ""), ("endorse", "director", ""),
      ("approve", "admin", "", "2500.00"), ("complete", "admin", "")]),
    # Overlaps the approved stay above: reviewers see a warning.
    ("researcher@example.org", 0, "LPMC", "WCSI", "Climate data hackathon",
     "conference", 125, 4, "900.00", [("submit", "researcher", "")]),
    # The director's own request: an administrator endorses it.
    ("director@example.org", 0, "LPMC", "TLC", "Collaboration visit to Boulder",
     "research_stay", 80, 14, "3500.00", [("submit", "director", "")]),
]


def seed_applications(labs, users, progs, today):
    """Applications in every status, for the demo accounts, driven through the workflow."""
    actors = {key.split("@")[0]: user for key, user in users.items()}
    created = []
    for (email, programme_index, home, host, title, purpose, first_day, days, amount,
         steps) in DEMO_APPLICATIONS:
        programme = progs[programme_index]
        start = today + timedelta(days=first_day)
        application = create_application(
            users[email],
            programme.direction,
            {
                "programme_id": programme.id,
                "home_laboratory_id": labs[home].id,
                "host_laboratory_id": labs[host].id,
                "title": title,
                "purpose": purpose,
                "start_date": start,
                "end_date": start + timedelta(days=days - 1),
                "requested_amount": Decimal(amount),
                "justification": "Demo data: " + title.lower() + ".",
            },
            today=today,
        )
        for step in steps:
            action, actor, comment = step[:3]
            awarded = step[3] if len(step) > 3 else None
            if action == "submit":
                attach_documents_required_before(application, "submit")
            transition(application, action, actors[actor], comment=comment,
                       version=application.version, awarded_amount=awarded, today=today)
        created.append(application)
    return created


# A one-page PDF standing for the documents the requirements ask of a demo applicant.
DEMO_PDF = b"%PDF-1.7\n% demo document\n%%EOF\n"


def attach_documents_required_before(application, step):
    """Attach, as the applicant, a demo file of each document kind that a requirement asks
    before ``step`` (an invitation letter for a long research stay, for instance)."""
    for requirement in requirements_of(application):
        if requirement.blocks == step and requirement.document_kind and not requirement.met:
            store_document(application, application.applicant, requirement.document_kind,
                           FileStorage(stream=io.BytesIO(DEMO_PDF),
                                       filename=f"{requirement.document_kind}.pdf"))
    db.session.flush()
    db.session.refresh(application, ["documents"])
