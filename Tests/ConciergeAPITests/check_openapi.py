"""Validates docs/openapi.yaml and checks responses captured from a live server against it.

Usage: check_openapi.py SPEC RESPONSES_JSON
RESPONSES_JSON is a list of {"method", "path", "status", "body"}.
"""
import json
import sys

import jsonschema
import yaml
from openapi_spec_validator import validate


def pointer(*parts):
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def schema_pointer(spec, path, method, status):
    """Where the JSON schema of this response lives, or None when it is not JSON or not documented."""
    operation = spec["paths"].get(path, {}).get(method)
    if operation is None or status not in operation["responses"]:
        return None, f"{method.upper()} {path}: status {status} is not documented"
    response = operation["responses"][status]
    location = ["paths", path, method, "responses", status]
    if "$ref" in response:
        name = response["$ref"].split("/")[-1]
        response = spec["components"]["responses"][name]
        location = ["components", "responses", name]
    if "application/json" not in response.get("content", {}):
        return None, None
    return pointer(*location, "content", "application/json", "schema"), None


def main(spec_path, responses_path):
    with open(spec_path) as spec_file:
        spec = yaml.safe_load(spec_file)
    validate(spec)
    with open(responses_path) as responses_file:
        responses = json.load(responses_file)
    problems = []
    for response in responses:
        path = response["path"].split("?")[0]
        method = response["method"].lower()
        where, problem = schema_pointer(spec, path, method, str(response["status"]))
        if problem:
            problems.append(problem)
        if where is None:
            continue
        # The spec is the root document, so its "#/components/..." references resolve as written.
        root = dict(spec, **{"$ref": where})
        for error in jsonschema.Draft202012Validator(root).iter_errors(json.loads(response["body"])):
            problems.append(f"{response['method']} {response['path']} ({response['status']}): {error.message}")
    for problem in problems:
        print(problem)
    print(f"checked {len(responses)} responses against {spec_path}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
