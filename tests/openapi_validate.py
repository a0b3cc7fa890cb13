"""Validate an OpenAPI document with openapi-spec-validator (an independent
implementation of the OpenAPI 3.0/3.1 schemas). Prints {"valid": true, ...}."""
import json
import sys

from openapi_spec_validator import validate

with open(sys.argv[1]) as f:
    doc = json.load(f)
validate(doc)
print(json.dumps({"valid": True, "openapi": doc["openapi"], "paths": len(doc["paths"])}))
