"""Markdown people type, rendered safe: hostile input loses its teeth, normal Markdown
reads as written. No database: `render` is a pure function."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from apps.core import markdown
from apps.core.markdown import render
from tests.core.test_csp import inline_code

REL = "noopener noreferrer nofollow"


class Elements(HTMLParser):
    """Every element and attribute of a fragment, as the browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_harmless(html: str) -> None:
    """Only allowed tags; only href/rel on links and start on lists (so no style and no
    on*); every href http(s), mailto or relative. Hostile markup may remain as text."""
    found = elements(html)
    assert set(found.tags) <= markdown.TAGS, found.tags
    for tag, name, value in found.attrs:
        assert (tag, name) in {("a", "href"), ("a", "rel"), ("ol", "start")}, (tag, name)
        if name == "href":
            scheme = value.split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
            assert scheme in {"", "http", "https", "mailto"}, value
    # The page check of the Content-Security-Policy test finds nothing either.
    assert inline_code(html) == []


HOSTILE = {
    "script": "Before <script>alert(1)</script> after",
    "script block": "<script>\nalert(1)\n</script>",
    "img onerror": '<img src="x" onerror="alert(1)">',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style element": "<style>body{display:none}</style>",
    "raw html block": '<div onclick="alert(1)">\n\n**bold** inside\n\n</div>',
    "svg": '<svg onload="alert(1)"><circle r="1"/></svg>',
    "html comment": "<!-- <script>alert(1)</script> -->",
    "javascript link": "[click](javascript:alert(1))",
    "mixed case": "[click](JaVaScRiPt:alert(1))",
    "entity in scheme": "[click](jav&#x61;script:alert(1))",
    "decimal entities": "[click](&#106;&#97;&#118;&#97;script:alert(1))",
    "percent-encoded newline": "[click](java%0ascript:alert(1))",
    "escaped colon": "[click](javascript&#58;alert(1))",
    "data link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data image": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "vbscript": "[click](vbscript:msgbox(1))",
    "autolink javascript": "<javascript:alert(1)>",
    "reference link": "[click][evil]\n\n[evil]: javascript:alert(1)",
    "image onerror via title": '![x](http://example.com/a.png "x\\" onerror=\\"alert(1)")',
    "link title attribute": '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
    "image in link": "[![a](https://example.com/a.png)](javascript:alert(1))",
    "nested links": "[[inner](https://a.example/)](https://b.example/)",
    "raw anchor": '<a href="javascript:alert(1)">x</a>',
    "table alignment": "| a | b |\n|:-:|--:|\n| 1 | 2 |",
    "fenced code with info": '```python" onload="alert(1)\nprint(1)\n```',
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_harmless(source: str) -> None:
    assert_harmless(render(source))


def test_raw_html_is_shown_as_text_not_passed_through() -> None:
    html = render('Before <script>alert(1)</script> <img src="x" onerror="alert(1)"> after')
    assert html == (
        "<p>Before &lt;script&gt;alert(1)&lt;/script&gt; "
        '&lt;img src="x" onerror="alert(1)"&gt; after</p>\n'
    )
    assert "<script" not in html
    assert "<img" not in html


def test_a_raw_html_block_is_escaped_and_its_markdown_still_renders() -> None:
    html = render('<div onclick="alert(1)">\n\n**bold** inside\n\n</div>')
    assert "<div" not in html
    assert "&lt;div onclick=" in html  # visible as text, inert
    assert "<strong>bold</strong>" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](jav&#x61;script:alert(1))",
        "[click](java%0ascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        "[click][evil]\n\n[evil]: javascript:alert(1)",
    ],
)
def test_a_link_with_a_dangerous_scheme_is_not_a_link(source: str) -> None:
    html = render(source)
    assert "<a" not in html
    assert "href" not in html
    assert "click" in html  # the author's words are still there


