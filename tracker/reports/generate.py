"""Synthetic data at production scale: ``flask --app tracker generate --applications N``.

Ten years of a national organisation's mobility: laboratories worldwide (the United States,
Germany and the United Kingdom the largest partners), about one person per ten
applications, ~94% outgoing stays, every status, dates spread over ten years; about 60% are
missions on the unit's own funds (no programme, a budget line), the rest programme calls;
each application has 1 to 4 cost items that sum to its requested amount. Rows are
written in bulk (COPY on PostgreSQL, large ``executemany`` batches on SQLite) with explicit
ids, so a million applications take a couple of minutes, not hours.

Every row satisfies the schema's CHECK constraints and the domain rules the reports rely on
(directions match laboratory kinds, durations fit the programme, awarded amounts stay within
each programme's budget, a unit mission never went through the office's steps: it is never
endorsed nor rejected). Generated applications carry no Event history.

Agreements: one per group of partner laboratories of a country (about five) with one to
three units, and one per joint unit; most are in force, some expire within six months,
some have expired and a few were terminated. A stay falls under the agreement in force on
its first day that covers its unit and its laboratory abroad, as the services would say.
"""

import itertools
import random
import secrets
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.dialects import postgresql, sqlite

from tracker.agreements.models import Agreement, agreement_laboratories
from tracker.applications.models import Application, CostItem, ReferenceCounter
from tracker.applications.workflow import GRANTED, SETTLED
from tracker.auth.models import CATEGORIES, User, UserRole
from tracker.directory.models import MAX_STAY_DAYS, Laboratory, Programme, ProgrammeCategory
from tracker.extensions import db

YEARS = 10
BATCH = 10_000
REBUILD_INDEXES_FROM = 100_000

# Partner countries, by weight: the largest partners first.
PARTNER_COUNTRIES = [
    ("US", 18), ("DE", 14), ("GB", 12), ("JP", 6), ("IT", 6), ("ES", 5), ("CA", 5),
    ("CH", 4), ("CN", 4), ("NL", 3), ("BE", 3), ("SE", 2), ("AU", 2), ("BR", 2),
    ("IN", 2), ("KR", 2), ("DK", 1), ("NO", 1), ("FI", 1), ("AT", 1), ("PT", 1),
    ("PL", 1), ("CZ", 1), ("IE", 1), ("IL", 1), ("SG", 1), ("MX", 1), ("AR", 1),
    ("CL", 1), ("ZA", 1), ("MA", 1), ("SN", 1), ("VN", 1), ("TH", 1), ("NZ", 1),
    ("GR", 1), ("HU", 1), ("RO", 1), ("TN", 1), ("CO", 1),
]
CITIES = {
    "FR": ["Paris", "Lyon", "Marseille", "Toulouse", "Grenoble", "Strasbourg", "Bordeaux",
           "Lille", "Nantes", "Montpellier", "Rennes", "Nice", "Orsay", "Saclay"],
    "US": ["Boston", "Berkeley", "Chicago", "New York", "Stanford", "Pasadena", "Seattle"],
    "DE": ["Berlin", "Munich", "Heidelberg", "Hamburg", "Göttingen", "Bonn"],
    "GB": ["London", "Cambridge", "Oxford", "Edinburgh", "Manchester", "Bristol"],
    "JP": ["Tokyo", "Kyoto", "Osaka", "Sendai"],
}
FIELDS = ["Physics", "Chemistry", "Biology", "Mathematics", "Computer Science", "Ecology",
          "Earth Sciences", "Astrophysics", "Neuroscience", "Materials", "Sociology",
          "Linguistics", "History", "Economics", "Genomics", "Climate", "Oceanography"]
FIRST_NAMES = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Lucas", "Jules", "Emma",
               "Inès", "Nathan", "Sarah", "Thomas", "Julie", "Antoine", "Claire", "Mehdi",
               "Yasmine", "Pierre", "Marie", "Anna", "David", "Elena", "Kenji", "Mei", "Raj",
               "Priya", "Lukas", "Sofia", "Olga", "Ahmed", "Fatou", "Diego", "Lucía", "Ingrid",
               "Noah", "Zoé", "Gabriel", "Alice", "Paul", "Nina", "Omar", "Aiko", "Wei"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
              "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
              "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
              "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel",
              "Mathieu", "Smith", "Müller", "Tanaka", "Nguyen", "Rossi", "Kowalski", "Silva",
              "Johansson", "Schmidt", "Brown", "Wang", "Kim", "Singh", "Cohen", "Diallo"]
