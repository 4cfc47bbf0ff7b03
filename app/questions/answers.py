"""Answer and the QuestionFormAnswers document MTurk returns in ``Assignment.Answer``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal

from lxml import etree

from kempelen.questions.schema import QUESTION_FORM_ANSWERS, load, root_namespace, text_of, validate

#: what the live service writes first (with no whitespace anywhere between elements)
XML_DECLARATION = '<?xml version="1.0" encoding="ASCII"?>'

# characters XML 1.0 cannot carry at all, not even as &#n; references
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Answer:
    """One ``<Answer>``: free text, or selections (possibly none) with optional "other" text, or a file.

    An Answer with nothing but its identifier is a selection answer with no selection, as in MTurk.
    """
    question_identifier: str
    free_text: str | None = None
    selection_identifiers: tuple[str, ...] = ()
    other_selection_text: str | None = None
    uploaded_file_size: int | None = None
    uploaded_file_key: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.selection_identifiers, str):
            raise ValueError("selection_identifiers is a list of identifiers, not one string.")
        if not isinstance(self.selection_identifiers, tuple):
            object.__setattr__(self, "selection_identifiers", tuple(self.selection_identifiers))
        selection = bool(self.selection_identifiers) or self.other_selection_text is not None
        upload = self.uploaded_file_size is not None or self.uploaded_file_key is not None
        if (self.free_text is not None) + selection + upload > 1:
            raise ValueError("An Answer holds free text, selections or an uploaded file, not several of them.")
        if upload and (self.uploaded_file_key is None or self.uploaded_file_size is None
                       or self.uploaded_file_size < 1):
            raise ValueError("An uploaded file needs a key and a size of at least 1 byte.")

    @property
    def kind(self) -> Literal["FreeText", "Selection", "FileUpload"]:
        if self.free_text is not None:
            return "FreeText"
        return "FileUpload" if self.uploaded_file_key is not None else "Selection"

    @property
    def is_empty(self) -> bool:
        """Nothing given: empty free text, or no selection and no (or empty) other text."""
        if self.kind == "FreeText":
            return self.free_text == ""
        return self.kind == "Selection" and not self.selection_identifiers and not self.other_selection_text


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{QUESTION_FORM_ANSWERS}}}{name}").text = _NOT_XML.sub("", text)


def write_question_form_answers(answers: Iterable[Answer]) -> str:
    """The QuestionFormAnswers XML exactly as MTurk writes it: ASCII declaration, default namespace, no
    whitespace between elements, non-ASCII as ``&#n;``, ``& < >`` escaped. Characters XML cannot carry at
    all (C0 controls other than tab/LF/CR, lone surrogates) are dropped. No answers give ``""``, since
    the schema requires at least one Answer."""
    answers = list(answers)
    if not answers:
        return ""
    root = etree.Element(f"{{{QUESTION_FORM_ANSWERS}}}QuestionFormAnswers", nsmap={None: QUESTION_FORM_ANSWERS})
    for answer in answers:
        element = etree.SubElement(root, f"{{{QUESTION_FORM_ANSWERS}}}Answer")
        _add(element, "QuestionIdentifier", answer.question_identifier)
        if answer.kind == "FreeText":
            _add(element, "FreeText", answer.free_text)
        elif answer.kind == "FileUpload":
            _add(element, "UploadedFileSizeInBytes", str(answer.uploaded_file_size))
            _add(element, "UploadedFileKey", answer.uploaded_file_key)
        else:
            for identifier in answer.selection_identifiers:
                _add(element, "SelectionIdentifier", identifier)
            if answer.other_selection_text is not None:
                _add(element, "OtherSelectionText", answer.other_selection_text)
    return XML_DECLARATION + etree.tostring(root, encoding="ASCII", xml_declaration=False).decode("ascii")


def parse_question_form_answers(xml: str, *, check_schema: bool = True) -> list[Answer]:
    """Read back a QuestionFormAnswers document (QuestionInvalid if it is not one); ``""`` gives ``[]``.
    ``check_schema=False`` skips the XSD for documents Kempelen wrote itself (a results export reads
    thousands)."""
    if not xml.strip():
        return []
    root = load(xml, limit=None)
    root_namespace(root, (QUESTION_FORM_ANSWERS,), "QuestionFormAnswers document")
    if check_schema:
        validate(root, QUESTION_FORM_ANSWERS)
    answers = []
    for element in root:
        if not isinstance(element.tag, str):
            continue
        parts: dict[str, list[str]] = {}
        for child in element:
            if isinstance(child.tag, str):
                parts.setdefault(etree.QName(child).localname, []).append(text_of(child))
        size = parts.get("UploadedFileSizeInBytes")
        answers.append(Answer(
            question_identifier=parts["QuestionIdentifier"][0],
            free_text=parts.get("FreeText", [None])[0],
            selection_identifiers=tuple(parts.get("SelectionIdentifier", ())),
            other_selection_text=parts.get("OtherSelectionText", [None])[0],
            uploaded_file_size=None if size is None else int(size[0].strip()),
            uploaded_file_key=parts.get("UploadedFileKey", [None])[0]))
    return answers
