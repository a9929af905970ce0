"""The README links every guide under docs/ once (a guide no one can find is not there for a stranger)."""

from __future__ import annotations

import re

from tests.docs.blocks import REPO


def test_every_guide_is_linked_once_from_the_readme_guides() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Guides", 1)[1].split("\n## ", 1)[0]
    linked = re.findall(r"\]\(docs/([\w-]+\.md)\)", section)
    guides = sorted(p.name for p in (REPO / "docs").glob("*.md"))
    assert sorted(set(linked)) == guides, set(guides) ^ set(linked)
    assert len(linked) == len(set(linked)), "a guide linked twice"
