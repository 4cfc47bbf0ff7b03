"""Namespaces, safe XML loading and XSD validation (schemas built once per thread, from app/questions/xsd/)."""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

from lxml import etree

from kempelen.questions.errors import QuestionInvalid

_BASE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
QUESTION_FORM_2005 = _BASE + "2005-10-01/QuestionForm.xsd"
QUESTION_FORM_2017 = _BASE + "2017-11-06/QuestionForm.xsd"
EXTERNAL_QUESTION = _BASE + "2006-07-14/ExternalQuestion.xsd"
HTML_QUESTION = _BASE + "2011-11-11/HTMLQuestion.xsd"
QUESTION_FORM_ANSWERS = _BASE + "2005-10-01/QuestionFormAnswers.xsd"
ANSWER_KEY = _BASE + "2005-10-01/AnswerKey.xsd"

#: namespace -> the root element its schema declares
ROOT_ELEMENTS = {
    QUESTION_FORM_2005: "QuestionForm",
    QUESTION_FORM_2017: "QuestionForm",
    EXTERNAL_QUESTION: "ExternalQuestion",
    HTML_QUESTION: "HTMLQuestion",
    QUESTION_FORM_ANSWERS: "QuestionFormAnswers",
    ANSWER_KEY: "AnswerKey",
}
QUESTION_FORM_NAMESPACES = (QUESTION_FORM_2017, QUESTION_FORM_2005)

#: the size limit of Question, Test and AnswerKey, in UTF-8 bytes
MAX_DOCUMENT_BYTES = 65_535

_XSD_DIR = Path(__file__).with_name("xsd")
_VARIANT_MARK = "{urn:kempelen:schema-variants}absentIn"


@cache
def _schema_text(namespace: str) -> bytes:
    """The XSD source for a namespace; the 2017-11-06 QuestionForm is derived from the 2005-10-01 file."""
    if namespace != QUESTION_FORM_2017:
        return (_XSD_DIR / namespace.rsplit("/", 1)[1]).read_bytes()
    text = (_XSD_DIR / "QuestionForm.xsd").read_bytes().replace(
        QUESTION_FORM_2005.encode(), QUESTION_FORM_2017.encode())
    tree = etree.fromstring(text)
    for marked in [el for el in tree.iter(etree.Element)
                   if "2017-11-06" in (el.get(_VARIANT_MARK) or "").split()]:
        marked.getparent().remove(marked)
    return etree.tostring(tree)


_local = threading.local()


def _validator(namespace: str) -> etree.XMLSchema:
    """lxml validators keep their error log on the object, so each thread gets its own."""
    validators = _local.__dict__.setdefault("validators", {})
    if namespace not in validators:
        validators[namespace] = etree.XMLSchema(etree.fromstring(_schema_text(namespace)))
    return validators[namespace]


def safe_parser() -> etree.XMLParser:
    if not hasattr(_local, "parser"):
        # no DTD loading, no entity expansion, no network: a question is data, never a fetch
        _local.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                        huge_tree=False, collect_ids=False)
    return _local.parser


_NAMESPACE_IN_MESSAGE = re.compile(r"\{(?:https?|urn):[^}\s]*\}")
_POSITION = re.compile(r",? line (\d+), column (\d+)$")
_ENCODING_DECLARATION = re.compile(r"""^(\ufeff?<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def strip_namespaces(message: str) -> str:
    return _NAMESPACE_IN_MESSAGE.sub("", message)


def load(xml: str, *, limit: int | None = MAX_DOCUMENT_BYTES) -> etree._Element:
    """Parse a document given as a JSON string: size limit, well-formedness, no DOCTYPE."""
    if isinstance(xml, bytes):
        xml = xml.decode("utf-8", "replace")
    if not isinstance(xml, str):
        raise QuestionInvalid("The XML must be given as a string.")
    try:
        data = xml.encode("utf-8")
    except UnicodeEncodeError:
        raise QuestionInvalid("The XML contains characters that cannot be encoded as UTF-8.") from None
    if limit is not None and len(data) > limit:
        raise QuestionInvalid(f"The XML is {len(data)} bytes long; the limit is {limit} bytes.")
    # the text arrived as Unicode, so a declared byte encoding no longer applies (same bytes count/lines)
    data = _ENCODING_DECLARATION.sub(lambda m: m.group(1) + m.group(2) + "UTF-8" + m.group(2), xml,
                                     count=1).encode("utf-8")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        message = error.msg or str(error)
        position = _POSITION.search(message)
        if position:
            message = f"{message[:position.start()]} (line {position[1]}, column {position[2]})"
        raise QuestionInvalid(f"The XML is not well-formed: {message}") from None
    if root.getroottree().docinfo.doctype:
        raise QuestionInvalid("A DOCTYPE declaration is not allowed in the XML.")
    return root


def root_namespace(root: etree._Element, accepted: tuple[str, ...], what: str) -> str:
    """The root's namespace, if it is one of ``accepted`` and the root element is the one it declares."""
    qname = etree.QName(root)
    if qname.namespace is None:
        suggestion = [ns for ns in accepted if ROOT_ELEMENTS[ns] == qname.localname]
        if suggestion:
            raise QuestionInvalid(f"The root element '{qname.localname}' has no namespace; "
                                  f'declare xmlns="{suggestion[0]}".')
        raise QuestionInvalid(f"The root element '{qname.localname}' has no namespace. "
                              f"A {what} must use one of: {', '.join(accepted)}.")
    if qname.namespace not in accepted:
        raise QuestionInvalid(f"The namespace '{qname.namespace}' of the root element '{qname.localname}' "
                              f"is not accepted here. A {what} must use one of: {', '.join(accepted)}.")
    expected = ROOT_ELEMENTS[qname.namespace]
    if qname.localname != expected:
        raise QuestionInvalid(f"The root element is '{qname.localname}' but namespace '{qname.namespace}' "
                              f"declares '{expected}'.")
    return qname.namespace


def validate(root: etree._Element, namespace: str) -> None:
    """Check the document against our XSD for ``namespace``; report the first error with its line."""
    validator = _validator(namespace)
    if validator.validate(root):
        return
    error = validator.error_log[0]
    raise QuestionInvalid(f"{strip_namespaces(error.message).strip()} (line {error.line})")


def text_of(element: etree._Element | None) -> str:
    """The character content of a simple-typed element (CDATA included, comments skipped)."""
    if element is None:
        return ""
    return (element.text or "") + "".join(child.tail or "" for child in element)
