"""Markdown that people type (runbook steps, notes) rendered to HTML that is safe to show.

Two layers, so that a mistake in one is caught by the other:

1. markdown-it-py parses CommonMark (plus tables and strikethrough) with raw HTML
   switched off: `<script>` in the source is shown as text, never passed through.
   Its link check is replaced by ours (`_link_allowed`): only http, https, mailto
   and relative URLs become links; anything else (`javascript:`, `data:`, also
   spelled with entities or mixed case) stays as the literal text the author typed.
2. nh3 (the Rust ammonia sanitiser) cleans the rendered HTML against an explicit
   allow-list of tags and attributes (`TAGS`, `ATTRIBUTES`), drops any URL scheme
   but http/https/mailto, and adds `rel="noopener noreferrer nofollow"` to links.
   No `style` and no `on*` attribute survives, so a page stays within its strict
   Content-Security-Policy (tests/core/test_csp.py).

Decisions the output shows:
- Headings move down two levels (`#` is h3, `##` h4, `###` h5, deeper h6): the page
  around the text owns h1 and h2 (the runbook, the scenario, its sections), so a
  step's `# Restart` does not outrank the scenario it belongs to, on screen or in a
  screen reader's outline.
- Images are shown as a link to the image (its alt text, or its address), not
  loaded: the policy allows images from this site only, and an image from anywhere
  else would tell its host who reads the runbook and when. Inside a link, where a
  link cannot nest, an image is its alt text.
- Strikethrough is `<del>` (what was removed), and a table's column alignment is
  dropped (markdown-it writes it as a `style` attribute).
- An ordered list keeps its `start` number (digits only): numbered steps split by a
  code block ("1. … ``` … ``` 2. …") must not be renumbered from 1 in a runbook.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "del",
    }
)
# "*": none on every tag (left out, ammonia would keep `title` and `lang` everywhere).
ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# What a page above the text already uses: `#` becomes h3.
HEADING_SHIFT = 2

# A URL's scheme is what comes before the first ":" when no "/", "?" or "#" comes
# earlier; browsers ignore ASCII tabs, newlines and control characters inside it.
_SCHEME = re.compile(r"^([^:/?#]*):")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")


def _link_allowed(url: str) -> bool:
    """True for http, https, mailto and relative URLs. Checked on the URL as given and
    percent-decoded, so `java%0Ascript:` is refused as well as `JavaScript:`
    (markdown-it has already decoded entities such as `jav&#x61;script:`)."""
    for candidate in (url, unquote(url)):
        match = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", candidate).lower())
        if match and match.group(1) not in URL_SCHEMES:
            return False
    return True


def _plain_text(tokens: Sequence[Token]) -> str:
    return "".join(
        t.content if t.type in ("text", "code_inline") else _plain_text(t.children or ())
        for t in tokens
    )


def _inline_tokens(children: list[Token]) -> list[Token]:
    """Strikethrough as <del>; images as a link to the image, or as their alt text
    inside a link."""
    result: list[Token] = []
    in_link = 0
    for token in children:
        if token.type in ("s_open", "s_close"):
            token.tag = "del"
        elif token.type == "link_open":
            in_link += 1
        elif token.type == "link_close":
            in_link -= 1
        if token.type != "image":
            result.append(token)
            continue
        src = str(token.attrGet("src") or "")
        text = Token("text", "", 0, content=_plain_text(token.children or ()) or src)
        if in_link:
            result.append(text)
        else:
            result += [
                Token("link_open", "a", 1, attrs={"href": src}),
                text,
                Token("link_close", "a", -1),
            ]
    return result


def _adapt(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
        elif token.type == "inline" and token.children:
            token.children = _inline_tokens(token.children)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    md.core.ruler.push("transition_adapt", _adapt)
    return md


_MD = _parser()


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() else None
    return value


def render(text: str) -> SafeString:
    """`text` (Markdown) as sanitised HTML, safe to put in a page as it is."""
    if not text or not text.strip():
        return mark_safe("")
    html = _MD.render(text)
    cleaned = nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 against the allow-list above
