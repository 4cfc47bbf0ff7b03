"""Projects of the Requester website, which are HIT layouts: create, edit, list, preview, and the question a
HIT made with ``HITLayoutId`` gets (CreateHIT / CreateHITWithHITType call ``layout_question``).

The site, the ``/_kempelen/requester`` routes and the CLI all call these functions. Properties carry the
names CreateHIT gives them (Title, Reward, LifetimeInSeconds, ...) and are checked by the same rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select

from kempelen import errors, ids
from kempelen.domain import hits as rules
from kempelen.domain.money import format_amount, parse_amount, to_cents
from kempelen.operations.context import OperationContext
from kempelen.operations.hit_types import check_length, check_payment, check_range, requirements_json
from kempelen.operations.paging import page_after
from kempelen.operations.views import hit_view
from kempelen.questions import layouts
from kempelen.schemas import generated as shapes
from kempelen.store import batches as batch_store
from kempelen.store import hits as hit_store
from kempelen.store import pagination
from kempelen.store.models import Project

REWARD_PATTERN = re.compile(r"^[0-9]+(\.)?[0-9]{0,2}$")  # botocore's CurrencyAmount
MAX_PAGE_SIZE = 100


class ProjectProperties(BaseModel):
    """The project form's fields, named as in CreateHITType / CreateHIT. None: not given (on edit: unchanged)."""

    model_config = ConfigDict(extra="forbid")

    ProjectName: str | None = None
    Title: str | None = None
    Description: str | None = None
    Keywords: str | None = None
    Reward: str | None = None
    MaxAssignments: int | None = None
    AssignmentDurationInSeconds: int | None = None
    LifetimeInSeconds: int | None = None
    AutoApprovalDelayInSeconds: int | None = None
    QualificationRequirements: list[shapes.QualificationRequirement] | None = None
    RequesterAnnotation: str | None = None
    FrameHeight: int | None = None

    @classmethod
    def parse(cls, document: Mapping) -> ProjectProperties:
        """From JSON-like input (a props.json, a form): an MTurk-style error instead of pydantic's."""
        if not isinstance(document, Mapping):
            raise errors.invalid_parameter("The project properties must be a JSON object.")
        try:
            return cls.model_validate(dict(document))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            if first["type"] == "extra_forbidden":
                raise errors.invalid_parameter(f"Unknown project property {where}. Properties are named as in "
                                               "CreateHIT: Title, Description, Keywords, Reward, MaxAssignments, "
                                               "AssignmentDurationInSeconds, LifetimeInSeconds, "
                                               "AutoApprovalDelayInSeconds, QualificationRequirements, "
                                               "RequesterAnnotation (and ProjectName, FrameHeight).") from None
            raise errors.invalid_parameter(f"The value for {where} is invalid: {first['msg']}.") from None


class ProjectView(BaseModel):
    """A project as the site, the JSON routes and the CLI show it."""

    HITLayoutId: str
    TemplateId: int  # the numeric OriginalHitTemplateId of its batch HITs' RequesterAnnotation
    ProjectName: str
    Template: str
    HITLayoutParameterNames: list[str]
    Title: str
    Description: str
    Keywords: str | None
    Reward: str
    MaxAssignments: int
    AssignmentDurationInSeconds: int
    LifetimeInSeconds: int
    AutoApprovalDelayInSeconds: int
    QualificationRequirements: list[dict]
    RequesterAnnotation: str | None
    FrameHeight: int
    CreationTime: datetime
    UpdateTime: datetime


def project_view(project: Project) -> ProjectView:
    return ProjectView(
        HITLayoutId=project.hit_layout_id, TemplateId=project.seq, ProjectName=project.name,
        Template=project.template, HITLayoutParameterNames=json.loads(project.parameters), Title=project.title,
        Description=project.description, Keywords=project.keywords, Reward=format_amount(project.reward_cents),
        MaxAssignments=project.max_assignments, AssignmentDurationInSeconds=project.assignment_duration,
        LifetimeInSeconds=project.lifetime, AutoApprovalDelayInSeconds=project.auto_approval_delay,
        QualificationRequirements=json.loads(project.qualification_requirements),
        RequesterAnnotation=project.requester_annotation, FrameHeight=project.frame_height,
        CreationTime=project.created_at, UpdateTime=project.updated_at)


