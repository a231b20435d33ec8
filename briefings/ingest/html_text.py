"""HTML fragments from feeds (summaries, content:encoded) turned into plain text.

Later stages split sentences and quote evidence, so paragraphs must survive as "\\n" and markup,
scripts and entities must not. Feed HTML is untrusted and often broken; lxml's forgiving HTML
parser copes with both.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

_BLOCK = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "dl",
        "hr",
    ]
)
_DROP = frozenset(["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "form", "button"])
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def clean_lines(text: str) -> str:
    """Collapse runs of spaces inside lines, drop empty lines, keep one "\\n" between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, block elements separated by newlines."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return clean_lines(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_lines(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
    parts: list[str] = []
    _walk(root, parts)
    return clean_lines("".join(parts))


def inline_text(fragment: str) -> str:
    """Text of a title-like fragment on one line."""
    return " ".join(html_to_text(fragment).split("\n"))


def _walk(root: etree._Element, parts: list[str]) -> None:
    """Collect text in document order without recursion (feed HTML can nest absurdly deep)."""
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else ""
        if event in ("comment", "pi"):
            if node.tail:
                parts.append(node.tail)
        elif event == "start":
            if tag in _DROP:
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                parts.append("\n")
            if tag and node.text:
                parts.append(node.text)
        else:
            if tag in _BLOCK:
                parts.append("\n")
            if node.tail and node is not root:
                parts.append(node.tail)
