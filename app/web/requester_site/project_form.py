"""The project form's fields <-> the properties app.operations.projects takes (named as in CreateHIT).

Only translation lives here (durations in minutes/hours/days -> seconds, the requirement widgets ->
QualificationRequirements); every rule on the values is the operations' own.
"""

from __future__ import annotations

import math

from kempelen import errors
from kempelen.domain.qualifications import (ADULT, LOCALE, NUMBER_HITS_APPROVED, SANDBOX_MASTERS,
                                            SYSTEM_QUALIFICATION_TYPES)

APPROVAL_RATE = "000000000000000000L0"
UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
COMPARATORS = ("GreaterThanOrEqualTo", "GreaterThan", "LessThan", "LessThanOrEqualTo", "EqualTo", "NotEqualTo")
CUSTOM_ROWS = 3
COUNTRIES = ("US", "CA", "GB", "IE", "AU", "NZ", "IN", "DE", "FR", "ES", "IT", "NL", "BR", "MX", "PH", "JP")

_SENTIMENT = """<crowd-form answer-format="flatten-objects">
  <crowd-classifier name="sentiment" categories="['Positive', 'Negative', 'Neutral']"
                    header="What sentiment does this text express?">
    <classification-target>${text}</classification-target>
    <full-instructions header="Sentiment instructions">Choose the feeling the writer shows.</full-instructions>
    <short-instructions>Choose the best category.</short-instructions>
  </crowd-classifier>
</crowd-form>
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>"""

_CLASSIC = """<h2>Is this image a photo of a cat?</h2>
<p><img src="${image_url}" alt="The image to judge" width="300"></p>
<p>
  <label><input type="radio" name="is_cat" value="yes" required> Yes</label>
  <label><input type="radio" name="is_cat" value="no"> No</label>
</p>
<p><label>Comments (optional)<br><textarea name="comments" rows="3" cols="40"></textarea></label></p>"""

STARTERS = {
    "": ("Blank", ""),
    "classic": ("Image question (plain HTML form)", _CLASSIC),
    "sentiment": ("Sentiment (crowd-classifier)", _SENTIMENT),
}


def defaults(start: str = "") -> dict:
    """A new project's form, as MTurk's properties form started (1 hour, 7 days, 3 days)."""
    return {"template": STARTERS.get(start, STARTERS[""])[1], "reward": "0.10", "max_assignments": "1",
            "duration_value": "1", "duration_unit": "hours", "lifetime_value": "7", "lifetime_unit": "days",
            "auto_approval_value": "3", "auto_approval_unit": "days", "masters": "no", "frame_height": "0",
            "locale_comparator": "In"}


