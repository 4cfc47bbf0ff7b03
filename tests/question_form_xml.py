"""Builders of QuestionForm XML for tests: one Question at a time, in the 2005-10-01 grammar."""

from __future__ import annotations

from collections.abc import Iterable

QUESTION_FORM_2005 = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd"


def _head(identifier: str, text: str, required: bool, display_name: str | None) -> str:
    return (f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier>"
            f"{f'<DisplayName>{display_name}</DisplayName>' if display_name else ''}"
            f"{'<IsRequired>true</IsRequired>' if required else ''}"
            f"<QuestionContent><Text>{text}</Text></QuestionContent><AnswerSpecification>")


def selection_question(identifier: str, choices: Iterable[str | tuple[str, str]], *, text: str | None = None,
                       style: str | None = None, low: int | None = None, high: int | None = None,
                       other: str = "", required: bool = False, display_name: str | None = None) -> str:
    """``choices``: SelectionIdentifiers (labelled with their title case) or (identifier, label) pairs;
    ``other``: an ``<OtherSelection>`` element, if any."""
    counts = (f"<MinSelectionCount>{low}</MinSelectionCount>" if low is not None else "") + \
             (f"<MaxSelectionCount>{high}</MaxSelectionCount>" if high is not None else "")
    pairs = [(c, c.title()) if isinstance(c, str) else c for c in choices]
    return (_head(identifier, text or f"Pick for {identifier}", required, display_name)
            + f"<SelectionAnswer>{counts}{f'<StyleSuggestion>{style}</StyleSuggestion>' if style else ''}<Selections>"
            + "".join(f"<Selection><SelectionIdentifier>{key}</SelectionIdentifier><Text>{label}</Text></Selection>"
                      for key, label in pairs)
            + other + "</Selections></SelectionAnswer></AnswerSpecification></Question>")


def free_text_question(identifier: str, constraints: str = "", *, text: str | None = None,
                       default: str | None = None, lines: int | None = None, required: bool = False,
                       display_name: str | None = None) -> str:
    return (_head(identifier, text or f"Say {identifier}", required, display_name) + "<FreeTextAnswer>"
            f"{f'<Constraints>{constraints}</Constraints>' if constraints else ''}"
            f"{f'<DefaultText>{default}</DefaultText>' if default is not None else ''}"
            f"{f'<NumberOfLinesSuggestion>{lines}</NumberOfLinesSuggestion>' if lines else ''}"
            "</FreeTextAnswer></AnswerSpecification></Question>")


def file_upload_question(identifier: str, low: int, high: int, *, text: str | None = None) -> str:
    return (_head(identifier, text or f"Upload {identifier}", False, None)
            + f"<FileUploadAnswer><MaxFileSizeInBytes>{high}</MaxFileSizeInBytes>"
              f"<MinFileSizeInBytes>{low}</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question>")


def question_form(*parts: str) -> str:
    return f'<QuestionForm xmlns="{QUESTION_FORM_2005}">{"".join(parts)}</QuestionForm>'
