"""Schemathesis hooks of Tests/Integration/openapi-fuzz.test.sh.

A request docs/openapi.yaml calls valid can still be refused for what the model holds rather than for
its shape: a hotel the model does not have (400 unknown_hotel), or a cold start without a hotel or known
recent items (400 hotel_required). So the run lets positive_data_acceptance take a 400 on /recommend, and
this check refuses every other 400 code there: a valid request answered invalid_parameter or
malformed_json means the server or the spec is wrong, as when the JSON number 1 was read as `true`.
"""

import schemathesis

MODEL_DEPENDENT_REFUSALS = {"unknown_hotel", "hotel_required"}


@schemathesis.check
def valid_requests_are_refused_only_for_what_the_model_lacks(ctx, response, case):
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    code = response.json()["error"]["code"]
    if code not in MODEL_DEPENDENT_REFUSALS:
        raise AssertionError(f"a request valid by the spec was refused with {code}: {response.text}")
    return None
