"""Finding work: the Assignable HITs a worker may take, and previewing one."""

from __future__ import annotations

from kempelen import errors
from kempelen.domain import qualifications as quals
from kempelen.domain.money import format_amount
from kempelen.operations.worksite.context import (WorkerContext, check_allowed, find_hit, hidden_hit_types,
                                                  parsed_requirements)
from kempelen.operations.worksite.paging import cursor, limit_of
from kempelen.operations.worksite.views import hit_view, question_view
from kempelen.store import assignments as store
from kempelen.store import hits as hit_store
from kempelen.store import hit_groups, pagination
from kempelen.store import qualifications as qualification_store
from kempelen.store.models import HITType, Requester


def list_hits(ctx: WorkerContext, next_token: str | None, max_results: int | None,
              hit_type_id: str | None = None) -> dict:
    scope = f"worker-hits:{hit_type_id or ''}"
    after = cursor(scope, next_token)
    limit = limit_of(max_results)
    rows = store.assignable_page(ctx.session, ctx.worker.worker_id, ctx.now, after=after, limit=limit,
                                 hit_type_id=hit_type_id, hidden_hit_types=hidden_hit_types(ctx))
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id for hit, _ in rows], ctx.now)  # one query a page
    return {"HITs": [hit_view(ctx, hit, hit_type, counts[hit.hit_id]) for hit, hit_type in rows],
            "NumResults": len(rows),
            "NextToken": pagination.encode(scope, rows[-1][0].seq) if rows else None}



def preview_hit(ctx: WorkerContext, hit_id: str) -> dict:
    hit, hit_type = find_hit(ctx, hit_id)
    check_allowed(ctx, hit, hit_type, quals.PREVIEW)
    return {**hit_view(ctx, hit, hit_type), **question_view(ctx, hit, None)}



# --- HIT groups (the worker website's list) -----------------------------------------------------------

GROUP_PAGE_SIZE = 20


def list_groups(ctx: WorkerContext, *, sort: str = "newest", search: str | None = None,
                qualified_only: bool = False, next_token: str | None = None,
                page_size: int = GROUP_PAGE_SIZE) -> dict:
    """The HIT groups this worker may see (requirements guarding Discover hide a group, as in ListHITs;
    a requester's block hides its groups), one row per HIT type with its Assignable HITs, newest, best paid or
    largest first. Each group says whether the worker may preview and accept it, and which requirements
    stand in the way. `qualified_only` keeps the groups the worker may accept."""
    if sort not in hit_groups.SORTS:
        sort = "newest"
    scope = f"groups:{sort}"
    try:
        after = pagination.decode(scope, next_token, kind=list)
    except pagination.InvalidToken:
        raise errors.worker_invalid_next_token() from None
    after = hit_groups.key_from_cursor(sort, after) if after else None
    hidden = hidden_hit_types(ctx)
    groups: list[dict] = []
    last_key = None
    for _ in range(10):  # with qualified_only, a few more batches may be needed to fill a page
        rows = hit_groups.page(ctx.session, ctx.now, worker_id=ctx.worker.worker_id, sort=sort, after=after,
                               limit=page_size, search=search, hidden_types=hidden)
        for row in rows:
            last_key = row.key
            view = group_view(ctx, row)
            if view["HITsAvailable"] == 0 or (qualified_only and not view["Qualified"]):
                continue
            groups.append(view)
            if len(groups) == page_size:
                break
        if len(groups) == page_size or len(rows) < page_size:
            break
        after = hit_groups.key_from_cursor(sort, last_key)
    more = len(groups) == page_size
    return {"Groups": groups, "NextToken": pagination.encode(scope, last_key) if more and last_key else None}


def group_view(ctx: WorkerContext, row: hit_groups.GroupRow) -> dict:
    hit_type = row.hit_type
    requirements = requirement_views(ctx, parsed_requirements(hit_type.qualification_requirements))
    return {
        "HITGroupId": hit_type.hit_group_id, "HITTypeId": hit_type.hit_type_id,
        "RequesterId": hit_type.requester_id, "RequesterName": row.requester_name, "Title": hit_type.title,
        "Description": hit_type.description, "Keywords": hit_type.keywords,
        "Reward": format_amount(hit_type.reward_cents), "HITsAvailable": row.available,
        "AssignmentDurationInSeconds": hit_type.assignment_duration, "CreationTime": hit_type.created_at,
        "LatestExpiration": row.latest_expiration, "QualificationRequirements": requirements,
        "CanPreview": all(r["Met"] for r in requirements if quals.PREVIEW in r["Guards"]),
        "Qualified": all(r["Met"] for r in requirements if quals.ACCEPT in r["Guards"]),
    }


