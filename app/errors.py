"""The one catalogue of errors Kempelen answers on the AWS wire.

Every MTurk message text and TurkErrorCode is written here once, behind a named constructor, because
clients branch on these exact strings ("does not exist", "currently in the state", ...).
The ` (<epoch-ms>)` suffix MTurk puts on RequestError messages is added when the error is serialized,
from the server clock, so constructors never need the time.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An error answered as an AWS JSON 1.1 error body."""

    status_code = 400
    type_name = "ServiceError"
    #: Coral's own errors carry a lowercase ``message``; MTurk's modeled ones a capitalised ``Message``.
    message_key = "Message"
    #: MTurk appends " (<epoch-ms>)" to its own messages, never to Coral's.
    timestamped = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def body(self, now_ms: int) -> dict:
        message = f"{self.message} ({now_ms})" if self.timestamped else self.message
        return {"__type": self.type_name, self.message_key: message}


# --- MTurk's modeled errors ---------------------------------------------------------------------------


class RequestError(ServiceError):
    type_name = "RequestError"
    timestamped = True

    def __init__(self, message: str, turk_error_code: str):
        super().__init__(message)
        self.turk_error_code = turk_error_code

    def body(self, now_ms: int) -> dict:
        return {**super().body(now_ms), "TurkErrorCode": self.turk_error_code}


class ServiceFault(ServiceError):
    status_code = 500
    type_name = "ServiceFault"
    timestamped = True

    def __init__(self, message: str = "Amazon Mechanical Turk is temporarily unable to process your request. "
                 "Try your call again.", turk_error_code: str = "AWS.ServiceUnavailable"):
        super().__init__(message)
        self.turk_error_code = turk_error_code

    def body(self, now_ms: int) -> dict:
        return {**super().body(now_ms), "TurkErrorCode": self.turk_error_code}


class ParameterValidationError(ServiceError):
    """What MTurk's JSON API answered for a Question/Test/AnswerKey it could not accept."""

    type_name = "ParameterValidationError"
    timestamped = True

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter

    def body(self, now_ms: int) -> dict:
        return {**super().body(now_ms), "Parameter": self.parameter,
                "TurkErrorCode": "AWS.MechanicalTurk.InvalidParameterValue"}


# --- Coral (the AWS service framework) errors ------------------------------------------------------------


class CoralError(ServiceError):
    message_key = "message"
    coral_namespace = "com.amazon.coral.service"

    @property
    def qualified_type(self) -> str:
        return f"{self.coral_namespace}#{self.type_name}"

    def body(self, now_ms: int) -> dict:
        return {"__type": self.qualified_type, self.message_key: self.message}


class ValidationException(CoralError):
    type_name = "ValidationException"
    coral_namespace = "com.amazon.coral.validate"

    def __init__(self, violations: list[str]):
        count = len(violations)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"{count} validation {noun} detected: " + "; ".join(violations))
        self.violations = violations


class SerializationException(CoralError):
    type_name = "SerializationException"


class UnknownOperationException(CoralError):
    type_name = "UnknownOperationException"

    def __init__(self, message: str = ""):
        super().__init__(message)


class MissingAuthenticationTokenException(CoralError):
    type_name = "MissingAuthenticationTokenException"

    def __init__(self, message: str = "Request is missing Authentication Token"):
        super().__init__(message)


class IncompleteSignatureException(CoralError):
    type_name = "IncompleteSignatureException"


class InvalidSignatureException(CoralError):
    type_name = "InvalidSignatureException"


class ThrottlingException(CoralError):
    """AWS's throttling answer ("Rate exceeded", HTTP 400), which botocore's retry modes retry and back off on;
    only sent when a fault rule asks for it (kempelen.faults)."""

    type_name = "ThrottlingException"
    coral_namespace = "com.amazon.coral.availability"


def throttling() -> ThrottlingException:
    return ThrottlingException("Rate exceeded")


