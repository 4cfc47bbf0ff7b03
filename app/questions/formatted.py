"""FormattedContent: MTurk's XHTML subset, checked the way the docs describe.

The text of a ``<FormattedContent>`` element (usually a CDATA block) is wrapped as
``<FormattedContent xmlns="http://www.w3.org/1999/xhtml">…</FormattedContent>``, parsed, and every
element, attribute, comment and URL in it is checked against the documented subset. Content models
(which element may nest in which) and attribute value enumerations are not checked.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

from lxml import etree

from kempelen.questions.errors import QuestionInvalid
from kempelen.questions.schema import safe_parser

XHTML = "http://www.w3.org/1999/xhtml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_CELL_ALIGN = {"align", "char", "charoff", "valign"}
_ALLOWED: dict[str, set[str]] = {
    "a": {"accesskey", "charset", "coords", "href", "hreflang", "name", "rel", "rev", "shape", "tabindex",
          "target", "type"},
    "area": {"alt", "coords", "href", "nohref", "shape", "target"},
    "blockquote": {"cite"}, "q": {"cite"},
    "ins": {"cite", "datetime"}, "del": {"cite", "datetime"},
    "col": _CELL_ALIGN | {"span", "width"}, "colgroup": _CELL_ALIGN | {"span", "width"},
    "font": {"color", "face", "size"},
    **{f"h{n}": {"align"} for n in range(1, 7)}, "p": {"align"},
    "hr": {"align", "noshade", "size", "width"},
    "img": {"align", "alt", "border", "height", "hspace", "ismap", "longdesc", "src", "usemap", "vspace",
            "width"},
    "li": {"type", "value"},
    "ol": {"compact", "start", "type"},
    "ul": {"compact", "type"},
    "pre": {"width"},
    "map": {"name"},
    "table": {"align", "bgcolor", "border", "cellpadding", "cellspacing", "frame", "rules", "summary",
              "width"},
    "thead": _CELL_ALIGN, "tbody": _CELL_ALIGN, "tfoot": _CELL_ALIGN,
    "tr": _CELL_ALIGN | {"bgcolor"},
    "td": _CELL_ALIGN | {"abbr", "axis", "bgcolor", "colspan", "headers", "height", "nowrap", "rowspan",
                         "scope", "width"},
    "th": _CELL_ALIGN | {"abbr", "axis", "bgcolor", "colspan", "headers", "height", "nowrap", "rowspan",
                         "scope", "width"},
    **{name: set() for name in ("b", "big", "br", "center", "cite", "code", "dd", "dl", "dt", "em", "i", "s",
                                "small", "strike", "strong", "sub", "sup", "u")},
}
_REQUIRED = {"img": ("src", "alt"), "area": ("alt",), "map": ("name",)}
_URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
_URL = re.compile(r"(?:https?|ftp|gopher|telnet|nntp)://.*|(?:mailto|news):.*", re.DOTALL)
_SCHEMES = "http, https, ftp, news, nntp, mailto, gopher or telnet"

# XHTML's named entities (lat1, special, symbol) become numeric references; XML's own five stay
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def _numeric_entities(text: str) -> str:
    def swap(match: re.Match) -> str:
        name = match[1]
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match[0]
        return f"&#{name2codepoint[name]};"
    return _ENTITY.sub(swap, text)


def check_formatted_content(text: str, line: int | None = None) -> None:
    """Raise QuestionInvalid unless ``text`` is within MTurk's FormattedContent XHTML subset."""
    where = f" (line {line})" if line else ""

    def refuse(reason: str) -> QuestionInvalid:
        return QuestionInvalid(f"FormattedContent is not valid: {reason}{where}")

    wrapped = f'<FormattedContent xmlns="{XHTML}">{_numeric_entities(text)}</FormattedContent>'
    try:
        root = etree.fromstring(wrapped.encode("utf-8"), safe_parser())
    except etree.XMLSyntaxError as error:
        raise refuse(re.sub(r",? line \d+, column \d+$", "", error.msg or str(error))) from None
    for node in root.iterdescendants():
        if isinstance(node, etree._Comment):
            raise refuse("comments are not allowed")
        if isinstance(node, etree._ProcessingInstruction):
            raise refuse("processing instructions are not allowed")
        if isinstance(node, etree._Entity):
            raise refuse(f"the entity &{node.name}; is not defined")
        qname = etree.QName(node)
        if qname.namespace != XHTML or qname.localname not in _ALLOWED:
            raise refuse(f"the element <{qname.localname}> is not allowed")
        name = qname.localname
        allowed = _ALLOWED[name] | ({"title"} if name == "br" else {"title", "dir", "lang", _XML_LANG})
        for attribute, value in node.attrib.items():
            if attribute not in allowed:
                shown = "xml:lang" if attribute == _XML_LANG else etree.QName(attribute).localname
                raise refuse(f"the attribute '{shown}' is not allowed on <{name}>")
            if value.strip().lower().startswith("javascript:"):
                raise refuse(f"javascript: URLs are not allowed (<{name} {attribute}>)")
            if (name, attribute) in _URL_ATTRIBUTES and not _URL.fullmatch(value.strip()):
                raise refuse(f"<{name}> {attribute} must be a {_SCHEMES} URL, not '{value}'")
        for attribute in _REQUIRED.get(name, ()):
            if attribute not in node.attrib:
                raise refuse(f"<{name}> needs the attribute '{attribute}'")
