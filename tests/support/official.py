"""Runs scripts through the official Aerospike client (aerospike==19.3.0) in its own virtual environment.

The official client has the same import name as ours, so it never runs in the test process: a script is sent to
its interpreter on stdin and prints one JSON document. `bin/setup` creates the environment; tests find it through
AEROSPIKE_OFFICIAL_PYTHON. Where it is missing, tests skip, except under CI, where a missing environment fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def official_python() -> str | None:
    candidates = [os.environ.get("AEROSPIKE_OFFICIAL_PYTHON"), str(REPO / ".venv-official" / "bin" / "python")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_official_python() -> str:
    python = official_python()
    if python is None:
        message = "official client venv not found (run bin/setup or set AEROSPIKE_OFFICIAL_PYTHON)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return python


def run_official(script: str, timeout: float = 120.0, **variables: Any) -> Any:
    """Run `script` with the official client; `variables` are available to it as JSON-decoded globals.

    The script must assign its result to `result` (JSON-serialisable); that value is returned. An exception in
    the script fails with its traceback.
    """
    python = require_official_python()
    prelude = "import json, sys\n" + "".join(
        f"{name} = json.loads({json.dumps(json.dumps(value))})\n" for name, value in variables.items()
    )
    epilogue = "\nsys.stdout.write('\\n@@RESULT@@' + json.dumps(result, default=repr))\n"
    completed = subprocess.run(
        [python, "-c", prelude + script + epilogue],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",  # never import our package by accident
    )
    if completed.returncode != 0 or "@@RESULT@@" not in completed.stdout:
        raise AssertionError(
            f"official client script failed (exit {completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    return json.loads(completed.stdout.rsplit("@@RESULT@@", 1)[1])