class UnrecognizedClientException(CoralError):
    type_name = "UnrecognizedClientException"

    def __init__(self, message: str = "The security token included in the request is invalid."):
        super().__init__(message)


# --- Named constructors for MTurk's RequestErrors --------------------------------------------------------

_MT = "AWS.MechanicalTurk."


def hit_does_not_exist(hit_id: str) -> RequestError:
    return RequestError(f"Hit {hit_id} does not exist.", _MT + "HITDoesNotExist")


def hit_type_does_not_exist(hit_type_id: str) -> RequestError:
    return RequestError(f"HITType {hit_type_id} does not exist.", _MT + "HITTypeDoesNotExist")


def assignment_does_not_exist(assignment_id: str) -> RequestError:
    return RequestError(f"Assignment {assignment_id} does not exist.", _MT + "AssignmentDoesNotExist")


def hit_in_wrong_state(status: str, allowed: str) -> RequestError:
    # Two spaces after the first period, as MTurk wrote it.
    return RequestError(f"This HIT is currently in the state '{status}'.  "
                        f"This operation can be called with a status of: {allowed}",
                        _MT + "InvalidHITState")


def hit_already_exists(hit_id: str) -> RequestError:
    return RequestError(f'The HIT with ID "{hit_id}" already exists.', _MT + "HitAlreadyExists")


def idempotency_token_processed(token: str, request_id: str | None = None) -> RequestError:
    text = f'The idempotency token "{token}" has already been processed.'
    if request_id:
        text += f" The original request ID was {request_id}."
    return RequestError(text, _MT + "IdempotencyTokenAlreadyProcessed")


def invalid_maximum_assignments_increase(current: int, requested: int) -> RequestError:
    return RequestError(
        f"The number of assignments requested would increase the maximum assignments of this HIT from "
        f"{current} to {current + requested}. A HIT created with fewer than 10 assignments cannot be "
        f"extended to have 10 or more assignments.", _MT + "InvalidMaximumAssignmentsIncrease")


def parameter_out_of_range(name: str, value: object, low: object, high: object) -> RequestError:
    return RequestError(f"The value {value} for parameter {name} is invalid. "
                        f"Valid values range from {low} to {high}.", "AWS.ParameterOutOfRange")


def value_too_long(name: str, limit: int, unit: str = "characters") -> RequestError:
    return RequestError(f"The value for parameter {name} is too long. "
                        f"It must be at most {limit} {unit}.", "AWS.ParameterOutOfRange")


def missing_parameters(*names: str) -> RequestError:
    return RequestError("Your request is missing required parameters. Required parameters include "
                        f"{', '.join(names)}.", "AWS.MissingParameters")


def invalid_parameter(message: str) -> RequestError:
    return RequestError(message, _MT + "InvalidParameterValue")


def invalid_question(parameter: str, value: str, details: str) -> ParameterValidationError:
    shown = value if len(value) <= 200 else value[:200] + "..."
    return ParameterValidationError(
        parameter, f'The value "{shown}" is not valid for the parameter {parameter}. Details: {details}')


def invalid_next_token() -> RequestError:
    return RequestError("The pagination token is invalid.", "AWS.ParameterOutOfRange")


def hit_layout_does_not_exist(layout_id: str) -> RequestError:
    return RequestError(f"HITLayout {layout_id} does not exist.", _MT + "HITLayoutDoesNotExist")


def operation_not_available(operation: str) -> RequestError:
    return RequestError(f"The operation {operation} is not available on this Kempelen server yet.",
                        "AWS.MechanicalTurk.UnsupportedOperation")


def insufficient_funds() -> RequestError:
    return RequestError("This Requester has insufficient funds in their account to complete this transaction.",
                        _MT + "InsufficientFunds")


def qualification_type_does_not_exist(qualification_type_id: str) -> RequestError:
    return RequestError(f"QualificationType {qualification_type_id} does not exist.",
                        _MT + "QualificationTypeDoesNotExist")


