"""The API answers what its OpenAPI document says, whatever it is sent.

Schemathesis reads /api/openapi.json from the app itself and sends every operation generated
requests through the WSGI app: valid ones (within the schemas) and invalid ones (outside them).
Operations that declare `bearerAuth` are called as a real user of the demo commune, drawn per case:
a citizen (the applicant of a real dossier), the commune's reception officer or its leader. Path
parameters `code` and `document_id` are, in about half the cases, those of that real dossier and
its documents, so the answers with a body (the two dossier shapes, forms, rating) are checked too,
not only the 404s.

Checks on every answer: no 5xx; the status code is declared by the operation itself (the `default`
answer covers only 503, a database or store that does not answer); content type, headers and body
match the declared answer; a request outside the schemas is refused with a 4xx.

Left out, on purpose: `positive_data_acceptance` (a request valid by the schemas may rightly be
refused: an unknown dossier code is 404, a transition not available now is 409) and the stateful
checks (`use_after_free`, `ensure_resource_availability`, `ignored_auth`, ...), which need links
between operations the document does not declare.

`FUZZ_EXAMPLES` sets the generated examples per operation and mode (default 25, for `make test`);
`make fuzz` raises it to 250 (about 12,000 cases), requires `FUZZ_MIN_CASES` of them, and prints the
counts.
"""

from __future__ import annotations

import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import act, submit

BIRTH = "1.001193"  # đăng ký khai sinh: xã Cần Đăng receives, appraises and signs

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# 503 is the one answer any operation may give without declaring it: the database or the object
# store did not answer (app.core.errors.database_error_response), which is not the API's logic.
UNDECLARED_ALLOWED = {"503"}
TALLY: Counter = Counter()
OPERATIONS: set[str] = set()


@schemathesis.check
def status_code_declared(ctx, response, case) -> bool | None:
    """The operation lists the status code itself; `default` is no excuse for a 404 or a 409."""
    declared = set(case.operation.definition.raw.get("responses", {}))
    status = str(response.status_code)
    if status in declared or status in UNDECLARED_ALLOWED:
        return None
    raise AssertionError(
        f"{case.operation.label} answered {status}, which it does not declare "
        f"(declared: {', '.join(sorted(declared))})"
    )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    status_code_declared,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def fuzz_world(app, make_user, auth_headers, user):
    """Who calls, and a real dossier (submitted by the citizen, accepted at the counter)."""
    citizen = make_user("citizen", phone="0912345678")
    reception, leader = make_user("reception"), make_user("leader")
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    return {
        "headers": {
            "citizen": auth_headers(citizen),
            "reception": auth_headers(reception),
            "leader": auth_headers(leader),
        },
        "code": dossier.code,
        "document_ids": [str(d.id) for d in dossier.documents],
    }


def _aim_at_real_dossier(case, world: dict, pick: int) -> None:
    if case.operation.path.startswith("/api/v1/dossiers/{code}") and case.path_parameters:
        case.path_parameters["code"] = world["code"]
        if "document_id" in case.path_parameters:
            ids = world["document_ids"]
            case.path_parameters["document_id"] = ids[pick % len(ids)]


def _has_inputs(operation) -> bool:
    raw = operation.definition.raw
    return bool(
        raw.get("parameters") or raw.get("requestBody") or raw.get("security") or operation.path_parameters
    )


def _fuzz(operation, mode: GenerationMode, world: dict) -> None:
    """One Hypothesis run of one operation in one generation mode."""

    @hypothesis.given(
        case=operation.as_strategy(generation_mode=mode),
        caller=st.sampled_from(["citizen", "reception", "leader"]),
        real=st.booleans(),
        pick=st.integers(0, 9),
    )
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case, caller, real, pick):
        # A component generated outside its schema is sent as generated: the answer must refuse it.
        negative = case.meta.is_negative_at if case.meta else (lambda _: False)
        if operation.definition.raw.get("security") and not negative(ParameterLocation.HEADER):
            case.headers = {**(case.headers or {}), **world["headers"][caller]}
        if real and not negative(ParameterLocation.PATH):
            _aim_at_real_dossier(case, world, pick)
        TALLY["cases"] += 1
        response = case.call()
        TALLY[f"status {response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup):
            TALLY["server errors" if response.status_code >= 500 else "schema violations"] += 1
            raise

    run()


def test_api_answers_as_documented(app, fuzz_world, fuzz_tally, subtests):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the document lists the API's operations"
    for operation in operations:
        OPERATIONS.add(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
                continue  # nothing to send outside the schemas (GET /api/v1/units takes no input)
            with subtests.test(msg=f"{operation.label} [{mode.value}]"):
                _fuzz(operation, mode, fuzz_world)


@pytest.fixture(scope="module")
def fuzz_tally(request):
    """Prints what was sent and what came back once the module is done (`make fuzz` shows it)."""
    yield TALLY
    minimum = int(os.environ.get("FUZZ_MIN_CASES", "0"))
    assert TALLY["cases"] >= minimum, f"only {TALLY['cases']} cases were sent, fewer than {minimum}"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(
            f"\napi fuzz: {TALLY['cases']} cases over {len(OPERATIONS)} operations "
            f"({EXAMPLES} generated examples per operation and mode); "
            f"server errors: {TALLY['server errors']}, schema violations: {TALLY['schema violations']}; "
            + ", ".join(f"{k}: {v}" for k, v in sorted(TALLY.items()) if k.startswith("status"))
        )