def load_project(ctx: OperationContext, hit_layout_id: str) -> Project:
    """The caller's project; another requester's, or none, is MTurk's HITLayoutDoesNotExist."""
    project = ctx.session.scalar(select(Project).where(Project.hit_layout_id == hit_layout_id,
                                                       Project.requester_id == ctx.requester.access_key_id))
    if project is None:
        raise errors.hit_layout_does_not_exist(hit_layout_id)
    return project


def _apply(ctx: OperationContext, project: Project, template: str | None, properties: ProjectProperties) -> None:
    """Check everything first, then write: a refused edit changes nothing."""
    given = properties.model_dump(exclude_unset=True, exclude_none=True)
    if "QualificationRequirements" in given:
        given["QualificationRequirements"] = properties.QualificationRequirements
    merged = {**_current(project), **given}
    for name in ("Title", "Description", "Reward", "AssignmentDurationInSeconds", "LifetimeInSeconds"):
        if merged.get(name) is None:
            raise errors.missing_parameters(name)
    check_length("Title", merged["Title"], rules.TITLE_MAX, required=True)
    check_length("Description", merged["Description"], rules.DESCRIPTION_MAX, required=True)
    check_length("Keywords", merged.get("Keywords"), rules.KEYWORDS_MAX)
    check_length("RequesterAnnotation", merged.get("RequesterAnnotation"), rules.ANNOTATION_MAX)
    if not REWARD_PATTERN.match(merged["Reward"]):
        raise errors.invalid_parameter(f"The value {merged['Reward']} for parameter Reward is invalid: it must be "
                                       "an amount in US dollars such as 0.25.")
    check_payment("Reward", merged["Reward"], "0.00")  # CreateHIT's range: a huge amount is refused, not stored
    check_range("AssignmentDurationInSeconds", merged["AssignmentDurationInSeconds"], rules.DURATION_RANGE)
    check_range("LifetimeInSeconds", merged["LifetimeInSeconds"], rules.DURATION_RANGE)
    max_assignments = merged.get("MaxAssignments") or rules.DEFAULT_MAX_ASSIGNMENTS
    check_range("MaxAssignments", max_assignments, rules.MAX_ASSIGNMENTS_RANGE)
    auto_approval = merged.get("AutoApprovalDelayInSeconds")
    if auto_approval is None:
        auto_approval = rules.DEFAULT_AUTO_APPROVAL_DELAY
    check_range("AutoApprovalDelayInSeconds", auto_approval, rules.AUTO_APPROVAL_RANGE)
    frame_height = merged.get("FrameHeight") or 0
    check_range("FrameHeight", frame_height, (0, 10_000))
    requirements = merged.get("QualificationRequirements") or []
    if requirements and isinstance(requirements[0], dict):
        requirements = [shapes.QualificationRequirement.model_validate(r) for r in requirements]
    requirements = requirements_json(ctx, requirements)
    template = project.template if template is None else template
    problems = layouts.template_problems(template or "")
    if problems:
        raise errors.project_invalid(problems)

    project.template = template
    project.parameters = json.dumps(layouts.parameters(template))
    project.name = (merged.get("ProjectName") or merged["Title"]).strip()
    project.title, project.description = merged["Title"], merged["Description"]
    project.keywords = merged.get("Keywords")
    project.reward_cents = to_cents(parse_amount(merged["Reward"]))
    project.max_assignments = max_assignments
    project.assignment_duration = merged["AssignmentDurationInSeconds"]
    project.lifetime = merged["LifetimeInSeconds"]
    project.auto_approval_delay = auto_approval
    project.qualification_requirements = requirements
    project.requester_annotation = merged.get("RequesterAnnotation")
    project.frame_height = frame_height
    project.updated_at = ctx.now


def _current(project: Project) -> dict:
    if project.template is None:  # a new project: nothing to keep
        return {}
    return {"ProjectName": project.name, "Title": project.title, "Description": project.description,
            "Keywords": project.keywords, "Reward": format_amount(project.reward_cents),
            "MaxAssignments": project.max_assignments,
            "AssignmentDurationInSeconds": project.assignment_duration,
            "LifetimeInSeconds": project.lifetime, "AutoApprovalDelayInSeconds": project.auto_approval_delay,
            "QualificationRequirements": json.loads(project.qualification_requirements),
            "RequesterAnnotation": project.requester_annotation, "FrameHeight": project.frame_height}


def _properties(properties: ProjectProperties | Mapping | None) -> ProjectProperties:
    if properties is None:
        return ProjectProperties()
    return properties if isinstance(properties, ProjectProperties) else ProjectProperties.parse(properties)


