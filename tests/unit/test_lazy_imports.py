"""A serving process stays small: the design card's heavy packages load only where used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "numpy", "openpyxl", "mt940", "defusedxml", "reportlab")
ROOT = Path(__file__).resolve().parents[2]


def test_starting_the_app_loads_no_import_libraries(tmp_path):
    code = (
        "import json, sys\n"
        "import app\n"
        "app.app.test_client().get('/health')\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    env = {**os.environ, "FINORA_DATA_DIR": str(tmp_path), "SCHEDULER_ENABLED": "0"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == []
