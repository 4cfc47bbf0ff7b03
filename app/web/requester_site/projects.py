"""Create: projects (HIT layouts) from an HTML template with ${variables} and the HIT properties, previewed
with sample values in a sandboxed frame; a project's page lists its batches and every HIT made from it
(through the API's HITLayoutId too). The rules are app.operations.projects' (the layouts helper's)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations import batches, projects
from kempelen.operations import requester_site as site
from kempelen.web import sessions
from kempelen.web.requester_site import project_form, sandbox
from kempelen.web.requester_site.common import (PREFIX, Member, act, back, call, now, query, read, refusal, render,
                                                signed_in)

router = APIRouter()
BASE = PREFIX + "/projects"


@router.get("/projects")
def projects_page(request: Request, member: Member = Depends(signed_in), next_token: str = ""):
    found, token = act(request, member, lambda ctx: projects.list_projects(
        ctx, next_token=next_token or None, max_results=100), writes=False)
    return render(request, "requester_site/projects.html", member, {
        "title": "Create", "section": "create", "projects": found,
        "next_url": query(BASE, next_token=token) if token and len(found) == 100 else None})


def _form_page(request: Request, member: Member, values: dict, *, project=None, problem: str | None = None,
               status: int = 200):
    return render(request, "requester_site/project_form.html", member, {
        "title": "Edit project" if project else "New project", "section": "create", "values": values,
        "project": project, "problem": problem, "templates": project_form.STARTERS,
        "countries": project_form.COUNTRIES, "own_types": _own_types(request, member)}, status=status)


def _own_types(request: Request, member: Member) -> list:
    try:
        return call(request, member, "ListQualificationTypes", {
            "MustBeRequestable": False, "MustBeOwnedByCaller": True, "MaxResults": 100}).QualificationTypes or []
    except errors.ServiceError:
        return []


@router.get("/projects/new")
def new_project_page(request: Request, member: Member = Depends(signed_in), start: str = ""):
    return _form_page(request, member, project_form.defaults(start))


@router.post("/projects/new")
def create_project(request: Request, member: Member = Depends(signed_in),
                   form: FormData = Depends(sessions.csrf_form)):
    try:
        template, properties = project_form.read(form)
        created = act(request, member, lambda ctx: projects.create_project(ctx, template=template,
                                                                           properties=properties))
    except (errors.ServiceError, errors.WorkerError) as exc:
        return _form_page(request, member, project_form.echo(form), problem=refusal(exc), status=400)
    return back(f"{BASE}/{created.HITLayoutId}", f"Project “{created.ProjectName}” saved. Its HITLayoutId is "
                                                 f"{created.HITLayoutId}.")


def _project(request: Request, member: Member, hit_layout_id: str):
    return act(request, member, lambda ctx: projects.get_project(ctx, hit_layout_id), writes=False)


@router.get("/projects/{hit_layout_id}")
def project_page(request: Request, hit_layout_id: str, member: Member = Depends(signed_in)):
    project = _project(request, member, hit_layout_id)
    found, _ = act(request, member, lambda ctx: batches.list_batches(ctx, hit_layout_id=hit_layout_id,
                                                                     max_results=100), writes=False)
    hits = read(request, site.hits, member.requester_id, now(request), hit_layout_id=hit_layout_id, limit=20)
    samples = {name: request.query_params.get(f"v.{name}", "") for name in project.HITLayoutParameterNames}
    return render(request, "requester_site/project.html", member, {
        "title": project.ProjectName, "section": "create", "project": project, "batches": found,
        "hits": hits.hits, "more_hits": hits.next_before is not None, "samples": samples,
        "frame_url": sandbox.project_frame_url(hit_layout_id, samples),
        "requirements": project_form.describe_requirements(project.QualificationRequirements)})


@router.get("/projects/{hit_layout_id}/edit")
def edit_project_page(request: Request, hit_layout_id: str, member: Member = Depends(signed_in)):
    project = _project(request, member, hit_layout_id)
    return _form_page(request, member, project_form.from_project(project), project=project)


@router.post("/projects/{hit_layout_id}/edit")
def update_project(request: Request, hit_layout_id: str, member: Member = Depends(signed_in),
                   form: FormData = Depends(sessions.csrf_form)):
    try:
        template, properties = project_form.read(form)
        act(request, member, lambda ctx: projects.update_project(ctx, hit_layout_id, template=template,
                                                                 properties=properties))
    except (errors.ServiceError, errors.WorkerError) as exc:
        project = _project(request, member, hit_layout_id)
        return _form_page(request, member, project_form.echo(form), project=project, problem=refusal(exc),
                          status=400)
    return back(f"{BASE}/{hit_layout_id}", "Project saved. HITs already published keep their old design.")


@router.get("/projects/{hit_layout_id}/frame")
def project_frame(request: Request, hit_layout_id: str, member: Member = Depends(signed_in)):
    """The worker's page for sample values, to be shown only inside the sandboxed preview frame."""
    values = {key[2:]: value for key, value in request.query_params.items() if key.startswith("v.")}
    try:
        html = act(request, member, lambda ctx: projects.preview_project(ctx, hit_layout_id, values), writes=False)
    except errors.ServiceError as exc:
        return sandbox.frame_response(f"<p>{refusal(exc)}</p>", status=404)
    return sandbox.frame_response(html)