def requirement_views(ctx: WorkerContext, requirements) -> list[dict]:
    """Each QualificationRequirement as a worker reads it: the type's name, the rule, whether it is met, and
    (if not) the same sentence the API's refusal carries."""
    if not requirements:
        return []
    values = ctx.qualification_values()
    custom = [r["QualificationTypeId"] for r in requirements if r["QualificationTypeId"] not in
              quals.SYSTEM_QUALIFICATION_TYPES]
    found = qualification_store.types_by_id(ctx.session, custom) if custom else {}
    views = []
    for requirement in requirements:
        type_id = requirement["QualificationTypeId"]
        name = quals.SYSTEM_QUALIFICATION_TYPES.get(type_id) or (found[type_id].name if type_id in found else type_id)
        value = values.get(type_id)
        met = quals.meets(requirement, value)
        views.append({"QualificationTypeId": type_id, "Name": name, "Comparator": requirement["Comparator"],
                      "Values": _wanted(requirement), "Met": met,
                      "Guards": sorted(quals.guarded_actions(requirement)),
                      "Explanation": None if met else quals.describe_unmet(requirement, name, value),
                      "Requestable": type_id in found and found[type_id].status == "Active"
                                     and found[type_id].is_requestable})
    return views


def _wanted(requirement) -> list[str]:
    return [str(v) for v in requirement.get("IntegerValues") or []] + [
        f"{v['Country']}-{v['Subdivision']}" if v.get("Subdivision") else v["Country"]
        for v in requirement.get("LocaleValues") or []]


def preview_group(ctx: WorkerContext, hit_type_or_group_id: str, after_hit_id: str | None = None) -> dict:
    """A HIT of the group to preview (the next one after `after_hit_id`, for "Skip"; the first again at the
    end), with the group's view. The worker must be allowed to preview it (requirements guarding Preview)."""
    type_ids = store.hit_types_by_id_or_group(ctx.session, hit_type_or_group_id)
    for type_id in type_ids:
        after = None
        if after_hit_id:
            found = hit_store.get_hit_any_requester(ctx.session, after_hit_id)
            after = found[0].seq if found and found[0].hit_type_id == type_id else None
        rows = store.assignable_page(ctx.session, ctx.worker.worker_id, ctx.now, after=after, limit=1,
                                     hit_type_id=type_id)
        if not rows and after is not None:  # skipped past the last one: start over
            rows = store.assignable_page(ctx.session, ctx.worker.worker_id, ctx.now, after=None, limit=1,
                                         hit_type_id=type_id)
        if rows:
            hit, hit_type = rows[0]
            counts = hit_groups.exact_counts(ctx.session, [type_id], ctx.now).get(type_id, (0, None))
            group = group_view(ctx, hit_groups.GroupRow(hit_type, _requester_name(ctx, hit_type.requester_id),
                                                        counts[0], counts[1], []))
            check_allowed(ctx, hit, hit_type, quals.PREVIEW)
            return {"Group": group, "HIT": {**hit_view(ctx, hit, hit_type), **question_view(ctx, hit, None)}}
    raise errors.no_hit_available(hit_type_or_group_id)


def group_info(ctx: WorkerContext, hit_type_or_group_id: str) -> dict | None:
    """The group's view without a HIT (for explaining why it cannot be previewed), or None if unknown."""
    for type_id in store.hit_types_by_id_or_group(ctx.session, hit_type_or_group_id):
        hit_type = ctx.session.get(HITType, type_id)
        counts = hit_groups.exact_counts(ctx.session, [type_id], ctx.now).get(type_id, (0, None))
        return group_view(ctx, hit_groups.GroupRow(hit_type, _requester_name(ctx, hit_type.requester_id),
                                                   counts[0], counts[1], []))
    return None


def _requester_name(ctx: WorkerContext, requester_id: str) -> str:
    requester = ctx.session.get(Requester, requester_id)
    return (requester.name if requester else "") or requester_id