def qualification_type_inactive(qualification_type_id: str) -> RequestError:
    return RequestError(f"QualificationType {qualification_type_id} is not active. HITs can be created only "
                        "with requirements on active QualificationTypes.", _MT + "InvalidQualificationTypeState")


def invalid_assignment_state(allowed: str = "Submitted") -> RequestError:
    return RequestError(f"This operation can be called with a status of: {allowed}",
                        _MT + "InvalidAssignmentState")



def qualification_type_already_exists() -> RequestError:
    return RequestError("You have already created a QualificationType with this name. A QualificationType's name "
                        "must be unique among all of the QualificationTypes created by the same user.",
                        _MT + "QualificationTypeAlreadyExists")


def qualification_does_not_exist() -> RequestError:
    return RequestError("You requested a Qualification that does not exist.", _MT + "QualificationDoesNotExist")


def qualification_not_granted() -> RequestError:
    return RequestError("This operation can be called with a status of: Granted", _MT + "InvalidQualificationState")


def qualification_request_does_not_exist(request_id: str) -> RequestError:
    return RequestError(f"QualificationRequest {request_id} does not exist.",
                        _MT + "QualificationRequestDoesNotExist")


def worker_id_invalid() -> RequestError:
    return RequestError("WorkerId is invalid.", "AWS.ParameterOutOfRange")


def too_many_worker_blocks(limit: int) -> RequestError:
    return RequestError(f"You have already blocked {limit} Workers, the most a Requester can block. Unblock a "
                        "Worker before blocking another.", "AWS.ParameterOutOfRange")


def permission_denied() -> RequestError:
    return RequestError("This user is not authorized to perform the requested operation.",
                        _MT + "PermissionDenied")

# --- The worker side (worker API, CLI, externalSubmit): MTurk had no API here, so these are Kempelen's ----


class WorkerError(Exception):
    """A refusal on the worker side: an HTTP status, a stable code scripts can branch on, and a message a
    person can act on. ``details`` carries structured extras (e.g. which question an answer broke)."""

    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []

    def body(self) -> dict:
        error = {"Code": self.code, "Message": self.message}
        if self.details:
            error["Details"] = self.details
        return {"Error": error}


def worker_unauthorized() -> WorkerError:
    return WorkerError(401, "NotAuthorized", "A worker token is required (Authorization: Bearer <token>), or the "
                                             "admin token with an X-Kempelen-Worker-Id header.")


def worker_does_not_exist(worker_id: str) -> WorkerError:
    return WorkerError(404, "WorkerDoesNotExist", f"Worker {worker_id} does not exist.")


def worker_already_exists(worker_id: str) -> WorkerError:
    return WorkerError(409, "WorkerAlreadyExists", f"Worker {worker_id} already exists.")


def invalid_worker_id(worker_id: str) -> WorkerError:
    return WorkerError(400, "InvalidWorkerId", f"The WorkerId {worker_id!r} is not valid: a worker id is \"A\" "
                                               "followed by uppercase letters and digits, at most 64 characters.")


def worker_hit_does_not_exist(hit_id: str) -> WorkerError:
    return WorkerError(404, "HITDoesNotExist", f"Hit {hit_id} does not exist.")


def hit_not_available(hit_id: str, status: str) -> WorkerError:
    return WorkerError(409, "HITNotAvailable", f"Hit {hit_id} cannot be accepted: it is {status}, and only an "
                                               "Assignable HIT with a free assignment can be accepted.")


def hit_already_taken(hit_id: str) -> WorkerError:
    return WorkerError(409, "HITAlreadyTaken", f"You have already worked on Hit {hit_id}; a worker may accept "
                                               "a HIT only once.")


def no_hit_available(hit_type_id: str) -> WorkerError:
    return WorkerError(404, "NoHITAvailable", f"There are no more HITs of HIT type {hit_type_id} "
                                              "available to you.")


