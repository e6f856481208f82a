"""Every model, imported in one place so that the metadata (and Alembic) sees them all."""

from tracker.applications.models import Application, Document, Event  # noqa: F401
from tracker.auth.models import ApiToken, CalendarFeed, User, UserRole  # noqa: F401
from tracker.directory.models import Laboratory, Programme, ProgrammeCategory  # noqa: F401
from tracker.notifications.models import Notification  # noqa: F401
from tracker.reports import models as report_indexes  # noqa: F401
from tracker.audit.models import AuditEntry  # noqa: F401
from tracker.delegations.models import Delegation  # noqa: F401
from tracker.agreements.models import Agreement, AgreementDocument  # noqa: F401
from tracker.jobs.models import Job  # noqa: F401
