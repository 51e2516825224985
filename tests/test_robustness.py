"""parse_feed over a third-party corpus of odd, broken and hostile feeds (../shared/corpus).

The corpus (see its PROVENANCE.md) holds the test inputs of feedparser, feed-rs, rss-parser
and reader, real broken feeds, and defusedxml's XML attacks. What must hold for every file:
parse_feed returns items or raises ParseError, nothing else escapes; the sweep finishes; memory
stays bounded; and nothing is fetched from the network while parsing, whatever the DOCTYPE says.

The sweep runs in a child process (`python -m tests.test_robustness [CORPUS]`, which also
prints a summary): a hang is cut off by a timeout instead of freezing the test run, and peak
memory is the child's own. The corpus lives outside the repository; set NEWSBOT_CORPUS to
point elsewhere, and the tests skip when it is absent.
"""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

import pytest

from bot.errors import ParseError
from bot.models import FetchResult
from bot.parse import parse_feed

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[1]
HANG_GUARD_SECONDS = 600  # the sweep takes seconds; this only stops a hang from blocking CI
MEMORY_CAP_MB = 250  # 4x the sweep's usual peak (~60 MB); the quadratic blow-up reached 350
ADDRESS_SPACE_LIMIT = 2 << 30  # in the child: a runaway expansion fails there, not the host
# feedparser's own test files state the HTTP headers they are served with in a comment.
_HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):[ \t]*(.*?)\s*$", re.MULTILINE)


def corpus_root() -> Path | None:
    """NEWSBOT_CORPUS (the corpus folder or its robustness/ folder), else ../shared/corpus."""
    configured = os.environ.get("NEWSBOT_CORPUS")
    base = Path(configured) if configured else REPO.parent / "shared" / "corpus"
    for candidate in (base / "robustness", base):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="module")
def sweep() -> dict[str, Any]:
    root = corpus_root()
    if root is None:
        where = os.environ.get("NEWSBOT_CORPUS") or REPO.parent / "shared" / "corpus"
        pytest.skip(f"robustness corpus not found at {where} (set NEWSBOT_CORPUS)")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.test_robustness", "--json", str(root)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as hung:
        stderr = hung.stderr.decode() if isinstance(hung.stderr, bytes) else hung.stderr or ""
        last = stderr.strip().splitlines()[-1:] or ["(before the first file)"]
        pytest.fail(f"sweep did not finish in {HANG_GUARD_SECONDS}s; last file: {last[0]}")
    assert done.returncode == 0, f"sweep died (exit {done.returncode}):\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_every_file_gives_items_or_a_parse_error(sweep: dict[str, Any]) -> None:
    files = sweep["files"]
    assert len(files) > 300  # the whole corpus was swept, not an empty folder
    crashes = [f"{f['path']}: {f['error']}" for f in files if f["outcome"] == "crash"]
    assert crashes == []
    print(summary(files))  # noqa: T201 - the figures are the point of a manual `-s` run


def test_memory_stays_bounded(sweep: dict[str, Any]) -> None:
    worst = max(sweep["files"], key=lambda f: f["rss_growth_mb"])
    assert sweep["peak_rss_mb"] < MEMORY_CAP_MB, f"largest growth: {worst}"


def test_nothing_is_fetched_while_parsing(sweep: dict[str, Any]) -> None:
    assert sweep["network"] == []


def test_xml_attacks_neither_expand_nor_leak(sweep: dict[str, Any]) -> None:
    """Billion laughs, quadratic blow-up, external entities: no item text outgrows its file."""
    attacks = [f for f in sweep["files"] if f["path"].startswith("xml-attacks/")]
    assert len(attacks) >= 5
    for attack in attacks:
        assert attack["outcome"] in {"items", "empty", "parse_error"}, attack
        assert attack["longest_text"] <= attack["size"], attack


def summary(files: list[dict[str, Any]]) -> str:
    """One line per corpus folder: files with items / empty feeds / ParseError / crashes."""
    lines = [f"{'folder':<12} {'files':>5} {'items':>5} {'empty':>5} {'error':>5} {'crash':>5}"]
    folders = [*sorted({f["path"].split("/")[0] for f in files}), "total"]
    for folder in folders:
        chosen = [f for f in files if folder == "total" or f["path"].startswith(f"{folder}/")]
        count = Counter(f["outcome"] for f in chosen)
        lines.append(
            f"{folder:<12} {len(chosen):>5} {count['items']:>5} {count['empty']:>5} "
            f"{count['parse_error']:>5} {count['crash']:>5}"
        )
    return "\n".join(lines)


# --- The child process ----------------------------------------------------------------------


def run_sweep(root: Path, progress: bool = False) -> dict[str, Any]:
    """parse_feed over every file under root, with the network refused and memory capped;
    with `progress`, each file's name goes to stderr before it is parsed (to name a hang)."""
    if hasattr(resource, "RLIMIT_AS"):
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    network = _refuse_network()
    files = [_parse_one(root, path, progress) for path in sorted(root.rglob("*")) if path.is_file()]
    return {"files": files, "network": network, "peak_rss_mb": _rss_mb()}


def _parse_one(root: Path, path: Path, progress: bool) -> dict[str, Any]:
    name = path.relative_to(root).as_posix()
    if progress:
        print(name, file=sys.stderr, flush=True)  # noqa: T201 - names the file a hang stopped at
    content = path.read_bytes()
    before = _rss_mb()
    record: dict[str, Any] = {"path": name, "size": len(content), "items": 0, "error": ""}
    try:
        items = parse_feed(
            path.stem, FetchResult(f"http://example.com/{name}", content, _headers(content))
        )
    except ParseError as exc:
        record.update(outcome="parse_error", error=str(exc)[:300], longest_text=0)
    except Exception as exc:  # noqa: BLE001 - any other exception is exactly what we look for
        record.update(outcome="crash", error=f"{type(exc).__name__}: {exc}"[:300], longest_text=0)
    else:
        texts = [len(text) for item in items for text in (item.title, item.summary)]
        record.update(outcome="items" if items else "empty", items=len(items))
        record["longest_text"] = max(texts, default=0)
    record["rss_growth_mb"] = round(_rss_mb() - before, 1)
    return record


def _headers(content: bytes) -> dict[str, str]:
    comment = re.search(rb"<!--(.*?)-->", content[:4000], re.DOTALL)
    found = _HEADER_LINE.findall(comment.group(1)) if comment else []
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in found}


def _refuse_network() -> list[str]:
    """Record, and fail, every attempt to connect or to open a URL (file:// included)."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        attempts.append(repr(args)[:200])
        raise OSError("network access while parsing")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    urllib.request.urlopen = refuse
    return attempts


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str]) -> None:
    as_json = "--json" in argv
    paths = [arg for arg in argv if arg != "--json"]
    root = Path(paths[0]) if paths else corpus_root()
    if root is None:
        sys.exit("robustness corpus not found: pass its folder or set NEWSBOT_CORPUS")
    result = run_sweep(root, progress=as_json)
    if as_json:
        print(json.dumps(result))  # noqa: T201 - the parent test reads this
    else:
        print(summary(result["files"]))  # noqa: T201
        print(f"peak RSS {result['peak_rss_mb']:.0f} MB; network attempts: {result['network']}")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