def worker_assignment_does_not_exist(assignment_id: str) -> WorkerError:
    return WorkerError(404, "AssignmentDoesNotExist", f"Assignment {assignment_id} does not exist.")


def assignment_not_active(assignment_id: str, status: str) -> WorkerError:
    if status == "Abandoned":
        reason = "the time allotted for it has run out"
    else:
        reason = f"it is {status}"
    return WorkerError(409, "AssignmentNotActive", f"Assignment {assignment_id} can no longer be worked on: "
                                                   f"{reason}. Only an accepted assignment within its time "
                                                   "can be submitted or returned.")


def preview_submission() -> WorkerError:
    return WorkerError(400, "AssignmentNotAccepted", "You must ACCEPT the HIT before you can submit the results.")


def answers_invalid(problems: list) -> WorkerError:
    """``problems``: AnswerInvalid errors from kempelen.questions; the message names the first one."""
    first = problems[0]
    return WorkerError(400, "AnswerInvalid", f"The answer to question {first.question_identifier} was refused: "
                                             f"{first.reason}",
                       [{"QuestionIdentifier": p.question_identifier, "Reason": p.reason} for p in problems])


def answers_malformed(reason: str, question_identifier: str | None = None) -> WorkerError:
    """``question_identifier``: the question the badly shaped answer was for, when there is one."""
    details = None if question_identifier is None else [{"QuestionIdentifier": question_identifier,
                                                         "Reason": reason}]
    return WorkerError(400, "AnswerInvalid", reason, details)


def qualification_requirement_not_met(message: str) -> WorkerError:
    return WorkerError(403, "QualificationRequirementNotMet", message)


def worker_blocked(requester_id: str) -> WorkerError:
    return WorkerError(403, "WorkerBlocked", f"Requester {requester_id} has blocked you from working on their HITs.")


# --- the worker side of qualification requests ----------------------------------------------------------


def worker_qualification_type_does_not_exist(qualification_type_id: str) -> WorkerError:
    return WorkerError(404, "QualificationTypeDoesNotExist",
                       f"QualificationType {qualification_type_id} does not exist.")


def qualification_type_not_requestable(qualification_type_id: str, why: str) -> WorkerError:
    return WorkerError(409, "QualificationTypeNotRequestable",
                       f"QualificationType {qualification_type_id} cannot be requested: {why}.")


def qualification_request_in_progress(qualification_request_id: str, status: str) -> WorkerError:
    doing = ("you are taking its test" if status == "TestStarted"
             else "your request is waiting for the requester's decision")
    return WorkerError(409, "QualificationRequestInProgress",
                       f"You already have a request for this qualification ({qualification_request_id}): {doing}.")


def qualification_retry_not_allowed(qualification_type_id: str, retry_time: str | None) -> WorkerError:
    """``retry_time``: when the worker may ask again (ISO 8601), or None when never."""
    if retry_time is None:
        return WorkerError(409, "QualificationRetryNotAllowed",
                           f"You have already requested QualificationType {qualification_type_id}, and it "
                           "does not allow retries: a worker may request it only once.")
    return WorkerError(409, "QualificationRetryNotAllowed",
                       f"You requested QualificationType {qualification_type_id} too recently. You may "
                       f"request it again at {retry_time}.", [{"RetryTime": retry_time}])


def worker_qualification_request_does_not_exist(qualification_request_id: str) -> WorkerError:
    return WorkerError(404, "QualificationRequestDoesNotExist",
                       f"QualificationRequest {qualification_request_id} does not exist.")


def qualification_test_not_active(qualification_request_id: str, status: str) -> WorkerError:
    reason = ("the time allowed for the test has run out" if status == "TestExpired"
              else f"its answers were already submitted (it is {status})")
    return WorkerError(409, "QualificationTestNotActive",
                       f"QualificationRequest {qualification_request_id} takes no more answers: {reason}.")


# --- notifications (spec §6.F) ---------------------------------------------------------------------------


