"""What the documentation shows from the code is what the code produces now (refresh it with
``.venv/bin/python tests/docs/refresh.py``). The wizard transcript is compared by tests/test_cli_demo.py,
which drives the session it shows."""

from __future__ import annotations

from tests.docs.blocks import doc_files
from tests.docs.generated import GENERATORS, REPO, regenerate, sections


def test_every_generated_section_is_what_the_code_produces() -> None:
    found = []
    stale = []
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        for name, body in sections(text):
            assert name in GENERATORS, f"{path.relative_to(REPO)}: no generator for {name!r}"
            found.append(name)
            if body != GENERATORS[name]():
                stale.append(f"{path.relative_to(REPO)}: {name}")
    assert "authflow diagram" in found  # the state chart is in the docs
    assert stale == [], f"stale (run .venv/bin/python tests/docs/refresh.py): {stale}"


def test_regenerate_replaces_a_stale_section_and_keeps_the_rest() -> None:
    text = "before\n<!-- generated: authflow diagram -->\n```mermaid\nold\n```\n<!-- end generated -->\nafter\n"
    new = regenerate(text)
    assert new.startswith("before\n<!-- generated: authflow diagram -->\n```mermaid\nstateDiagram-v2\n")
    assert new.endswith("```\n<!-- end generated -->\nafter\n")
    assert sections(new)[0][1] == GENERATORS["authflow diagram"]()
