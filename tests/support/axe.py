"""axe-core in the browser tests: the npm package's `axe.min.js`, fetched once with `npm pack`
(the npm registry, never a CDN) into a cache outside the repository, injected into a page, run,
and its serious and critical violations reported.

    axe = axe_source()                        # skips (fails in CI) when npm cannot fetch it
    assert_accessible(page, "login page")     # after page.goto(...)
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from support.stores import IN_CI

AXE_VERSION = "4.14.1"
CACHE = Path(tempfile.gettempdir()) / f"reestr-test-axe-{AXE_VERSION}"


@cache
def axe_source() -> str:
    """The text of axe-core's axe.min.js at AXE_VERSION (npm checks the tarball's integrity)."""
    script = CACHE / "axe.min.js"
    if not script.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                ["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent", "--pack-destination", str(CACHE)],
                check=True, capture_output=True, timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as error:
            reason = f"axe-core could not be fetched with npm: {error}"
            if IN_CI:
                pytest.fail(reason)
            pytest.skip(reason)
        with tarfile.open(CACHE / f"axe-core-{AXE_VERSION}.tgz") as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None
            partial = CACHE / "axe.min.js.part"
            partial.write_bytes(member.read())
            partial.replace(script)
    return script.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Any, what: str) -> None:
    """No serious or critical axe violation on the page (each listed with its first elements)."""
    found = violations(page)
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["html"][:160] for n in v["nodes"][:3])
        for v in found
    ]
    assert not found, f"{what} ({page.url}):\n" + "\n".join(described)
