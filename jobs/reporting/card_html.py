"""A model card's Markdown as safe HTML, for the portal's card page.

Two layers, each enough on its own for the tags and URLs it sees:

1. markdown-it-py (CommonMark with tables) with raw HTML *off*: ``<script>`` or
   ``<img onerror=...>`` typed into a card is shown as text, never passed through. Link
   and image targets are then checked token by token: absolute ``http(s)`` targets stay;
   a relative target that names one of the run's artifacts (the card links its plots by
   bare file name, as they sit beside README.md on the Hub) becomes that artifact's URL
   on the hub; every other target is dropped (a link keeps its text, an image its alt).
2. nh3 (the ammonia sanitiser) with an explicit allow-list of tags, attributes and URL
   schemes cleans the HTML that comes out, and gives links ``rel="noopener noreferrer
   nofollow"``.

The YAML front matter is metadata, not Markdown: it is split off and returned as text for
the page to show escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        *(f"h{level}" for level in range(1, 7)),
        "p",
        "br",
        "hr",
        "blockquote",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "code",
        "pre",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https"})
LINK_REL = "noopener noreferrer nofollow"

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class CardHtml:
    html: str  # sanitised: safe to put in a page as is
    metadata: str | None  # the YAML front matter as raw text (escape it), None if absent


def artifact_url(job_id: int, name: str) -> str:
    return f"/api/v1/jobs/{job_id}/artifacts/{quote(name)}"


def split_front_matter(markdown: str) -> tuple[str | None, str]:
    """The YAML block between the opening ``---`` lines, and the Markdown after it."""
    match = _FRONT_MATTER.match(markdown)
    if match is None:
        return None, markdown
    return match.group(1), markdown[match.end() :]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _is_web_url(target: str) -> bool:
    parts = urlsplit(target)
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.netloc)


def _artifact_name(target: str, artifact_names: frozenset[str]) -> str | None:
    """The artifact a relative target names (``accuracy.png``, ``./accuracy.png``)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.query or parts.fragment:
        return None
    path = unquote(parts.path)
    while path.startswith("./"):
        path = path[2:]
    return path if path in artifact_names else None


def _resolve(target: str, job_id: int, artifact_names: frozenset[str]) -> str | None:
    """The URL a link or image may keep, or None when it must be dropped."""
    if _is_web_url(target):
        return target
    name = _artifact_name(target, artifact_names)
    return artifact_url(job_id, name) if name is not None else None


def _rewrite_inline(
    children: list[Token], job_id: int, artifact_names: frozenset[str]
) -> list[Token]:
    kept: list[Token] = []
    dropping_link = False
    for token in children:
        if token.type == "link_open":
            href = _resolve(str(token.attrGet("href") or ""), job_id, artifact_names)
            if href is None:
                dropping_link = True
                continue
            token.attrSet("href", href)
        elif token.type == "link_close" and dropping_link:
            dropping_link = False
            continue
        elif token.type == "image":
            src = _resolve(str(token.attrGet("src") or ""), job_id, artifact_names)
            if src is None:
                alt = Token("text", "", 0)
                alt.content = token.content
                kept.append(alt)
                continue
            token.attrSet("src", src)
        kept.append(token)
    return kept


def _allowed_url(job_id: int):
    own_artifacts = f"/api/v1/jobs/{job_id}/artifacts/"

    def keep(element: str, attribute: str, value: str) -> str | None:
        if (element, attribute) not in {("a", "href"), ("img", "src")}:
            return value
        if _is_web_url(value) or value.startswith(own_artifacts):
            return value
        return None

    return keep


def sanitise(html: str, *, job_id: int) -> str:
    """Keep only the allow-listed tags and attributes, and only web or artifact URLs."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_allowed_url(job_id),
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_card_html(markdown: str, *, job_id: int, artifact_names: Iterable[str] = ()) -> CardHtml:
    """The card's body as sanitised HTML (plots inline) and its front matter as text."""
    metadata, body = split_front_matter(markdown)
    names = frozenset(artifact_names)
    parser = _parser()
    tokens = parser.parse(body)
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _rewrite_inline(token.children, job_id, names)
    html = parser.renderer.render(tokens, parser.options, {})
    return CardHtml(html=sanitise(html, job_id=job_id), metadata=metadata)