def _split_seconds(seconds: int) -> tuple[str, str]:
    for unit in ("days", "hours", "minutes"):
        if seconds % UNITS[unit] == 0 and seconds >= UNITS[unit]:
            return str(seconds // UNITS[unit]), unit
    return f"{seconds / 60:g}", "minutes"


def from_project(project) -> dict:
    """The form filled in from a ProjectView (edit)."""
    values = {"template": project.Template, "project_name": project.ProjectName, "title": project.Title,
              "description": project.Description, "keywords": project.Keywords or "", "reward": project.Reward,
              "max_assignments": str(project.MaxAssignments), "annotation": project.RequesterAnnotation or "",
              "frame_height": str(project.FrameHeight), "masters": "no", "locale_comparator": "In"}
    for prefix, seconds in (("duration", project.AssignmentDurationInSeconds),
                            ("lifetime", project.LifetimeInSeconds),
                            ("auto_approval", project.AutoApprovalDelayInSeconds)):
        values[f"{prefix}_value"], values[f"{prefix}_unit"] = _split_seconds(seconds)
    custom = 0
    for requirement in project.QualificationRequirements:
        type_id, comparator = requirement["QualificationTypeId"], requirement["Comparator"]
        numbers = requirement.get("IntegerValues") or []
        values["guard"] = requirement.get("ActionsGuarded", "Accept")
        if SYSTEM_QUALIFICATION_TYPES.get(type_id) == "Masters":
            values["masters"] = "yes"
        elif type_id == LOCALE:
            values["locale_comparator"] = comparator
            values["locales"] = ", ".join(
                loc["Country"] + (f"-{loc['Subdivision']}" if loc.get("Subdivision") else "")
                for loc in requirement.get("LocaleValues") or [])
        elif type_id == APPROVAL_RATE and numbers:
            values["approval_comparator"], values["approval_value"] = comparator, str(numbers[0])
        elif type_id == NUMBER_HITS_APPROVED and numbers:
            values["approved_comparator"], values["approved_value"] = comparator, str(numbers[0])
        elif type_id == ADULT:
            values["adult"] = "on"
        elif custom < CUSTOM_ROWS:
            values[f"custom{custom}_type"], values[f"custom{custom}_comparator"] = type_id, comparator
            values[f"custom{custom}_value"] = str(numbers[0]) if numbers else ""
            custom += 1
    return values


def echo(form) -> dict:
    """What was typed, to show the form again with the refusal."""
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _text(form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _whole(form, name: str, label: str) -> int | None:
    text = _text(form, name)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.requester_form_value(label, text) from None


def _seconds(form, prefix: str, label: str) -> int | None:
    text = _text(form, f"{prefix}_value")
    if not text:
        return None
    try:
        amount = float(text)
    except ValueError:
        raise errors.requester_form_value(label, text, "a number") from None
    if not math.isfinite(amount):  # "1e400", "nan": floats, but no number of seconds
        raise errors.requester_form_value(label, text, "a number")
    return int(round(amount * UNITS.get(_text(form, f"{prefix}_unit"), 1)))


def _requirement(type_id: str, comparator: str, guard: str, *, integer: int | None = None,
                 locales: list[dict] | None = None) -> dict:
    requirement: dict = {"QualificationTypeId": type_id, "Comparator": comparator, "ActionsGuarded": guard}
    if integer is not None:
        requirement["IntegerValues"] = [integer]
    if locales is not None:
        requirement["LocaleValues"] = locales
    return requirement


def requirements(form) -> list[dict]:
    guard = _text(form, "guard") or "Accept"
    found = []
    if _text(form, "masters") == "yes":
        found.append(_requirement(SANDBOX_MASTERS, "Exists", guard))
    locales = [code.strip().upper() for code in _text(form, "locales").replace(";", ",").split(",") if code.strip()]
    if locales:
        values = [{"Country": c.split("-")[0], **({"Subdivision": c.split("-", 1)[1]} if "-" in c else {})}
                  for c in locales]
        found.append(_requirement(LOCALE, _text(form, "locale_comparator") or "In", guard, locales=values))
    for key, type_id, label in (("approval", APPROVAL_RATE, "The approval rate"),
                                ("approved", NUMBER_HITS_APPROVED, "The number of HITs approved")):
        value = _whole(form, f"{key}_value", label)
        if value is not None:
            found.append(_requirement(type_id, _text(form, f"{key}_comparator") or "GreaterThanOrEqualTo", guard,
                                      integer=value))
    if _text(form, "adult") == "on":
        found.append(_requirement(ADULT, "EqualTo", guard, integer=1))
    for row in range(CUSTOM_ROWS):
        type_id = _text(form, f"custom{row}_type")
        if not type_id:
            continue
        comparator = _text(form, f"custom{row}_comparator") or "Exists"
        value = _whole(form, f"custom{row}_value", "A qualification score")
        found.append(_requirement(type_id, comparator, guard,
                                  integer=value if comparator not in ("Exists", "DoesNotExist") else None))
    return found


def read(form) -> tuple[str, dict]:
    """(the design layout, the properties) from a submitted project form."""
    properties = {
        "ProjectName": _text(form, "project_name") or None, "Title": _text(form, "title") or None,
        "Description": _text(form, "description") or None, "Keywords": _text(form, "keywords") or None,
        "Reward": _text(form, "reward").removeprefix("$") or None,
        "MaxAssignments": _whole(form, "max_assignments", "Assignments per task"),
        "AssignmentDurationInSeconds": _seconds(form, "duration", "Time allotted"),
        "LifetimeInSeconds": _seconds(form, "lifetime", "Task expires in"),
        "AutoApprovalDelayInSeconds": _seconds(form, "auto_approval", "Auto-approve in"),
        "QualificationRequirements": requirements(form),
        "RequesterAnnotation": _text(form, "annotation") or None,
        "FrameHeight": _whole(form, "frame_height", "Frame height"),
    }
    template = form.get("template")
    return (template if isinstance(template, str) else ""), {k: v for k, v in properties.items() if v is not None}


def describe_requirements(requirements: list[dict]) -> list[str]:
    """Requirements in words, for the project's page."""
    words = []
    for requirement in requirements:
        type_id = requirement["QualificationTypeId"]
        name = SYSTEM_QUALIFICATION_TYPES.get(type_id, type_id)
        values = requirement.get("IntegerValues") or [
            loc["Country"] + (f"-{loc['Subdivision']}" if loc.get("Subdivision") else "")
            for loc in requirement.get("LocaleValues") or []]
        shown = f" {', '.join(str(v) for v in values)}" if values else ""
        guard = requirement.get("ActionsGuarded", "Accept")
        words.append(f"{name} {requirement['Comparator']}{shown} (guards {guard})")
    return words
