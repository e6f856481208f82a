"""The ``/api/v1`` blueprint, with every resource module's routes attached.

Each module registers its routes on :data:`tracker.api.base.bp`; importing them here is
what puts them on the blueprint that ``create_app`` registers.
"""

from tracker.api import (  # noqa: F401
    agreements, amendments, applications, countries, delegations, directory, docs, documents,
    opinions, privacy, tokens,
)
from tracker.api.base import bp  # noqa: F401
