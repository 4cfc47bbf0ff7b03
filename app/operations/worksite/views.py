"""How a HIT and an assignment look to a worker: plain dicts in MTurk's vocabulary, ready for JSON or a
page, including the work frame's URL for ExternalQuestion and HTMLQuestion HITs."""

from __future__ import annotations

import json

from kempelen.domain import assignments as states
from kempelen.domain import frames
from kempelen.domain.hits import hit_status, is_disposed
from kempelen.domain.money import format_amount
from kempelen.operations.worksite.context import WorkerContext
from kempelen.questions import parse_question
from kempelen.questions.model import Question
from kempelen.store import hits as hit_store
from kempelen.store.models import HIT, Assignment, HITType


def hit_view(ctx: WorkerContext, hit: HIT, hit_type: HITType, counts=None) -> dict:
    if counts is None:
        counts = hit_store.assignment_counts(ctx.session, [hit.hit_id], ctx.now)[hit.hit_id]
    status = hit_status(disposed=is_disposed(hit.disposed_at, hit.creation_time, ctx.now),
                        reviewing=hit.reviewing, expiration=hit.expiration,
                        max_assignments=hit.max_assignments, counts=counts, now=ctx.now)
    return {
        "HITId": hit.hit_id, "HITTypeId": hit.hit_type_id, "HITGroupId": hit_type.hit_group_id,
        "RequesterId": hit.requester_id, "Title": hit_type.title, "Description": hit_type.description,
        "Keywords": hit_type.keywords, "Reward": format_amount(hit_type.reward_cents),
        "CreationTime": hit.creation_time, "Expiration": hit.expiration, "HITStatus": status,
        "AssignmentDurationInSeconds": hit_type.assignment_duration,
        "AutoApprovalDelayInSeconds": hit_type.auto_approval_delay,
        "MaxAssignments": hit.max_assignments,
        "NumberOfAssignmentsAvailable": counts.available(hit.max_assignments),
        "QualificationRequirements": json.loads(hit_type.qualification_requirements),
    }


def question_view(ctx: WorkerContext, hit: HIT, assignment_id: str | None) -> dict:
    question = parse_question(hit.question)
    view = {"QuestionType": question.kind, "Question": hit.question, "FrameHeight": question.frame_height,
            "FrameURL": frame_url(ctx.public_url, question, hit.hit_id, assignment_id, ctx.worker.worker_id,
                                  ctx.content_url)}
    return view


def frame_url(public_url: str, question: Question, hit_id: str, assignment_id: str | None,
              worker_id: str | None, content_url: str | None = None) -> str | None:
    """Where the work frame points: the ExternalURL, or Kempelen's HTMLQuestion host; None for a
    QuestionForm, which the worker site renders itself."""
    if question.kind == "ExternalQuestion":
        return frames.external_frame_url(question.external_url, hit_id, assignment_id, worker_id, public_url)
    if question.kind == "HTMLQuestion":
        return frames.html_frame_url(public_url, hit_id, assignment_id, worker_id, content_url)
    return None


def assignment_view(ctx: WorkerContext, assignment: Assignment, hit: HIT, hit_type: HITType) -> dict:
    moment = states.effective(assignment.status, deadline=assignment.deadline,
                              auto_approval_time=assignment.auto_approval_time,
                              approval_time=assignment.approval_time, now=ctx.now)
    view = {
        "AssignmentId": assignment.assignment_id, "WorkerId": assignment.worker_id, "HITId": hit.hit_id,
        "HITTypeId": hit.hit_type_id, "HITGroupId": hit_type.hit_group_id, "Title": hit_type.title,
        "Reward": format_amount(hit_type.reward_cents), "AssignmentStatus": moment.status,
        "AcceptTime": assignment.accept_time, "Deadline": assignment.deadline,
        "SubmitTime": assignment.submit_time, "AutoApprovalTime": assignment.auto_approval_time,
        "ApprovalTime": moment.approval_time, "RejectionTime": assignment.rejection_time,
        "ReturnTime": assignment.return_time, "RequesterFeedback": assignment.requester_feedback,
        "Answer": assignment.answer,
    }
    if moment.status == states.ACCEPTED:
        question = parse_question(hit.question)
        view.update(QuestionType=question.kind, Question=hit.question, FrameHeight=question.frame_height,
                    FrameURL=frame_url(ctx.public_url, question, hit.hit_id, assignment.assignment_id,
                                       assignment.worker_id, ctx.content_url))
    return view

