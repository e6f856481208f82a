"""The indexes that keep the list, dashboard and registers fast at a million applications.

The indexes are declared here, next to the queries that need them, rather than on the
``Application`` model, so that the metadata (and any autogenerate comparison) matches the
migrations ``c5e2f1a7b9d3``, ``b8d4f2a6c1e3`` and ``b8e2d4f6a1c3``.
"""

import sqlalchemy as sa

from tracker.applications.models import Application, CostItem


# Default list order (newest first) when no status filter narrows it: the status filter
# already has ix_applications_status_created.
sa.Index("ix_applications_created_at_id", Application.created_at, Application.id)
# One for each other sort the list offers (filters.SORTS): ORDER BY column, id and its keyset
# position read a few index entries at any depth. (start_date, id) also serves the year
# filters' ranges.
sa.Index("ix_applications_reference_id", Application.reference, Application.id)
sa.Index("ix_applications_title_id", Application.title, Application.id)
sa.Index("ix_applications_start_date_id", Application.start_date, Application.id)
sa.Index("ix_applications_end_date_id", Application.end_date, Application.id)
# The dashboard's yearly figures read only these columns: on PostgreSQL the aggregates are
# index-only scans of one narrow range instead of reads of the table.
sa.Index(
    "ix_applications_start_date_facets",
    Application.start_date,
    Application.status,
    Application.direction,
    Application.home_laboratory_id,
    Application.host_laboratory_id,
)
# Budget committed per programme: sum(awarded_amount) of approved/completed, by programme.
sa.Index(
    "ix_applications_programme_status_awarded",
    Application.programme_id,
    Application.status,
    Application.awarded_amount,
)
# Applications waiting longest for a decision, and the duty-of-care register.
sa.Index("ix_applications_status_submitted_at", Application.status, Application.submitted_at)
sa.Index(
    "ix_applications_status_end_date",
    Application.status,
    Application.end_date,
    Application.start_date,
    Application.direction,
    Application.host_laboratory_id,
)
# The dashboard's figures by funding (count, requested and awarded per funding, in a year):
# an index-only scan of the year's range, not reads of the table.
sa.Index(
    "ix_applications_start_date_funding",
    Application.start_date,
    Application.funding,
    Application.status,
    Application.requested_amount,
    Application.awarded_amount,
)
# Cost items per application, summed per kind (the exports' totals, the dashboard's and the
# API's cost by kind): index-only lookups, never reads of the table.
sa.Index(
    "ix_cost_items_application_id_kind_amount",
    CostItem.application_id,
    CostItem.kind,
    CostItem.amount,
)
