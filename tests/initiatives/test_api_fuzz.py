"""Schema-driven fuzzing of the API: no server error, and every answer matches the published schema."""

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings


def test_the_api_never_fails_and_keeps_to_its_schema(register, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    # A handler built now, so its middleware reads the test settings.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            case.call_and_validate()

        fuzz()
