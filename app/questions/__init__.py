"""Question documents: parsing and validation (lxml + our own XSDs in ``xsd/``), answers and answer keys.

No database and no web objects here: callers hand in the XML strings from the API and get back
frozen dataclasses, or ``QuestionInvalid`` / ``AnswerInvalid`` with one human line of reason.
"""

from kempelen.questions.answer_key import (AnswerKey, AnswerKeyQuestion, AnswerOption, PercentageMapping,
                                      QualificationValueMapping, RangeMapping, ScaleMapping, SummedScoreRange,
                                      check_answer_key, parse_answer_key)
from kempelen.questions.answers import Answer, parse_question_form_answers, write_question_form_answers
from kempelen.questions.checks import answer_problems, check_answers
from kempelen.questions.errors import AnswerInvalid, QuestionInvalid
from kempelen.questions.model import (AnswerFormatRegex, AnswerSpecification, ApplicationParameter, Binary,
                                 ContentItem, EmbeddedBinary, FileUploadAnswer, Flash, FormattedContent,
                                 FormQuestion, FreeTextAnswer, JavaApplet, ListContent, Overview, Question,
                                 Selection, SelectionAnswer, Text, Title)
from kempelen.questions.parse import parse_question, parse_test
from kempelen.questions.schema import (ANSWER_KEY, EXTERNAL_QUESTION, HTML_QUESTION, MAX_DOCUMENT_BYTES,
                                  QUESTION_FORM_2005, QUESTION_FORM_2017, QUESTION_FORM_ANSWERS)

__all__ = [
    "ANSWER_KEY", "EXTERNAL_QUESTION", "HTML_QUESTION", "MAX_DOCUMENT_BYTES", "QUESTION_FORM_2005",
    "QUESTION_FORM_2017", "QUESTION_FORM_ANSWERS",
    "Answer", "AnswerFormatRegex", "AnswerInvalid", "AnswerKey", "AnswerKeyQuestion", "AnswerOption",
    "AnswerSpecification", "ApplicationParameter", "Binary", "ContentItem", "EmbeddedBinary", "FileUploadAnswer",
    "Flash", "FormQuestion", "FormattedContent", "FreeTextAnswer", "JavaApplet", "ListContent", "Overview",
    "PercentageMapping", "QualificationValueMapping", "Question", "QuestionInvalid", "RangeMapping",
    "ScaleMapping", "Selection", "SelectionAnswer", "SummedScoreRange", "Text", "Title",
    "answer_problems", "check_answer_key", "check_answers", "parse_answer_key", "parse_question",
    "parse_question_form_answers", "parse_test", "write_question_form_answers",
]
