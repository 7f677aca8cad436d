"""Response bodies: Markdown rendered to sanitised HTML, and word counts.

Rendering happens once, when a response is written; pages show the stored HTML.
"""

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

BODY_MAX_CHARS = 10_000
# Chinese and Japanese write no spaces between words: each ideograph or kana counts as a
# word, as word processors count them (Korean has spaces, and counts like English).
CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f"
# Mirrors the counter in static/js/app.js, so the live count matches the server: one CJK
# character, or letters and digits joined by ' ’ or -.
WORD = re.compile(rf"[{CJK}]|[^\W_{CJK}]+(?:['’\-][^\W_{CJK}]+)*")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "strikethrough"
)
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6",
}  # fmt: skip


def count_words(text: str) -> int:
    # Composed first: a decomposed "é" (e + an accent mark) is one letter, not a word break.
    return len(WORD.findall(unicodedata.normalize("NFC", text)))


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
