"""Response bodies: Markdown rendered to sanitised HTML, and word counts.

Rendering happens once, when a response is written; pages show the stored HTML.
"""

import re

import nh3
from markdown_it import MarkdownIt

BODY_MAX_CHARS = 10_000
# Mirrors the counter in static/js/app.js, so the live count matches the server.
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "strikethrough"
)
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6",
}  # fmt: skip


def count_words(text: str) -> int:
    return len(WORD.findall(text))


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to show: no raw HTML, scripts, handlers or odd links."""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )
