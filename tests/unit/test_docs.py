"""The documentation stays true: its links lead to files of the repository, its brief example
parses as it says, and deployment.md names every environment variable the settings read."""

import re
from pathlib import Path

import pytest

from briefs.importer import parse_briefs

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXPECTED_DOCS = {
    "README.md",
    "brief-format.md",
    "deployment.md",
    "admin-guide.md",
    "glossary.md",
    "gradebook.md",
    "translations.md",
    "templates.md",
}

FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
HTML_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]+)\"", re.IGNORECASE)


def prose(page: Path) -> str:
    """The page without code: a path in a code block is an example, not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", page.read_text(encoding="utf-8")))


def links(page: Path) -> list[str]:
    text = prose(page)
    return [*INLINE_LINK.findall(text), *REFERENCE_LINK.findall(text), *HTML_LINK.findall(text)]


def anchors(page: Path) -> set[str]:
    """GitHub's ids for the page's headings, and the ids written in <a id="…">."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_the_docs_folder_has_every_page():
    assert {page.name for page in (ROOT / "docs").glob("*.md")} >= EXPECTED_DOCS


def test_the_readme_links_to_the_docs():
    targets = set(links(ROOT / "README.md"))
    for name in EXPECTED_DOCS - {"README.md"}:
        assert f"docs/{name}" in targets, name


def link_problems(page: Path, root: Path = ROOT) -> list[str]:
    """Each link of the page that does not lead to a file (and heading) inside `root`."""
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            problems.append(f"{target}: points outside the repository")
            continue
        if target.startswith(("/", "\\", "~")):
            problems.append(f"{target}: an absolute path")
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.is_relative_to(root):
            problems.append(f"{target}: outside the repository")  # even where the file exists
        elif not resolved.exists():
            problems.append(f"{target}: no such file in the repository")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no heading or anchor {anchor!r}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_resolves_to_a_file_inside_the_repository(page):
    assert links(page) or page.name != "README.md", "the link search found nothing: the pattern is broken"
    assert not link_problems(page)


def test_a_link_outside_the_repository_would_be_caught(tmp_path):
    """The check fails on the links it is for: outside the repository (even to a file that
    exists there), to another site, to a missing file or heading."""
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (tmp_path / "DESIGN.md").write_text("# Design\n")
    (root / "docs" / "ok.md").write_text("# A heading\n")
    page = root / "docs" / "page.md"
    page.write_text(
        "[a](../../DESIGN.md) [b](https://example.com) [c](missing.md) [d](ok.md#nope) "
        "[e](ok.md#a-heading) `[f](nowhere.md)`\n"
    )
    assert [problem.split(":")[0] for problem in link_problems(page, root)] == [
        "../../DESIGN.md",
        "https",
        "missing.md",
        "ok.md#nope",
    ]


def test_the_brief_format_example_parses_as_the_page_says():
    text = (ROOT / "docs" / "brief-format.md").read_text(encoding="utf-8")
    example = re.search(r"```text\n(.*?)```", text, re.DOTALL).group(1)
    result = parse_briefs(example)
    assert result.ok, result.errors
    shape = [(brief.has_headline, bool(brief.commentary)) for brief in result.briefs]
    # 1. headline, summary, commentary; 2. summary + commentary; 3. headline + summary; 4. summary.
    assert shape == [(True, True), (False, True), (True, False), (False, False)]


def environment_variables_read_by_settings() -> set[str]:
    source = (ROOT / "classroom" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"""(?:os\.environ\.get|os\.getenv|env_flag)\(\s*["']([A-Z0-9_]+)["']""", source))


def test_deployment_documents_every_environment_variable_the_settings_read():
    names = environment_variables_read_by_settings()
    assert names >= {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SECRET_KEY", "DJANGO_HTTPS"}
    documented = set(
        re.findall(r"^\| `([A-Z0-9_]+)` \|", (ROOT / "docs" / "deployment.md").read_text(), re.MULTILINE)
    )
    missing = sorted(names - documented)
    assert not missing, f"docs/deployment.md does not document {missing}"


def test_deployment_keeps_a_place_for_the_background_worker():
    assert "\n## Background worker\n" in (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