def notification_specification_missing(hit_type_id: str) -> RequestError:
    return RequestError(f"HITType {hit_type_id} has no notification specification. Send a Notification "
                        "before (or together with) Active.", "AWS.MissingParameters")


def notification_not_delivered(destination: str, reason: str) -> RequestError:
    return RequestError(f"The test notification could not be delivered to {destination}: {reason}",
                        _MT + "InvalidParameterValue")


# --- file uploads (FileUploadAnswer, GetFileUploadURL) ---------------------------------------------------


def not_a_file_upload_question(question_identifier: str, why: str) -> WorkerError:
    return WorkerError(400, "NotAFileUploadQuestion",
                       f"Question {question_identifier} takes no file upload: {why}.")


def uploaded_file_size_invalid(question_identifier: str, size: int, low: int, high: int) -> WorkerError:
    reason = f"The file is {size} bytes; it must be between {low} and {high} bytes."
    return WorkerError(400, "AnswerInvalid", f"The file for question {question_identifier} was refused: {reason}",
                       [{"QuestionIdentifier": question_identifier, "Reason": reason}])


def no_file_upload(assignment_id: str, question_identifier: str, why: str) -> RequestError:
    return RequestError(f"There is no uploaded file for question {question_identifier} of assignment "
                        f"{assignment_id}: {why}.", _MT + "InvalidParameterValue")


# --- The requester website's accounts (members, invites, access keys): Kempelen's own, as the worker side's ---


def requester_member_exists(email: str) -> WorkerError:
    return WorkerError(409, "MemberAlreadyExists", f"{email} already signs in to a requester account.")


def requester_email_invalid(email: str) -> WorkerError:
    return WorkerError(400, "InvalidEmail", f"{email!r} is not an email address.")


def requester_invite_invalid() -> WorkerError:
    return WorkerError(404, "InviteInvalid", "This invitation is not valid: it was used already, has expired, "
                                             "or never existed. Ask for a new one.")


def requester_access_key_does_not_exist(access_key_id: str) -> WorkerError:
    return WorkerError(404, "AccessKeyDoesNotExist", f"Access key {access_key_id} does not belong to this account.")


def requester_last_access_key(access_key_id: str) -> WorkerError:
    return WorkerError(409, "LastActiveAccessKey", f"{access_key_id} is the account's only active key: create "
                                                   "another one before deactivating it.")


def requester_form_value(label: str, text: str, kind: str = "a whole number") -> WorkerError:
    """A requester-site form field that is not the number it must be (before any operation runs)."""
    return WorkerError(400, "InvalidParameterValue", f"{label} must be {kind}, not {text!r}.")


def requester_upload_missing(what: str) -> WorkerError:
    return WorkerError(400, "MissingParameter", f"Choose {what} to upload.")


# --- state controls and faults (admin: reset, snapshots, fault rules) -------------------------------------


def snapshot_does_not_exist(name: str) -> WorkerError:
    return WorkerError(404, "SnapshotDoesNotExist", f"There is no snapshot named {name}.")


def snapshot_refused(message: str) -> WorkerError:
    return WorkerError(400, "InvalidSnapshot", message)


def fault_rules_invalid(message: str) -> WorkerError:
    return WorkerError(400, "InvalidFaultRule", message)


# --- the edges: bodies, characters and amounts every door refuses the same way ----------------------------


class RequestEntityTooLargeException(CoralError):
    """A requester-API body over the server's limit. AWS's text for this is not known; the name follows
    Coral's *Exception convention and the status is HTTP's own (413)."""

    status_code = 413
    type_name = "RequestEntityTooLargeException"


def request_too_large_aws(limit: int) -> RequestEntityTooLargeException:
    return RequestEntityTooLargeException(f"The request body is larger than this server's limit of {limit} bytes.")


def request_too_large(limit: int) -> WorkerError:
    return WorkerError(413, "RequestEntityTooLarge",
                       f"The request body is larger than this server's limit of {limit} bytes.")


def body_not_an_object() -> WorkerError:
    return WorkerError(400, "SerializationException", "The request body must be a JSON object.")


