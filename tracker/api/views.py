"""The ``/api/v1`` blueprint, with every resource module's routes attached.

Each module registers its routes on :data:`tracker.api.base.bp`; importing them here is
what puts them on the blueprint that ``create_app`` registers.
"""

from tracker.api import applications, directory, docs, documents, opinions, tokens  # noqa: F401
from tracker.api.base import bp  # noqa: F401
