"""The parsed form of Question documents: small frozen dataclasses, in MTurk's words.

Content items and answer specifications are plain classes so callers can ``match`` on them;
each carries ``tag`` (the XML element it came from) for templates that prefer a string.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import ClassVar, Literal, Union

# --- content blocks (Overview, QuestionContent, Selection) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Title:
    tag: ClassVar[str] = "Title"
    text: str


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text: any markup in it is shown literally."""
    tag: ClassVar[str] = "Text"
    text: str


@dataclass(frozen=True, slots=True)
class ListContent:
    """A ``<List>`` of ``<ListItem>`` strings."""
    tag: ClassVar[str] = "List"
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FormattedContent:
    """The XHTML-subset markup (already checked against MTurk's element/attribute rules)."""
    tag: ClassVar[str] = "FormattedContent"
    xhtml: str


@dataclass(frozen=True, slots=True)
class Binary:
    """An image, audio or video link: MimeType/Type (image|audio|video), optional SubType."""
    tag: ClassVar[str] = "Binary"
    mime_type: str
    mime_subtype: str | None
    data_url: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class ApplicationParameter:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class EmbeddedBinary:
    tag: ClassVar[str] = "EmbeddedBinary"
    mime_type: str
    mime_subtype: str
    data_url: str
    alt_text: str
    width: str
    height: str
    parameters: tuple[ApplicationParameter, ...] = ()


@dataclass(frozen=True, slots=True)
class JavaApplet:
    """``<Application><JavaApplet>`` (2005-10-01 only)."""
    tag: ClassVar[str] = "JavaApplet"
    applet_path: str
    applet_filename: str
    width: str
    height: str
    parameters: tuple[ApplicationParameter, ...] = ()


@dataclass(frozen=True, slots=True)
class Flash:
    """``<Application><Flash>`` (2005-10-01 only)."""
    tag: ClassVar[str] = "Flash"
    movie_url: str
    width: str
    height: str
    parameters: tuple[ApplicationParameter, ...] = ()


ContentItem = Union[Title, Text, ListContent, FormattedContent, Binary, EmbeddedBinary, JavaApplet, Flash]

# --- answer specifications -----------------------------------------------------------------------------

DEFAULT_REGEX_ERROR = "Invalid input supplied."


@dataclass(frozen=True, slots=True)
class AnswerFormatRegex:
    """A JavaScript regular expression the answer must match (``flags="i"``: ignore case)."""
    regex: str
    error_text: str | None = None
    flags: str | None = None

    @property
    def message(self) -> str:
        return self.error_text or DEFAULT_REGEX_ERROR


@dataclass(frozen=True, slots=True)
class FreeTextAnswer:
    """``FreeTextAnswer`` (and ``OtherSelection``): Constraints flattened, defaults resolved."""
    tag: ClassVar[str] = "FreeTextAnswer"
    is_numeric: bool = False
    min_value: int | None = None          # IsNumeric@minValue
    max_value: int | None = None          # IsNumeric@maxValue
    min_length: int | None = None         # Length@minLength (> 0 makes the answer required)
    max_length: int | None = None         # Length@maxLength
    regexes: tuple[AnswerFormatRegex, ...] = ()
    default_text: str | None = None
    number_of_lines: int = 1              # NumberOfLinesSuggestion


@dataclass(frozen=True, slots=True)
class Selection:
    identifier: str
    content: Text | Binary | FormattedContent

    @property
    def label(self) -> str:
        """A plain-text label: the Text, the Binary's AltText, or the FormattedContent without tags."""
        if isinstance(self.content, Text):
            return self.content.text
        if isinstance(self.content, Binary):
            return self.content.alt_text
        return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", self.content.xhtml)).split())


Style = Literal["radiobutton", "checkbox", "list", "dropdown", "combobox", "multichooser"]


@dataclass(frozen=True, slots=True)
class SelectionAnswer:
    tag: ClassVar[str] = "SelectionAnswer"
    selections: tuple[Selection, ...]
    min_selection_count: int = 1          # MinSelectionCount, default 1
    max_selection_count: int = 1          # MaxSelectionCount, default 1
    style: Style | None = None            # StyleSuggestion
    other_selection: FreeTextAnswer | None = None

    @property
    def selection_identifiers(self) -> tuple[str, ...]:
        return tuple(selection.identifier for selection in self.selections)


@dataclass(frozen=True, slots=True)
class FileUploadAnswer:
    """2005-10-01 only; the upload must be within [min_bytes, max_bytes]."""
    tag: ClassVar[str] = "FileUploadAnswer"
    min_bytes: int
    max_bytes: int


AnswerSpecification = Union[FreeTextAnswer, SelectionAnswer, FileUploadAnswer]

# --- the form ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    tag: ClassVar[str] = "Overview"
    content: tuple[ContentItem, ...]


@dataclass(frozen=True, slots=True)
class FormQuestion:
    tag: ClassVar[str] = "Question"
    identifier: str
    content: tuple[ContentItem, ...]
    answer_specification: AnswerSpecification
    display_name: str | None = None
    is_required: bool = False

    @property
    def requires_answer(self) -> bool:
        """IsRequired, or a FreeTextAnswer whose Length@minLength is above 0 (which implies it)."""
        spec = self.answer_specification
        return self.is_required or (isinstance(spec, FreeTextAnswer) and (spec.min_length or 0) > 0)


QuestionKind = Literal["QuestionForm", "ExternalQuestion", "HTMLQuestion"]


@dataclass(frozen=True, slots=True)
class Question:
    """A parsed Question document. Which fields are set depends on ``kind``:

    - QuestionForm: ``items`` (Overviews and FormQuestions in document order);
    - ExternalQuestion: ``external_url`` and ``frame_height``;
    - HTMLQuestion: ``html_content`` and ``frame_height``.
    """
    kind: QuestionKind
    namespace: str
    items: tuple[Overview | FormQuestion, ...] = ()
    external_url: str | None = None
    html_content: str | None = None
    frame_height: int | None = None

    @property
    def questions(self) -> tuple[FormQuestion, ...]:
        return tuple(item for item in self.items if isinstance(item, FormQuestion))

    @property
    def overviews(self) -> tuple[Overview, ...]:
        return tuple(item for item in self.items if isinstance(item, Overview))

    def question(self, identifier: str) -> FormQuestion | None:
        return next((q for q in self.questions if q.identifier == identifier), None)

    @property
    def takes_files(self) -> bool:
        """Whether any question is a FileUploadAnswer: only those can have files uploaded for them."""
        return any(isinstance(q.answer_specification, FileUploadAnswer) for q in self.questions)