def create_project(ctx: OperationContext, *, template: str, properties: ProjectProperties | Mapping
                   ) -> ProjectView:
    """A new project (HIT layout) from a design layout and the HIT properties; its id is a HITLayoutId."""
    project = Project(hit_layout_id=ids.entity_id(), requester_id=ctx.requester.access_key_id,
                      created_at=ctx.now)
    _apply(ctx, project, template, _properties(properties))
    ctx.session.add(project)
    ctx.session.flush()  # its seq (the TemplateId) is known from here on
    return project_view(project)


def update_project(ctx: OperationContext, hit_layout_id: str, *, template: str | None = None,
                   properties: ProjectProperties | Mapping | None = None) -> ProjectView:
    """Edit a project: a new design layout and/or some properties (those not given stay as they are). HITs
    already made keep the question they were made with."""
    project = load_project(ctx, hit_layout_id)
    _apply(ctx, project, template, _properties(properties))
    return project_view(project)


def get_project(ctx: OperationContext, hit_layout_id: str) -> ProjectView:
    return project_view(load_project(ctx, hit_layout_id))


def list_projects(ctx: OperationContext, *, next_token: str | None = None, max_results: int | None = None
                  ) -> tuple[list[ProjectView], str | None]:
    """The caller's projects, newest last, a keyset page at a time (NextToken as in the API)."""
    limit = min(max(max_results or pagination.DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
    after = page_after("Projects", next_token)
    query = select(Project).where(Project.requester_id == ctx.requester.access_key_id)
    if after is not None:
        query = query.where(Project.seq > after)
    rows = list(ctx.session.scalars(query.order_by(Project.seq).limit(limit)))
    return [project_view(p) for p in rows], (pagination.encode("Projects", rows[-1].seq) if rows else None)


def preview_project(ctx: OperationContext, hit_layout_id: str, values: Mapping[str, str] | None = None) -> str:
    """The worker's page for sample values (a variable not given shows as its own ``${name}``)."""
    project = load_project(ctx, hit_layout_id)
    values = dict(values or {})
    filled = {name: values.get(name, f"${{{name}}}") for name in json.loads(project.parameters)}
    return layouts.page(layouts.substitute(project.template, filled))


def check_parameters(project: Project, given: Sequence[tuple[str, str]]) -> dict[str, str]:
    """HITLayoutParameters against the layout, as CreateHIT checks them: none repeated, none unknown, none
    missing. The values by name."""
    values: dict[str, str] = {}
    for name, value in given:
        if name in values:
            raise errors.hit_layout_parameter_repeated(name)
        values[name] = value
    missing, unknown = layouts.missing_and_unknown(json.loads(project.parameters), values)
    if missing:
        raise errors.hit_layout_parameters_missing(missing)
    if unknown:
        raise errors.hit_layout_parameters_unknown(unknown)
    return values


def layout_question(ctx: OperationContext, hit_layout_id: str,
                    parameters: Sequence[shapes.HITLayoutParameter] | None) -> tuple[str, str]:
    """(the HTMLQuestion, the parameters as stored on the HIT) for CreateHIT's HITLayoutId. A project is looked
    up once per request and kept on the context's session for batches that make thousands of HITs."""
    cache = ctx.session.info.setdefault("hit_layouts", {})
    project = cache.get(hit_layout_id)
    if project is None:
        project = cache[hit_layout_id] = load_project(ctx, hit_layout_id)
    values = check_parameters(project, [(p.Name, p.Value) for p in parameters or []])
    question = layouts.build_question(project.template, values, project.frame_height)
    return question, json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def list_project_hits(ctx: OperationContext, hit_layout_id: str, *, next_token: str | None = None,
                      max_results: int | None = None) -> tuple[list[shapes.HIT], str | None]:
    """The HITs made from a project, by batches and through the API alike, as GetHIT shows them."""
    project = load_project(ctx, hit_layout_id)
    scope = f"ProjectHITs:{project.hit_layout_id}"
    after = page_after(scope, next_token)
    limit = min(max(max_results or pagination.DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
    rows = batch_store.project_hits_page(ctx.session, ctx.requester.access_key_id, project.hit_layout_id, ctx.now,
                                         after=after, limit=limit)
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id for hit, _ in rows], ctx.now)
    views = [hit_view(hit, hit_type, counts[hit.hit_id], ctx.now) for hit, hit_type in rows]
    return views, (pagination.encode(scope, rows[-1][0].seq) if rows else None)
