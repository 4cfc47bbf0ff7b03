"""The two ways a question document or an answer can be refused."""


class QuestionInvalid(ValueError):
    """A Question, Test, AnswerKey or QuestionFormAnswers document MTurk would refuse.

    ``details`` is one human line, e.g. the schema validator's message with its line number:
    ``Element 'Foo': This element is not expected. Expected is ( QuestionIdentifier ). (line 3)``.
    The API layer wraps it with ``kempelen.errors.invalid_question(parameter, value, details)``.
    """

    def __init__(self, details: str):
        details = " ".join(details.split())
        super().__init__(details)
        self.details = details


class AnswerInvalid(ValueError):
    """A worker's answer breaks its question's AnswerSpecification."""

    def __init__(self, question_identifier: str, reason: str):
        super().__init__(f"{question_identifier}: {reason}")
        self.question_identifier = question_identifier
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AnswerInvalid) and other.question_identifier == self.question_identifier
                and other.reason == self.reason)

    def __hash__(self) -> int:
        return hash((self.question_identifier, self.reason))
