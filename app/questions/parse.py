"""parse_question / parse_test: size, well-formedness, namespace, XSD, then the rules an XSD cannot say."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from kempelen.questions import model as m
from kempelen.questions.errors import QuestionInvalid
from kempelen.questions.formatted import check_formatted_content
from kempelen.questions.schema import (EXTERNAL_QUESTION, HTML_QUESTION, QUESTION_FORM_2005, QUESTION_FORM_2017,
                                  QUESTION_FORM_NAMESPACES, load, root_namespace, text_of, validate)

QUESTION_NAMESPACES = (QUESTION_FORM_2017, QUESTION_FORM_2005, EXTERNAL_QUESTION, HTML_QUESTION)


def parse_question(xml: str, *, allow_legacy: bool = True) -> m.Question:
    """A HIT's Question: QuestionForm (either namespace), ExternalQuestion or HTMLQuestion.

    ``allow_legacy=False`` refuses FileUploadAnswer and Application even under 2005-10-01, as MTurk has
    done since December 2017; by default the 2005-10-01 grammar is accepted whole.
    """
    return _parse_question(xml, allow_legacy)


# Every accept, preview and submit reads its HIT's Question; schema validation costs milliseconds and the
# result is immutable, so the few documents in use are parsed once. Refusals are not cached (they raise).
@lru_cache(maxsize=256)
def _parse_question(xml: str, allow_legacy: bool) -> m.Question:
    root = load(xml)
    namespace = root_namespace(root, QUESTION_NAMESPACES, "Question")
    validate(root, namespace)
    if namespace == EXTERNAL_QUESTION:
        return m.Question("ExternalQuestion", namespace, external_url=_external_url(_child(root, "ExternalURL")),
                          frame_height=_frame_height(_child(root, "FrameHeight")))
    if namespace == HTML_QUESTION:
        return m.Question("HTMLQuestion", namespace, html_content=text_of(_child(root, "HTMLContent")),
                          frame_height=_frame_height(_child(root, "FrameHeight")))
    return _question_form(root, namespace, allow_legacy=allow_legacy, for_test=False)


def parse_test(xml: str, *, allow_legacy: bool = True) -> m.Question:
    """A qualification type's Test: a QuestionForm only, and without FileUploadAnswer."""
    root = load(xml)
    qname = etree.QName(root)
    if qname.namespace in (EXTERNAL_QUESTION, HTML_QUESTION):
        raise QuestionInvalid(f"A qualification test must be a QuestionForm; {qname.localname} is not allowed.")
    namespace = root_namespace(root, QUESTION_FORM_NAMESPACES, "qualification test")
    validate(root, namespace)
    return _question_form(root, namespace, allow_legacy=allow_legacy, for_test=True)


# --- the element helpers ---------------------------------------------------------------------------------

def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return parent.find(f"{{{etree.QName(parent).namespace}}}{name}")