def test_links_keep_only_their_address_and_get_a_safe_rel() -> None:
    html = render(
        '[docs](https://example.com/docs "Title") [mail](mailto:ops@example.com) '
        "[page](/p/3/runbooks/) [plain](http://example.com)"
    )
    assert html == (
        f'<p><a href="https://example.com/docs" rel="{REL}">docs</a> '
        f'<a href="mailto:ops@example.com" rel="{REL}">mail</a> '
        f'<a href="/p/3/runbooks/" rel="{REL}">page</a> '
        f'<a href="http://example.com" rel="{REL}">plain</a></p>\n'
    )
    assert "title=" not in html


def test_an_image_is_a_link_to_it_not_loaded() -> None:
    html = render("![Dashboard at rest](https://grafana.example/d/1.png)")
    assert html == (
        f'<p><a href="https://grafana.example/d/1.png" rel="{REL}">Dashboard at rest</a></p>\n'
    )
    assert "<img" not in render("![](https://grafana.example/d/1.png)")
    assert "https://grafana.example/d/1.png</a>" in render("![](https://grafana.example/d/1.png)")


def test_an_image_inside_a_link_is_its_alt_text_and_links_do_not_nest() -> None:
    html = render("[![Grafana](https://example.com/g.png)](https://grafana.example/d/1)")
    assert html == f'<p><a href="https://grafana.example/d/1" rel="{REL}">Grafana</a></p>\n'
    nested = render("[[inner](https://a.example/)](https://b.example/)")
    assert nested.count("<a ") == 1
    assert 'href="https://a.example/"' in nested


def test_a_data_image_is_neither_loaded_nor_linked() -> None:
    html = render("![x](data:image/png;base64,iVBORw0KGgo=)")
    assert "<img" not in html
    assert "<a" not in html


def test_lists_code_and_emphasis_render_as_written() -> None:
    source = (
        "Check **the queue** and *the logs*:\n\n"
        "- `kubectl get pods`\n"
        "- the dashboard\n\n"
        "1. Drain the node\n"
        "2. Restart ~~everything~~ the worker\n\n"
        "```bash\n"
        "systemctl restart worker && echo '<ok>'\n"
        "```\n\n"
        "> Do not restart the database.\n\n"
        "---\n"
        "line one  \nline two"
    )
    assert render(source) == (
        "<p>Check <strong>the queue</strong> and <em>the logs</em>:</p>\n"
        "<ul>\n<li><code>kubectl get pods</code></li>\n<li>the dashboard</li>\n</ul>\n"
        "<ol>\n<li>Drain the node</li>\n<li>Restart <del>everything</del> the worker</li>\n</ol>\n"
        "<pre><code>systemctl restart worker &amp;&amp; echo '&lt;ok&gt;'\n</code></pre>\n"
        "<blockquote>\n<p>Do not restart the database.</p>\n</blockquote>\n"
        "<hr>\n"
        "<p>line one<br>\nline two</p>\n"
    )


def test_numbered_steps_split_by_a_code_block_keep_their_numbers() -> None:
    html = render("1. Stop\n\n```\nsystemctl stop x\n```\n\n2. Start")
    assert '<ol start="2">' in html
    assert_harmless(html)


def test_a_table_renders_without_its_alignment_styles() -> None:
    html = render("| Metric | Normal |\n|:--|--:|\n| p95 | < 300 ms |")
    assert html == (
        "<table>\n<thead>\n<tr>\n<th>Metric</th>\n<th>Normal</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>p95</td>\n<td>&lt; 300 ms</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_headings_move_below_the_page_headings() -> None:
    html = render("# One\n## Two\n### Three\n#### Four\n###### Six")
    assert html == "<h3>One</h3>\n<h4>Two</h4>\n<h5>Three</h5>\n<h6>Four</h6>\n<h6>Six</h6>\n"


@pytest.mark.parametrize("source", ["", "   \n\n"])
def test_empty_text_renders_nothing(source: str) -> None:
    assert render(source) == ""


def test_the_result_is_safe_for_templates() -> None:
    assert isinstance(render("*x*"), SafeString)


def test_the_template_filter_renders_and_sanitises() -> None:
    template = Template("{% load markdown %}<div>{{ text|markdown }}</div>")
    html = template.render(Context({"text": "**bold** <script>alert(1)</script>"}))
    assert html == "<div><p><strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n</div>"
    assert template.render(Context({"text": None})) == "<div></div>"
