"""Schemathesis hooks for ``test_schemathesis.py``: the test data no description can give.

The OpenAPI description says what a valid draft or token request looks like, but not which
programme and laboratories exist, which unit is the caller's, or the caller's password. The
test passes those rows in ``TRACKER_FUZZ_ROWS`` (JSON: operationId → body field → value) and
this hook writes them into the requests the fuzzer means to be valid, in every phase. A row
a request uses up (an agreement a DELETE removes) comes from a pool, one per request.
Schemathesis's own ``[parameters]`` cannot do it: body values set there reach the generated
phases only, not the examples and coverage ones.

Requests meant to be invalid are left as generated, so what they test stays tested. A row
named ``+field`` is written even when the generated body left that optional field out. A
``null`` the generator chose stays ``null``: a mission on the unit's funds names no
programme.

Funding: the description says, with ``if``/``then``, that a programme call names its
programme and a unit mission none, but generators do not always follow an ``if``/``then``.
So a body meant to be valid gets the run's programme when it is a programme call (said, or
left to be inferred from a programme), and none when it is a unit mission. Both kinds of
body are sent: the generator picks the funding.
"""

import itertools
import json
import os
from datetime import date, timedelta

import schemathesis
from schemathesis.generation.modes import GenerationMode

ROWS = json.loads(os.environ.get("TRACKER_FUZZ_ROWS", "{}"))
# A delegation may not overlap another of the same delegator: each valid one the run gives
# gets a day of its own, two days after the last one's.
FRESH_DAYS = itertools.count(1)


# Rows a valid request may use once (an agreement or a document to delete), taken in turn;
# ``pool_parameter`` names the path parameter they go in when there are several.
POOLS = {operation: (rows.get("pool_parameter"), iter(rows["path_pool"]))
         for operation, rows in ROWS.items() if "path_pool" in rows}


@schemathesis.hook
def map_case(context, case):
    operation = case.operation.definition.raw.get("operationId")
    rows = ROWS.get(operation)
    meant_valid = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    if operation in POOLS and meant_valid and case.path_parameters:
        _take_from_pool(case, POOLS[operation])
    if rows and meant_valid and isinstance(case.body, dict):
        for name, value in rows.items():
            # "+name": set even when the generated body left the (optional) field out.
            always = name.startswith("+")
            name = name.removeprefix("+")
            if name in ("fresh_period", "agreement_term"):
                continue
            if always or case.body.get(name) is not None:
                case.body[name] = value
        if "programme_id" in rows:
            _follow_funding(case.body, rows["programme_id"])
        if rows.get("fresh_period"):
            case.body.pop("fresh_period", None)
            day = (date.today() + timedelta(days=2 * next(FRESH_DAYS))).isoformat()
            case.body["starts_on"] = case.body["ends_on"] = day
        term = rows.get("+agreement_term") or rows.get("agreement_term")
        if term:
            _agreement_term(case.body, always="+agreement_term" in rows)
    return case


def _take_from_pool(case, pool):
    """The next unused row of ``pool`` in its path parameter (the case's only one unless the
    pool names it), left as generated once the pool is spent."""
    name, rows = pool
    row_id = next(rows, None)
    if row_id is not None:
        case.path_parameters[name or next(iter(case.path_parameters))] = row_id


def _agreement_term(body, always):
    """An agreement's term in order, from today for a year: the days the body names (all
    of them when ``always``), around the run's agreements' own terms."""
    today = date.today()
    for name, day in (("starts_on", today), ("ends_on", today + timedelta(days=365))):
        if always or name in body:
            body[name] = day.isoformat()


def _follow_funding(body, programme_id):
    """The funding's ``if``/``then``: a programme call names the programme, a unit mission none."""
    funding = body.get("funding")
    if funding == "programme" and body.get("programme_id") is None:
        body["programme_id"] = programme_id
    elif funding == "unit" and body.get("programme_id") is not None:
        body["programme_id"] = None
