"""Property-based API tests: schemathesis against the live app's own OpenAPI document.

Run as CI runs it: the schemathesis CLI against a uvicorn server on a loopback port, once with a service
key and once with an admin key, bounded by examples per operation (a few minutes in all). Checks: no
server error, every status code, content type, header and response body as documented, invalid input
refused, and 405 with a correct Allow header for methods a path does not have. Zero failures expected.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection", "unsupported_method", "allow_header_conformance",
])
MAX_EXAMPLES = 12


@pytest.mark.slow
@pytest.mark.parametrize("role", ["service", "admin"])
def test_schemathesis_finds_no_failure(role: str, make_env: Any, tmp_path: Path) -> None:
    env = make_env(throttle={"per_key": "100000/minute", "auth_failures": "100000/minute"})
    cli = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [str(cli), "--no-color", "run", f"{env.server.url}/openapi.json", "--checks", CHECKS,
         "--header", f"Authorization: Bearer {env.keys[role]}", "--max-examples", str(MAX_EXAMPLES),
         "--phases", "examples,coverage,fuzzing", "--workers", "1", "--request-timeout", "60",
         "--seed", "20261130"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # schemathesis 4 ends with "Test cases: N generated, N passed": every generated case passed
    assert re.search(r"\b(\d+) generated, \1 passed\b", output), output[-2000:]