def unstorable_member(member: str) -> WorkerError:
    """A JSON body member holding a character no database can store (NUL, or an unpaired surrogate)."""
    return WorkerError(400, "ValidationException", f"The member {member or '(body)'} contains a character that "
                                                   "is not allowed (NUL, U+0000, or an unpaired surrogate).")


def as_route_error(exc: ServiceError) -> WorkerError:
    """An operation's AWS-side error, as a Kempelen JSON route answers it: the TurkErrorCode (else the
    error's type) as Code, 404 for "does not exist", 403 for a signature refused; CSV problems as Details."""
    code = getattr(exc, "turk_error_code", None) or exc.type_name
    status = 404 if code.endswith("DoesNotExist") else exc.status_code
    if isinstance(exc, CoralError):
        status = 403
    details = ([{"Line": line, "Message": message} for line, message in exc.problems]
               if isinstance(exc, BatchCSVInvalid) else None)
    return WorkerError(status, code, exc.message, details)


def unstorable_path(where: str) -> WorkerError:
    """A path segment or query parameter holding a character no database can store (NUL)."""
    return WorkerError(400, "ValidationException",
                       f"The {where} contains a character that is not allowed (NUL, U+0000).")


def request_invalid(problems: list[tuple[str, str]]) -> WorkerError:
    """``problems``: (where, what) pairs, e.g. ("body.WorkerId", "Input should be a valid string")."""
    count = len(problems)
    text = "; ".join(f"'{where}': {what}" for where, what in problems)
    return WorkerError(400, "ValidationException",
                       f"{count} validation {'error' if count == 1 else 'errors'} detected: {text}")