# Agreements: partners of a country grouped this many to an agreement, its kind and title.
AGREEMENT_GROUP = 5
AGREEMENT_TERMS = ("expired", "in_force", "expiring", "in_force", "terminated", "in_force",
                   "in_force", "in_force", "in_force", "in_force")
GROUP_KINDS = ("framework", "framework", "exchange", "joint_project", "network")
AGREEMENT_TITLES = {"framework": "Framework agreement,", "exchange": "Exchange programme,",
                    "joint_project": "Joint project,", "network": "Research network,",
                    "joint_unit": "International joint unit,"}
PURPOSES = [("conference", 30), ("research_stay", 30), ("fieldwork", 12), ("secondment", 6),
            ("teaching", 7), ("training", 10), ("other", 5)]
PURPOSE_TITLES = {
    "conference": "Conference talk in {city}",
    "research_stay": "Research stay at {lab}",
    "fieldwork": "Fieldwork campaign near {city}",
    "secondment": "Secondment to {lab}",
    "teaching": "Teaching at {lab}",
    "training": "Training course in {city}",
    "other": "Collaboration visit to {lab}",
}
# Where applications end up once decided, and where recent ones still are.
DECIDED_STATUSES = [("completed", 44), ("approved", 12), ("rejected", 20), ("declined", 8),
                    ("withdrawn", 8), ("cancelled", 4)]
RECENT_STATUSES = [("draft", 12), ("submitted", 22), ("endorsed", 16), ("returned", 6),
                   ("approved", 28), ("declined", 5), ("rejected", 5), ("withdrawn", 6)]
# Share of missions on the unit's own funds (no programme); the rest are programme calls.
UNIT_MISSION_SHARE = 0.6
# A unit mission is approved by its director from "submitted" (docs/rules.md): the office's
# steps of a programme call become the director's.
UNIT_MISSION_STATUS = {"endorsed": "submitted", "rejected": "declined"}
# Every stay travels; the other items are drawn among these kinds.
OTHER_COST_KINDS = ("accommodation", "subsistence", "registration", "visa", "insurance",
                    "other")
COST_DESCRIPTIONS = {
    "travel": "Return journey", "accommodation": "Lodging", "subsistence": "Daily allowance",
    "registration": "Registration fee", "visa": "Visa fee", "insurance": "Travel insurance",
    "other": "Miscellaneous",
}
# The sets of kinds an application's items may have (travel and 0 to 3 others), each
# count of items about as likely as the others.
COST_KIND_SETS = [
    ("travel", *others)
    for size, repeat in ((0, 60), (1, 10), (2, 4), (3, 3))  # 60 sets of each size
    for others in itertools.combinations(OTHER_COST_KINDS, size)
    for _ in range(repeat)
]
CATEGORY_WEIGHTS = [("researcher", 40), ("engineer", 15), ("phd_student", 25),
                    ("postdoc", 15), ("other", 5)]


def _picker(rng, values, weights, k):
    """``k`` weighted picks at once (much faster than one call per row)."""
    return rng.choices(values, weights, k=k)


