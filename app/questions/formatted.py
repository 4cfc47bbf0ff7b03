"""FormattedContent: MTurk's XHTML subset, checked the way the docs describe.

The text of a ``<FormattedContent>`` element (usually a CDATA block) is wrapped as
``<FormattedContent xmlns="http://www.w3.org/1999/xhtml">…</FormattedContent>``, parsed, and every
element, attribute, comment and URL in it is checked against the documented subset. Content models
(which element may nest in which) and attribute value enumerations are not checked.
"""

from __future__ import annotations

import html
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


def _parse(text: str) -> etree._Element:
    """The block wrapped as the docs say; XMLSyntaxError if it is not well-formed."""
    wrapped = f'<FormattedContent xmlns="{XHTML}">{_numeric_entities(text)}</FormattedContent>'
    return etree.fromstring(wrapped.encode("utf-8"), safe_parser())


def _problems(root: etree._Element):
    """(node, reason) for every node or attribute outside the subset, in document order."""
    for node in root.iterdescendants():
        if isinstance(node, etree._Comment):
            yield node, None, "comments are not allowed"
            continue
        if isinstance(node, etree._ProcessingInstruction):
            yield node, None, "processing instructions are not allowed"
            continue
        if isinstance(node, etree._Entity):
            yield node, None, f"the entity &{node.name}; is not defined"
            continue
        qname = etree.QName(node)
        if qname.namespace != XHTML or qname.localname not in _ALLOWED:
            yield node, None, f"the element <{qname.localname}> is not allowed"
            continue
        name = qname.localname
        allowed = _ALLOWED[name] | ({"title"} if name == "br" else {"title", "dir", "lang", _XML_LANG})
        for attribute, value in node.attrib.items():
            if attribute not in allowed:
                shown = "xml:lang" if attribute == _XML_LANG else etree.QName(attribute).localname
                yield node, attribute, f"the attribute '{shown}' is not allowed on <{name}>"
            elif value.strip().lower().startswith("javascript:"):
                yield node, attribute, f"javascript: URLs are not allowed (<{name} {attribute}>)"
            elif (name, attribute) in _URL_ATTRIBUTES and not _URL.fullmatch(value.strip()):
                yield node, attribute, f"<{name}> {attribute} must be a {_SCHEMES} URL, not '{value}'"
        for attribute in _REQUIRED.get(name, ()):
            if attribute not in node.attrib:
                yield node, None, f"<{name}> needs the attribute '{attribute}'"


def check_formatted_content(text: str, line: int | None = None) -> None:
    """Raise QuestionInvalid unless ``text`` is within MTurk's FormattedContent XHTML subset."""
    where = f" (line {line})" if line else ""

    def refuse(reason: str) -> QuestionInvalid:
        return QuestionInvalid(f"FormattedContent is not valid: {reason}{where}")

    try:
        root = _parse(text)
    except etree.XMLSyntaxError as error:
        raise refuse(re.sub(r",? line \d+, column \d+$", "", error.msg or str(error))) from None
    for _node, _attribute, reason in _problems(root):
        raise refuse(reason)


def formatted_content_html(text: str) -> str:
    """The block as HTML for a worker's page: only the subset survives (an element outside it goes with
    its content, an attribute outside it alone), so a document stored before a rule changed cannot bring
    script in. Links that open a new window get ``rel="noopener noreferrer"``."""
    try:
        root = _parse(text)
    except etree.XMLSyntaxError:
        return html.escape(text)  # never checked as XHTML: show it as the text it is
    for node, attribute, _reason in list(_problems(root)):
        if attribute is not None:
            node.attrib.pop(attribute, None)
        else:
            _drop(node)
    for node in root.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
            if node.tag == "a" and node.get("target"):
                node.set("rel", "noopener noreferrer")
    etree.cleanup_namespaces(root)
    out = html.escape(root.text or "", quote=False)
    for child in root:
        out += etree.tostring(child, method="html", encoding="unicode", with_tail=True)
    return out


def _drop(node: etree._Element) -> None:
    """Remove a node but keep the text that followed it."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)
