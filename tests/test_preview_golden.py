"""Golden test: `python -m bot preview --json` on a fixture feed, byte for byte.

The fixture (tests/data/golden/feed.xml) and its rules (tests/data/golden/topics.toml) hold
the matcher's hostile cases: a curly possessive, entity-encoded HTML, a dotted and hyphenated
phrase, Title-case "Nato", "senator", an exclude, and sides. Any change in what preview prints
(decisions, terms, spans, alert text) shows up as a diff here. After an intended change,
regenerate with `UPDATE_GOLDEN=1 pytest tests/test_preview_golden.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path("tests/data/golden")


def test_preview_json_matches_the_golden_file() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(BOT_CONFIG_DIR=str(GOLDEN), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "preview", "--json", str(GOLDEN / "feed.xml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected_file = ROOT / GOLDEN / "preview.jsonl"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(result.stdout, encoding="utf-8")
    got = [json.loads(line) for line in result.stdout.splitlines()]
    expected = [json.loads(line) for line in expected_file.read_text("utf-8").splitlines()]
    assert got == expected
