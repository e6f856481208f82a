"""Schemathesis hooks for ``test_schemathesis.py``: the test data no description can give.

The OpenAPI description says what a valid draft or token request looks like, but not which
programme and laboratories exist, which unit is the caller's, or the caller's password. The
test passes those rows in ``TRACKER_FUZZ_ROWS`` (JSON: operationId → body field → value) and
this hook writes them into the requests the fuzzer means to be valid, in every phase.
Schemathesis's own ``[parameters]`` cannot do it: body values set there reach the generated
phases only, not the examples and coverage ones.

Requests meant to be invalid are left as generated, so what they test stays tested. A row
named ``+field`` is written even when the generated body left that optional field out (an
invitation's programme: the description says a programme call names one, but generators do
not always follow an ``if``/``then``).
"""

import json
import os

import schemathesis
from schemathesis.generation.modes import GenerationMode

ROWS = json.loads(os.environ.get("TRACKER_FUZZ_ROWS", "{}"))


@schemathesis.hook
def map_case(context, case):
    rows = ROWS.get(case.operation.definition.raw.get("operationId"))
    meant_valid = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    if rows and meant_valid and isinstance(case.body, dict):
        for name, value in rows.items():
            # "+name": set even when the generated body left the (optional) field out.
            always = name.startswith("+")
            name = name.removeprefix("+")
            if always or name in case.body:
                case.body[name] = value
    return case
