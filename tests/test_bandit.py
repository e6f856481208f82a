"""Bandit, the static security linter, finds nothing of medium or high severity in tracker/.

A finding that is a false alarm is explained in a comment beside its ``# nosec <test id>``;
anything else fails here, and so fails CI.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANDIT = Path(sys.executable).with_name("bandit")


def test_bandit_finds_no_medium_or_high_issue():
    assert BANDIT.exists(), "bandit is not installed: pip install -r requirements-dev.txt"
    result = subprocess.run(
        [str(BANDIT), "-q", "-r", "tracker", "-ll", "-f", "custom",
         "--msg-template", "{relpath}:{line} {test_id} {severity}: {msg}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    findings = [line for line in result.stdout.splitlines() if line.startswith("tracker/")]
    assert result.returncode == 0 and findings == [], result.stdout + result.stderr


def test_every_nosec_says_why():
    """A silenced finding carries its reason on the line above (or the same line)."""
    unexplained = []
    for path in (ROOT / "tracker").rglob("*.py"):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if "# nosec" not in line:
                continue
            code, _, _ = line.partition("# nosec")
            previous = lines[number - 1].strip() if number else ""
            if not previous.startswith("#") and "#" not in code:
                unexplained.append(f"{path.relative_to(ROOT)}:{number + 1}")
    assert unexplained == []