class Generator:
    """Builds the data set in memory chunk by chunk and writes it in bulk."""

    def __init__(self, applications, people=None, seed=None, today=None):
        self.applications = applications
        self.people = people or max(20, applications // 10)
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.run = secrets.token_hex(3)  # keeps generated e-mail addresses unique per run
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name

    # Writing -------------------------------------------------------------------------------
    def _next_id(self, table):
        return (self.connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def _write(self, table, columns, rows):
        """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in bulk."""
        if not rows:
            return
        if self.dialect == "postgresql":
            cursor = self.connection.connection.driver_connection.cursor()
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.close()
        else:
            statement = sa.insert(table)
            for start in range(0, len(rows), BATCH * 5):
                chunk = rows[start:start + BATCH * 5]
                self.connection.execute(statement, [dict(zip(columns, row)) for row in chunk])

    def _reset_sequence(self, table):
        if self.dialect == "postgresql":
            self.connection.execute(sa.text(
                # The table's name comes from the models' metadata, never from input.
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608
                f"(SELECT max(id) FROM {table.name}))"
            ))

    # Directory -----------------------------------------------------------------------------
    def laboratories(self):
        rng = self.rng
        scale = max(1, self.applications // 1000)
        n_units = min(300, max(4, scale // 3))
        n_partners = min(1500, max(12, scale * 2))
        n_joint = min(40, max(2, scale // 25))
        countries, weights = zip(*PARTNER_COUNTRIES)
        first_id = self._next_id(Laboratory.__table__)
        now = datetime.now(timezone.utc)
        rows = []
        self.units, self.abroad, self.lab_country, self.lab_acronym, self.lab_city = [], [], {}, {}, {}
        self.partners, self.abroad_weights = [], []
        for index in range(n_units + n_partners + n_joint):
            lab_id = first_id + index
            if index < n_units:
                kind, country = "unit", "FR"
            else:
                kind = "partner" if index < n_units + n_partners else "joint_unit"
                # The three largest partners always have laboratories, however small the run.
                first = index - n_units
                country = countries[first] if first < 3 else rng.choices(countries, weights)[0]
            field = rng.choice(FIELDS)
            city = rng.choice(CITIES.get(country, ["Capital"]))
            acronym = {"unit": "UMR", "partner": "P", "joint_unit": "IRL"}[kind] + str(lab_id)
            name = {
                "unit": f"Laboratory of {field}, {city}",
                "partner": f"{field} Institute, {city}",
                "joint_unit": f"International Laboratory of {field}, {city}",
            }[kind]
            rows.append((lab_id, name, acronym, kind, f"University of {city}", city, country,
                         None, now))
            self.lab_country[lab_id] = country
            self.lab_acronym[lab_id] = acronym
            self.lab_city[lab_id] = city
            if kind == "unit":
                self.units.append(lab_id)
            else:
                self.abroad.append(lab_id)
                self.abroad_weights.append(country)
                if kind == "partner":
                    self.partners.append(lab_id)
        # Each country hosts in proportion to its weight, shared among its laboratories.
        per_country = {}
        for country in self.abroad_weights:
            per_country[country] = per_country.get(country, 0) + 1
        country_weight = dict(PARTNER_COUNTRIES)
        self.abroad_weights = [country_weight[country] / per_country[country]
                               for country in self.abroad_weights]
        self._write(Laboratory.__table__, ["id", "name", "acronym", "kind", "institution",
                                           "city", "country", "director_id", "created_at"], rows)
        self._reset_sequence(Laboratory.__table__)
        self.joint_units = [lab for lab in self.abroad if lab not in set(self.partners)]

    # Agreements ----------------------------------------------------------------------------
    def agreements(self):
        """The agreements and the laboratories they cover, in bulk; remembers which pair of
        unit and laboratory abroad each one in force covers, and when, for the stays."""
        rng = self.rng
        by_country = {}
        for lab_id in self.partners:
            by_country.setdefault(self.lab_country[lab_id], []).append(lab_id)
        groups = [("joint_unit", [lab_id]) for lab_id in self.joint_units]
        for labs in by_country.values():
            groups += [(rng.choice(GROUP_KINDS), labs[start:start + AGREEMENT_GROUP])
                       for start in range(0, len(labs), AGREEMENT_GROUP)]
        next_id = self._next_id(Agreement.__table__)
        now = datetime.now(timezone.utc)
        rows, covered = [], []
        self.agreement_terms = {}
        for offset, (kind, abroad) in enumerate(groups):
            agreement_id = next_id + offset
            status, starts_on, ends_on = self._agreement_term(offset)
            units = rng.sample(self.units, min(len(self.units), rng.randint(1, 3)))
            quota = rng.randint(5, 50) if rng.random() < 0.2 else None
            place = self.lab_city[abroad[0]]
            rows.append((agreement_id, kind, f"{AGREEMENT_TITLES[kind]} {place}",
                         f"AGR-{self.run}-{agreement_id}", starts_on, ends_on, status, "", "",
                         "", "", quota, None, False, "", now))
            covered += [(agreement_id, lab_id) for lab_id in units + abroad]
            if status == "in_force":
                for pair in itertools.product(units, abroad):
                    self.agreement_terms.setdefault(pair, (agreement_id, starts_on, ends_on))
        self._write(Agreement.__table__, [
            "id", "kind", "title", "reference", "starts_on", "ends_on", "status",
            "our_contact_name", "our_contact_email", "partner_contact_name",
            "partner_contact_email", "quota_stays", "quota_days", "quota_is_limit", "notes",
            "created_at"], rows)
        self._write(agreement_laboratories, ["agreement_id", "laboratory_id"], covered)
        self._reset_sequence(Agreement.__table__)

    def _agreement_term(self, offset):
        """``(status, starts_on, ends_on)`` of the ``offset``-th agreement: of every ten, one
        expired, one expiring within six months, one terminated, the others in force."""
        rng, today = self.rng, self.today
        term = AGREEMENT_TERMS[offset % len(AGREEMENT_TERMS)]
        if term == "expired":  # its last day has passed
            ends_on = today - timedelta(days=rng.randint(1, 1500))
            return "in_force", ends_on - timedelta(days=rng.randint(365, 1825)), ends_on
        starts_on = today - timedelta(days=rng.randint(30, 3000))
        if term == "expiring":
            return "in_force", starts_on, today + timedelta(days=rng.randint(1, 180))
        return term, starts_on, today + timedelta(days=rng.randint(183, 1800))

    def _agreement_for(self, unit, abroad, start):
        """The id of the agreement in force on ``start`` covering both laboratories, or None."""
        term = self.agreement_terms.get((unit, abroad))
        if term is not None and term[1] <= start <= term[2]:
            return term[0]
        return None

    def people_rows(self):
        rng = self.rng
        from tracker.auth.passwords import hash_password

        # One hash of a random password nobody knows: generated people cannot sign in, and
        # hashing 100,000 passwords with scrypt would take longer than everything else.
        password_hash = hash_password(secrets.token_urlsafe(24))
        first_id = self._next_id(User.__table__)
        now = datetime.now(timezone.utc)
        categories, category_weights = zip(*CATEGORY_WEIGHTS)
        n_visitors = max(2, self.people // 12)
        users, roles = [], []
        self.unit_people, self.visitor_people, self.person_lab = [], [], {}
        directed = self.units + self.joint_units
        for index in range(self.people):
            user_id = first_id + index
            if index < n_visitors:
                lab = rng.choice(self.partners)
                nationality = self.lab_country[lab]
                self.visitor_people.append(user_id)
            else:
                lab = rng.choice(self.units)
                nationality = "FR" if rng.random() < 0.8 else rng.choice(["DE", "IT", "ES", "US"])
                self.unit_people.append(user_id)
            self.person_lab[user_id] = lab
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"person{user_id}.{self.run}@example.org"
            users.append((user_id, email, name, rng.choices(categories, category_weights)[0],
                          nationality, lab, True, password_hash, secrets.token_urlsafe(24), now))
            roles.append((user_id, "researcher"))
        # Directors: one per unit and joint unit, added as people of their laboratory.
        self.directors = {}
        for offset, lab in enumerate(directed):
            user_id = first_id + self.people + offset
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            users.append((user_id, f"director{user_id}.{self.run}@example.org", name,
                          "researcher", "FR" if self.lab_country[lab] == "FR" else
                          self.lab_country[lab], lab, True, password_hash,
                          secrets.token_urlsafe(24), now))
            roles += [(user_id, "researcher"), (user_id, "director")]
            self.directors[lab] = user_id
        self._write(User.__table__, ["id", "email", "full_name", "category", "nationality",
                                     "home_laboratory_id", "active", "password_hash",
                                     "session_token", "created_at"], users)
        self._write(UserRole.__table__, ["user_id", "role"], roles)
        self._reset_sequence(User.__table__)
        labs = Laboratory.__table__
        self.connection.execute(
            labs.update().where(labs.c.id == sa.bindparam("lab_id"))
            .values(director_id=sa.bindparam("director")),
            [{"lab_id": lab, "director": user} for lab, user in self.directors.items()],
        )

    def programmes(self):
        """Calls per year: several outgoing ones, a couple for incoming researchers."""
        first_id = self._next_id(Programme.__table__)
        now = datetime.now(timezone.utc)
        rows, categories = [], []
        self.programmes_by = {}  # (year, direction) -> [ids]
        first_year = self.today.year - YEARS + 1
        calls = [("outgoing", "Short visits abroad"), ("outgoing", "Research stays abroad"),
                 ("outgoing", "Conferences and schools"), ("outgoing", "Joint units secondments"),
                 ("outgoing", "Fieldwork abroad"), ("incoming", "Visiting scientists"),
                 ("incoming", "Doctoral and postdoctoral fellowships")]
        programme_id = first_id
        for year in range(first_year - 1, self.today.year + 2):
            for direction, title in calls:
                rows.append((programme_id, f"{title} {year}", direction, date(year - 1, 9, 1),
                             date(year, 12, 31), 1, MAX_STAY_DAYS, Decimal("0.00"),
                             f"{title}, call for {year}.", True, now))
                categories += [(programme_id, category) for category in CATEGORIES]
                self.programmes_by.setdefault((year, direction), []).append(programme_id)
                programme_id += 1
        self._write(Programme.__table__, ["id", "name", "direction", "opens_on", "closes_on",
                                          "min_days", "max_days", "budget", "description",
                                          "active", "created_at"], rows)
        self._write(ProgrammeCategory.__table__, ["programme_id", "category"], categories)
        self._reset_sequence(Programme.__table__)

    # Applications --------------------------------------------------------------------------
    def _reference_starts(self):
        """The next free NNNNNN per year, past both the references written and the year's
        counter, so ``--force`` never collides with either."""
        table = Application.__table__
        counters = dict(self.connection.execute(
            sa.select(ReferenceCounter.year, ReferenceCounter.last_value)
        ).all())
        starts = {}
        for year in range(self.today.year - YEARS, self.today.year + 2):
            last = self.connection.execute(
                sa.select(sa.func.max(table.c.reference))
                .where(table.c.reference.like(f"MOB-{year}-%"))
            ).scalar()
            written = int(last[-6:]) if last and last[-6:].isdigit() else 0
            starts[year] = max(written, counters.get(year, 0)) + 1
        return starts

    def advance_reference_counters(self, sequence):
        """Move each year's counter past the references just written, so the next
        application created through the services gets a free number."""
        rows = [{"year": year, "last_value": following - 1}
                for year, following in sequence.items() if following > 1]
        if not rows:
            return
        insert = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(
            ReferenceCounter)
        self.connection.execute(
            insert.on_conflict_do_update(
                index_elements=[ReferenceCounter.year],
                set_={"last_value": sa.case(
                    (ReferenceCounter.last_value < insert.excluded.last_value,
                     insert.excluded.last_value),
                    else_=ReferenceCounter.last_value,
                )},
            ),
            rows,
        )

    def secondary_indexes(self):
        """The applications and cost items indexes that nothing in the load needs (not the
        primary keys, not the unique reference): on PostgreSQL a big load drops and rebuilds
        them, since building an index once is far cheaper than updating it a million times."""
        return [index for table in (Application.__table__, CostItem.__table__)
                for index in table.indexes if not index.unique]

    def foreign_keys(self):
        """The references the applications and cost items make. PostgreSQL checks each one
        row by row while it exists (a locking lookup per row and reference: four per
        application, one per item); a big load drops them and adds them back after, which
        checks every row at once, one join per reference."""
        return [constraint for table in (Application.__table__, CostItem.__table__)
                for constraint in table.foreign_key_constraints]

    def cost_item_rows(self, next_id, application_id, requested_cents):
        """1 to 4 cost items (travel first) that sum to ``requested_cents``, as rows.

        Written for speed (a million applications call it): one draw picks the kinds among
        every possible set, another the cut points."""
        rng = self.rng
        kinds = COST_KIND_SETS[rng.randrange(len(COST_KIND_SETS))]
        if len(kinds) == 1:
            return [(next_id, application_id, 0, "travel", COST_DESCRIPTIONS["travel"],
                     f"{requested_cents // 100}.{requested_cents % 100:02d}")]
        # Cut the amount at distinct points: every item gets at least a cent.
        cuts = sorted(rng.sample(range(1, requested_cents), len(kinds) - 1))
        cuts.append(requested_cents)
        rows = []
        previous = 0
        for position, kind in enumerate(kinds):
            cents = cuts[position] - previous
            previous = cuts[position]
            rows.append((next_id + position, application_id, position, kind,
                         COST_DESCRIPTIONS[kind], f"{cents // 100}.{cents % 100:02d}"))
        return rows

    def application_rows(self, progress):
        rng = self.rng
        table = Application.__table__
        columns = ["id", "reference", "direction", "funding", "programme_id", "budget_line",
                   "applicant_id", "home_laboratory_id", "host_laboratory_id", "title",
                   "purpose", "start_date", "end_date", "requested_amount", "awarded_amount",
                   "justification", "status", "version", "submitted_at", "created_at",
                   "updated_at", "waiting_since", "agreement_id"]
        cost_table = CostItem.__table__
        cost_columns = ["id", "application_id", "position", "kind", "description", "amount"]
        next_id = self._next_id(table)
        next_cost_id = self._next_id(cost_table)
        sequence = self._reference_starts()
        self.awarded = {}
        span_seconds = YEARS * 365 * 86400
        now = datetime.combine(self.today, time(12), tzinfo=timezone.utc)
        purposes, purpose_weights = zip(*PURPOSES)
        decided, decided_weights = zip(*DECIDED_STATUSES)
        recent, recent_weights = zip(*RECENT_STATUSES)
        done = 0
        while done < self.applications:
            size = min(BATCH * 5, self.applications - done)
            hosts = _picker(rng, self.abroad, self.abroad_weights, size)
            purpose_picks = _picker(rng, purposes, purpose_weights, size)
            decided_picks = _picker(rng, decided, decided_weights, size)
            recent_picks = _picker(rng, recent, recent_weights, size)
            rows, cost_rows = [], []
            for index in range(size):
                outgoing = rng.random() < 0.94
                # Recent years hold a little more than old ones (the programme grows).
                age = span_seconds * (rng.random() ** 1.15)
                created = now - timedelta(seconds=age)
                if outgoing:
                    applicant = rng.choice(self.unit_people)
                    home, host = self.person_lab[applicant], hosts[index]
                else:
                    applicant = rng.choice(self.visitor_people)
                    home, host = self.person_lab[applicant], rng.choice(self.units)
                direction = "outgoing" if outgoing else "incoming"
                purpose = purpose_picks[index]
                roll = rng.random()
                if purpose == "conference" or roll < 0.55:
                    days = rng.randint(2, 30)
                elif roll < 0.9:
                    days = rng.randint(31, 365)
                else:
                    days = rng.randint(366, 1460)
                start = created.date() + timedelta(days=rng.randint(20, 240))
                end = start + timedelta(days=days - 1)
                unit_mission = rng.random() < UNIT_MISSION_SHARE
                if unit_mission:
                    funding, programme = "unit", None
                    reviewing = home if outgoing else host
                    budget_line = f"{self.lab_acronym[reviewing]}-MISSIONS-{start.year}"
                else:
                    call_year = min(start.year, self.today.year + 1)
                    funding, budget_line = "programme", ""
                    programme = rng.choice(self.programmes_by[(call_year, direction)])
                if age < 150 * 86400:
                    status = recent_picks[index]
                else:
                    status = decided_picks[index]
                if unit_mission:
                    status = UNIT_MISSION_STATUS.get(status, status)
                if status == "approved" and end < self.today - timedelta(days=120):
                    status = "completed"  # the office closes stays that ended long ago
                if status == "completed" and end >= self.today:
                    status = "approved"
                requested_euros = min(60000, 250 + days * rng.randint(40, 110))
                requested = Decimal(requested_euros).quantize(Decimal("0.01"))
                awarded = None
                if status in GRANTED and unit_mission:
                    awarded = requested  # the director grants the request by default
                elif status in GRANTED:
                    awarded = (requested * Decimal(rng.randint(60, 100)) / 100).quantize(
                        Decimal("0.01"))
                    self.awarded[programme] = self.awarded.get(programme, 0) + awarded
                items = self.cost_item_rows(next_cost_id, next_id, requested_euros * 100)
                cost_rows += items
                next_cost_id += len(items)
                submitted = None if status == "draft" else created + timedelta(
                    hours=rng.randint(1, 240))
                updated = submitted or created
                year = created.year
                reference = f"MOB-{year}-{sequence[year]:06d}"
                sequence[year] += 1
                title = PURPOSE_TITLES[purpose].format(
                    city=self.lab_city[host], lab=self.lab_acronym[host])
                rows.append((next_id, reference, direction, funding, programme, budget_line,
                             applicant, home, host, title, purpose, start, end, requested,
                             awarded, "", status,
                             1 if status == "draft" else rng.randint(2, 4), submitted, created,
                             updated, None if status in SETTLED else updated,
                             self._agreement_for(home if outgoing else host,
                                                 host if outgoing else home, start)))
                next_id += 1
            self._write(table, columns, rows)
            self._write(cost_table, cost_columns, cost_rows)
            done += size
            progress.update(size)
        self._reset_sequence(table)
        self._reset_sequence(cost_table)
        self.advance_reference_counters(sequence)

    def budgets(self):
        """Each programme's budget covers what it awarded, with some room left."""
        table = Programme.__table__
        rows = []
        for programme_ids in self.programmes_by.values():
            for programme_id in programme_ids:
                committed = self.awarded.get(programme_id, Decimal("0"))
                room = Decimal(self.rng.randint(105, 140)) / 100
                budget = max(Decimal("50000.00"), (committed * room).quantize(Decimal("1")))
                rows.append({"programme_id": programme_id, "budget": budget})
        self.connection.execute(
            table.update().where(table.c.id == sa.bindparam("programme_id"))
            .values(budget=sa.bindparam("budget")),
            rows,
        )

    def analyse(self):
        """Fresh statistics (and, on PostgreSQL, a visibility map for index-only scans)."""
        engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            if self.dialect == "postgresql":
                vacuumed = ("applications", "cost_items", "users", "laboratories",
                            "programmes", "agreements", "agreement_laboratories")
                for name in vacuumed:
                    connection.exec_driver_sql(f"VACUUM (ANALYZE) {name}")
                # Every other table too (roles, events, opinions...): a table the planner
                # has no statistics of is guessed large, and a list page's question of who
                # holds a role then ran as a parallel scan (7 ms instead of 0.4).
                for table in db.metadata.sorted_tables:
                    if table.name not in vacuumed:
                        connection.exec_driver_sql(f"ANALYZE {table.name}")
            else:
                connection.exec_driver_sql("ANALYZE")


def generate(applications, people=None, seed=None, echo=click.echo):
    """Write the data set; returns the generator (its ids) for tests."""
    generator = Generator(applications, people=people, seed=seed)
    generator.laboratories()
    generator.agreements()
    generator.people_rows()
    generator.programmes()
    rebuild = generator.dialect == "postgresql" and applications >= REBUILD_INDEXES_FROM
    indexes = generator.secondary_indexes() if rebuild else []
    references = generator.foreign_keys() if rebuild else []
    for constraint in references:
        generator.connection.execute(sa.schema.DropConstraint(constraint))
    for index in indexes:
        index.drop(generator.connection)
    with click.progressbar(length=applications, label="Applications") as progress:
        generator.application_rows(progress)
    if indexes:
        echo("Rebuilding indexes...")
        for index in indexes:
            index.create(generator.connection)
    for constraint in references:
        generator.connection.execute(sa.schema.AddConstraint(constraint))
    generator.budgets()
    db.session.commit()
    generator.analyse()
    return generator


@click.command("generate")
@click.option("--applications", "count", type=click.IntRange(1, 20_000_000), default=1_000_000,
              show_default=True, help="How many applications to create.")
@click.option("--people", type=click.IntRange(20), default=None,
              help="How many people (default: one per ten applications).")
@click.option("--seed", type=int, default=None, help="Random seed, for a repeatable data set.")
@click.option("--force", is_flag=True, help="Add to a database that already has applications.")
@with_appcontext
def generate_command(count, people, seed, force):
    """Fill the database with realistic synthetic mobility data, in bulk."""
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(Application))
    if existing and not force:
        raise click.ClickException(
            f"The database already holds {existing} applications; use --force to add more."
        )
    started = datetime.now()
    generator = generate(count, people=people, seed=seed)
    seconds = (datetime.now() - started).total_seconds()
    click.echo(
        f"Generated {count} applications, {generator.people} people and "
        f"{len(generator.lab_country)} laboratories in {seconds:.1f} s."
    )