def _children(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _int(element: etree._Element | None, default: int | None = None) -> int | None:
    return default if element is None else int(text_of(element).strip())


def _opt_text(element: etree._Element | None) -> str | None:
    return None if element is None else text_of(element)


def _int_attribute(element: etree._Element | None, name: str) -> int | None:
    value = None if element is None else element.get(name)
    return None if value is None else int(value.strip())


# --- ExternalQuestion / HTMLQuestion ------------------------------------------------------------------------

def _external_url(element: etree._Element) -> str:
    url = text_of(element).strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise QuestionInvalid(f"ExternalURL must be an absolute https:// (or http://) URL, not '{url}' "
                              f"(line {element.sourceline})")
    return url


def _frame_height(element: etree._Element) -> int:
    height = int(text_of(element).strip())
    if height < 0:
        raise QuestionInvalid(f"FrameHeight must be 0 (fit the window) or a positive number of pixels, "
                              f"not {height} (line {element.sourceline})")
    return height


# --- QuestionForm -----------------------------------------------------------------------------------------

def _question_form(root: etree._Element, namespace: str, *, allow_legacy: bool, for_test: bool) -> m.Question:
    for element in root.iter(f"{{{namespace}}}FileUploadAnswer", f"{{{namespace}}}Application"):
        if for_test and _name(element) == "FileUploadAnswer":
            raise QuestionInvalid(f"FileUploadAnswer is not allowed in a qualification test "
                                  f"(line {element.sourceline})")
        if not allow_legacy:
            raise QuestionInvalid(f"{_name(element)} is no longer supported by Amazon Mechanical Turk "
                                  f"(line {element.sourceline})")
    for element in root.iter(f"{{{namespace}}}FormattedContent"):
        check_formatted_content(text_of(element), element.sourceline)
    items: list[m.Overview | m.FormQuestion] = []
    lines: dict[str, int] = {}
    for element in _children(root):
        if _name(element) == "Overview":
            items.append(m.Overview(_content(element)))
            continue
        question = _form_question(element)
        if question.identifier in lines:
            raise QuestionInvalid(f"QuestionIdentifier '{question.identifier}' is used by more than one Question "
                                  f"(lines {lines[question.identifier]} and {element.sourceline})")
        lines[question.identifier] = element.sourceline
        items.append(question)
    if not lines:
        raise QuestionInvalid("A QuestionForm must contain at least one Question.")
    return m.Question("QuestionForm", namespace, items=tuple(items))


def _form_question(element: etree._Element) -> m.FormQuestion:
    required = _child(element, "IsRequired")
    return m.FormQuestion(
        identifier=text_of(_child(element, "QuestionIdentifier")),
        display_name=_opt_text(_child(element, "DisplayName")),
        is_required=required is not None and text_of(required).strip() in ("true", "1"),
        content=_content(_child(element, "QuestionContent")),
        answer_specification=_answer_specification(_children(_child(element, "AnswerSpecification"))[0]))


def _content(element: etree._Element) -> tuple[m.ContentItem, ...]:
    return tuple(_content_item(child) for child in _children(element))


def _content_item(element: etree._Element) -> m.ContentItem:
    name = _name(element)
    if name == "Title":
        return m.Title(text_of(element))
    if name == "Text":
        return m.Text(text_of(element))
    if name == "FormattedContent":
        return m.FormattedContent(text_of(element))
    if name == "List":
        return m.ListContent(tuple(text_of(item) for item in _children(element)))
    if name == "Binary":
        mime = _child(element, "MimeType")
        return m.Binary(mime_type=text_of(_child(mime, "Type")), mime_subtype=_opt_text(_child(mime, "SubType")),
                        data_url=text_of(_child(element, "DataURL")).strip(),
                        alt_text=text_of(_child(element, "AltText")))
    if name == "EmbeddedBinary":
        mime = _child(element, "EmbeddedMimeType")
        return m.EmbeddedBinary(mime_type=text_of(_child(mime, "Type")), mime_subtype=text_of(_child(mime, "SubType")),
                                data_url=text_of(_child(element, "DataURL")).strip(),
                                alt_text=text_of(_child(element, "AltText")),
                                width=text_of(_child(element, "Width")), height=text_of(_child(element, "Height")),
                                parameters=_parameters(element))
    application = _children(element)[0]  # Application := JavaApplet | Flash
    if _name(application) == "JavaApplet":
        return m.JavaApplet(applet_path=text_of(_child(application, "AppletPath")).strip(),
                            applet_filename=text_of(_child(application, "AppletFilename")),
                            width=text_of(_child(application, "Width")),
                            height=text_of(_child(application, "Height")), parameters=_parameters(application))
    return m.Flash(movie_url=text_of(_child(application, "FlashMovieURL")).strip(),
                   width=text_of(_child(application, "Width")), height=text_of(_child(application, "Height")),
                   parameters=_parameters(application))


def _parameters(element: etree._Element) -> tuple[m.ApplicationParameter, ...]:
    return tuple(m.ApplicationParameter(text_of(_child(p, "Name")), text_of(_child(p, "Value")))
                 for p in _children(element) if _name(p) == "ApplicationParameter")


def _answer_specification(element: etree._Element) -> m.AnswerSpecification:
    name = _name(element)
    if name == "FreeTextAnswer":
        return _free_text(element)
    if name == "FileUploadAnswer":
        return m.FileUploadAnswer(min_bytes=_int(_child(element, "MinFileSizeInBytes")),
                                  max_bytes=_int(_child(element, "MaxFileSizeInBytes")))
    selections = _child(element, "Selections")
    other = _child(selections, "OtherSelection")
    style = _child(element, "StyleSuggestion")
    return m.SelectionAnswer(
        selections=tuple(m.Selection(text_of(_child(s, "SelectionIdentifier")), _content_item(_children(s)[1]))
                         for s in _children(selections) if _name(s) == "Selection"),
        min_selection_count=_int(_child(element, "MinSelectionCount"), 1),
        max_selection_count=_int(_child(element, "MaxSelectionCount"), 1),
        style=None if style is None else text_of(style).strip(),
        other_selection=None if other is None else _free_text(other))


def _free_text(element: etree._Element) -> m.FreeTextAnswer:
    constraints = _child(element, "Constraints")
    numeric = length = None
    regexes: list[m.AnswerFormatRegex] = []
    if constraints is not None:
        numeric = _child(constraints, "IsNumeric")
        length = _child(constraints, "Length")
        regexes = [m.AnswerFormatRegex(r.get("regex"), r.get("errorText"), r.get("flags"))
                   for r in _children(constraints) if _name(r) == "AnswerFormatRegex"]
    return m.FreeTextAnswer(
        is_numeric=numeric is not None,
        min_value=_int_attribute(numeric, "minValue"), max_value=_int_attribute(numeric, "maxValue"),
        min_length=_int_attribute(length, "minLength"), max_length=_int_attribute(length, "maxLength"),
        regexes=tuple(regexes),
        default_text=_opt_text(_child(element, "DefaultText")),
        number_of_lines=_int(_child(element, "NumberOfLinesSuggestion"), 1))