_HTTP_CODES = {400: "BadRequest", 401: "NotAuthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 409: "Conflict", 413: "RequestEntityTooLarge", 415: "UnsupportedMediaType"}


def http_error(status: int, message: str) -> WorkerError:
    """What the framework itself refuses (no such route, method not allowed), in the one envelope."""
    return WorkerError(status if 400 <= status < 500 else 400, _HTTP_CODES.get(status, "BadRequest"), message)


def internal_error() -> WorkerError:
    """The last resort of the non-AWS doors; the trace goes to the log."""
    return WorkerError(500, "InternalError", "The server could not process the request; the error is logged.")


# --- the admin routes (/_kempelen/...) ------------------------------------------------------------------


def admin_token_required() -> WorkerError:
    return WorkerError(401, "NotAuthorized", "A valid admin token is required (Authorization: Bearer <token>).")


def worker_id_required() -> WorkerError:
    return WorkerError(400, "MissingWorkerId", "With the admin token, name the worker to act for in the "
                                               "X-Kempelen-Worker-Id header.")


def clock_not_manual() -> WorkerError:
    return WorkerError(409, "ClockNotManual", "The server runs on the system clock; start it with "
                                              "`kempelen serve --clock manual` to move time.")


def invalid_value(message: str) -> WorkerError:
    return WorkerError(400, "InvalidParameterValue", message)


def starting_balance_needs_ledger() -> WorkerError:
    return WorkerError(400, "InvalidParameterValue", "A starting balance needs mode 'ledger'.")


def requester_does_not_exist(access_key_id: str) -> WorkerError:
    return WorkerError(404, "RequesterDoesNotExist", f"No active requester {access_key_id}.")


def requester_in_sandbox_mode(access_key_id: str) -> WorkerError:
    return WorkerError(409, "RequesterInSandboxMode", f"Requester {access_key_id} is in sandbox mode: its "
                                                      "balance is always 10000.00 and nothing is charged.")


def withdrawal_exceeds_balance(access_key_id: str, available: str) -> WorkerError:
    return WorkerError(409, "InsufficientFunds", f"Requester {access_key_id} has {available} available (funds "
                                                 "not on hold); a withdrawal cannot take the account below zero.")


def admin_amount_out_of_range(name: str, value: str, high: str) -> WorkerError:
    return WorkerError(400, "ParameterOutOfRange", f"The value {value} for {name} is invalid. Amounts may be at "
                                                   f"most {high}.")


# --- the download end of GetFileUploadURL ---------------------------------------------------------------


def file_link_invalid() -> WorkerError:
    return WorkerError(403, "LinkInvalid",
                       "This link is invalid or has expired. Call GetFileUploadURL for a new one.")


def file_gone() -> WorkerError:
    return WorkerError(404, "FileDoesNotExist", "The file no longer exists.")


def worker_invalid_next_token() -> WorkerError:
    return WorkerError(400, "InvalidNextToken", "The pagination token is invalid.")


# --- HIT layouts, projects and batches (the Requester website's; issue 11) ------------------------------


def hit_layout_parameters_missing(names: list[str]) -> RequestError:
    # MTurk's text, as a requester quoted it (boto/boto#3056)
    return RequestError("Your request is missing required parameters. Required parameters include "
                        "HITLayoutParameter. You have not provided all required HITLayout parameters. "
                        f"Missing parameter names: {', '.join(names)}", "AWS.MissingParameters")


def hit_layout_parameters_unknown(names: list[str]) -> RequestError:
    # The API reference's constraint, with the names in the style of the missing-names text [INFER]
    return RequestError("Parameter names supplied in a HITLayoutParameter structure must be used in the "
                        f"referenced HITLayout. Unknown parameter names: {', '.join(names)}",
                        _MT + "InvalidParameterValue")


def hit_layout_parameter_repeated(name: str) -> RequestError:
    return RequestError(f"The HITLayoutParameter {name} is given more than once.", _MT + "InvalidParameterValue")


def project_invalid(problems: list[str]) -> RequestError:
    return RequestError(" ".join(problems), _MT + "InvalidParameterValue")


def batch_does_not_exist(batch_id: object) -> RequestError:
    return RequestError(f"Batch {batch_id} does not exist.", "AWS.MechanicalTurk.BatchDoesNotExist")


def batch_in_wrong_state(batch_id: object, status: str, allowed: str) -> RequestError:
    return RequestError(f"Batch {batch_id} is {status}. This can be done to a batch that is: {allowed}",
                        "AWS.MechanicalTurk.InvalidBatchState")


class BatchCSVInvalid(RequestError):
    """An uploaded CSV refused: every problem found, each with the line it starts on (1 = the header)."""

    def __init__(self, problems: list[tuple[int, str]]):
        first_line, first = problems[0]
        more = f" ({len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"The CSV file has problems. Line {first_line}: {first}{more}",
                         _MT + "InvalidParameterValue")
        self.problems = problems


# --- the websites' accounts (worker site; requester site sign-in reuses sign_in_failed) ---------------


def sign_up_closed() -> WorkerError:
    return WorkerError(403, "SignUpClosed", "Sign-up is closed on this server: ask its administrator for an account.")


def invite_code_invalid() -> WorkerError:
    return WorkerError(400, "InvalidInviteCode", "The invite code is not valid, or it has already been used.")


def password_invalid(reason: str) -> WorkerError:
    return WorkerError(400, "InvalidPassword", reason)


def sign_in_failed() -> WorkerError:
    return WorkerError(401, "SignInFailed", "The WorkerId or the password is not right.")


def sign_in_link_invalid() -> WorkerError:
    return WorkerError(400, "InvalidSignInLink", "This sign-in link is not valid: it has expired or has already "
                                                 "been used. Ask for a new one.")


def not_an_html_question(hit_id: str) -> WorkerError:
    return WorkerError(404, "HITDoesNotExist", f"Hit {hit_id} is not an HTMLQuestion HIT.")


def question_form_submitter() -> WorkerError:
    return WorkerError(403, "NotYourAssignment", "A QuestionForm HIT's answers are accepted only from the worker "
                                                 "who holds the assignment, signed in to the worker site.")
