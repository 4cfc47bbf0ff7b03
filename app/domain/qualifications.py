"""Qualification requirements: the shape rules MTurk applied to them (spec §9)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from kempelen.domain.workers import WorkerStatistics

SANDBOX_MASTERS = "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6"
PRODUCTION_MASTERS = "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"
LOCALE = "00000000000000000071"

# System qualification types: name by id, under both the sandbox and the production ids (spec §9.1).
SYSTEM_QUALIFICATION_TYPES: dict[str, str] = {
    SANDBOX_MASTERS: "Masters",
    PRODUCTION_MASTERS: "Masters",
    "00000000000000000040": "Worker_NumberHITsApproved",
    LOCALE: "Worker_Locale",
    "00000000000000000060": "Worker_Adult",
    "000000000000000000L0": "Worker_PercentAssignmentsApproved",
    "00000000000000000000": "Worker_PercentAssignmentsSubmitted",
    "00000000000000000070": "Worker_PercentAssignmentsAbandoned",
    "000000000000000000E0": "Worker_PercentAssignmentsReturned",
    "000000000000000000S0": "Worker_PercentAssignmentsRejected",
    "2F1KVCNHMVHV8E9PBUB2A4J79LU20F": "Categorization Masters",
    "2NDP2L92HECWY8NS8H3CK0CP5L9GHO": "Categorization Masters",
    "2TGBB6BFMFFOM08IBMAFGGESC1UWJX": "Photo Moderation Masters",
    "21VZU98JHSTLZ5BPP4A9NOBJEK3DPG": "Photo Moderation Masters",
}

SINGLE_VALUE_COMPARATORS = {"LessThan", "LessThanOrEqualTo", "GreaterThan", "GreaterThanOrEqualTo",
                            "EqualTo", "NotEqualTo"}
SET_COMPARATORS = {"In", "NotIn"}
PRESENCE_COMPARATORS = {"Exists", "DoesNotExist"}
LOCALE_COMPARATORS = {"EqualTo", "NotEqualTo", "In", "NotIn"}
INTEGER_VALUES_MAX = 15
LOCALE_VALUES_MAX = 30


def is_system_type(qualification_type_id: str) -> bool:
    return qualification_type_id in SYSTEM_QUALIFICATION_TYPES


def requirement_problem(requirement: Mapping) -> str | None:
    """Why MTurk would refuse this QualificationRequirement, or None if it is well formed."""
    type_id = requirement["QualificationTypeId"]
    comparator = requirement["Comparator"]
    integers: Sequence[int] = requirement.get("IntegerValues") or []
    locales: Sequence[Mapping] = requirement.get("LocaleValues") or []
    if requirement.get("RequiredToPreview") is not None and requirement.get("ActionsGuarded") is not None:
        return (f"QualificationRequirement for {type_id}: RequiredToPreview and ActionsGuarded "
                "cannot be used together; use ActionsGuarded.")
    if integers and locales:
        return f"QualificationRequirement for {type_id}: give IntegerValues or LocaleValues, not both."
    if locales:
        if type_id != LOCALE:
            return (f"LocaleValues can be used only with the Worker_Locale qualification ({LOCALE}), "
                    f"not with {type_id}.")
        if comparator not in LOCALE_COMPARATORS:
            return f"The Comparator {comparator} cannot be used with LocaleValues."
        if comparator in SINGLE_VALUE_COMPARATORS and len(locales) != 1:
            return f"The Comparator {comparator} requires exactly one LocaleValue."
        if len(locales) > LOCALE_VALUES_MAX:
            return f"The Comparator {comparator} accepts at most {LOCALE_VALUES_MAX} LocaleValues."
        for locale in locales:
            if locale.get("Subdivision") and locale["Country"] != "US":
                return "A Subdivision can be given only for the Country US."
        return None
    if type_id == LOCALE and comparator not in PRESENCE_COMPARATORS:
        return "The Worker_Locale qualification must be compared with LocaleValues, not IntegerValues."
    if comparator in PRESENCE_COMPARATORS:
        if integers:
            return f"The Comparator {comparator} does not take IntegerValues."
    elif comparator in SINGLE_VALUE_COMPARATORS:
        if len(integers) != 1:
            return f"The Comparator {comparator} requires exactly one IntegerValue."
    elif comparator in SET_COMPARATORS:
        if not 1 <= len(integers) <= INTEGER_VALUES_MAX:
            return (f"The Comparator {comparator} requires between 1 and {INTEGER_VALUES_MAX} "
                    "IntegerValues.")
    return None


# --- Whether a worker meets requirements (spec §9.2, §9.3) ----------------------------------------------

DISCOVER, PREVIEW, ACCEPT = "Discover", "Preview", "Accept"
_GUARDS = {"Accept": {ACCEPT}, "PreviewAndAccept": {PREVIEW, ACCEPT},
           "DiscoverPreviewAndAccept": {DISCOVER, PREVIEW, ACCEPT}}
#: below this many submissions MTurk reported PercentAssignmentsApproved as 100
APPROVAL_RATE_GRACE_SUBMISSIONS = 100
NUMBER_HITS_APPROVED = "00000000000000000040"
ADULT = "00000000000000000060"
PERCENT_APPROVED = "000000000000000000L0"
MASTERS_IDS = frozenset({SANDBOX_MASTERS, PRODUCTION_MASTERS})


@dataclass(frozen=True)
class LocaleValue:
    country: str
    subdivision: str | None = None

    def matches(self, wanted: Mapping) -> bool:
        """A requirement locale with only a Country matches any subdivision of it."""
        if self.country != wanted["Country"]:
            return False
        return not wanted.get("Subdivision") or wanted["Subdivision"] == self.subdivision


class _Present:
    """Granted with no IntegerValue: the qualification exists, but has no value to compare."""

    def __repr__(self) -> str:
        return "PRESENT"


PRESENT = _Present()

#: a worker's value for one qualification type: an integer, a locale, PRESENT, or None when the worker has none
Value = Union[int, LocaleValue, _Present, None]


def requires_masters(requirements: Sequence[Mapping]) -> bool:
    """Whether the Masters premium applies (spec §8)."""
    return any(r["QualificationTypeId"] in MASTERS_IDS and r["Comparator"] == "Exists" for r in requirements)


def guarded_actions(requirement: Mapping) -> set[str]:
    """What failing this requirement stops: Accept by default; RequiredToPreview is the older spelling of
    PreviewAndAccept."""
    guarded = requirement.get("ActionsGuarded")
    if guarded:
        return _GUARDS[guarded]
    return _GUARDS["PreviewAndAccept"] if requirement.get("RequiredToPreview") else _GUARDS["Accept"]


def meets(requirement: Mapping, value: Value) -> bool:
    comparator = requirement["Comparator"]
    if comparator == "Exists":
        return value is not None
    if comparator == "DoesNotExist":
        return value is None
    if value is None or value is PRESENT:
        # A worker without the qualification meets nothing else, not even NotEqualTo or NotIn (MTurk's advice
        # was DoesNotExist for exclusion; see docs/compatibility.md).
        return False
    if isinstance(value, LocaleValue):
        matched = any(value.matches(wanted) for wanted in requirement.get("LocaleValues") or [])
        return matched if comparator in ("EqualTo", "In") else not matched
    integers = requirement.get("IntegerValues") or []
    if comparator == "In":
        return value in integers
    if comparator == "NotIn":
        return value not in integers
    target = integers[0]
    return {"LessThan": value < target, "LessThanOrEqualTo": value <= target, "GreaterThan": value > target,
            "GreaterThanOrEqualTo": value >= target, "EqualTo": value == target,
            "NotEqualTo": value != target}[comparator]


def first_unmet(requirements: Sequence[Mapping], values: Mapping[str, Value], action: str) -> Mapping | None:
    """The first requirement guarding `action` that the worker's values do not meet, or None."""
    for requirement in requirements:
        if action in guarded_actions(requirement) and not meets(
                requirement, values.get(requirement["QualificationTypeId"])):
            return requirement
    return None


def system_values(stats: WorkerStatistics, *, country: str, subdivision: str | None, adult: bool,
                  masters: bool) -> dict[str, Value]:
    """Every worker's value for each system qualification type, under both id sets."""
    approval = 100 if stats.submitted < APPROVAL_RATE_GRACE_SUBMISSIONS else stats.approval_rate
    values: dict[str, Value] = {
        NUMBER_HITS_APPROVED: stats.approved,
        LOCALE: LocaleValue(country, subdivision),
        ADULT: 1 if adult else 0,
        PERCENT_APPROVED: approval,
        "00000000000000000000": stats.submission_rate,
        "00000000000000000070": stats.abandonment_rate,
        "000000000000000000E0": stats.return_rate,
        "000000000000000000S0": stats.rejection_rate,
    }
    for masters_id in MASTERS_IDS:
        values[masters_id] = 1 if masters else None
    return values


def describe_unmet(requirement: Mapping, type_name: str, value: Value) -> str:
    """The refusal a worker sees: which requirement, and what they have."""
    comparator = requirement["Comparator"]
    wanted = requirement.get("IntegerValues") or [
        f"{v['Country']}-{v['Subdivision']}" if v.get("Subdivision") else v["Country"]
        for v in requirement.get("LocaleValues") or []]
    rule = comparator + (" " + ", ".join(str(w) for w in wanted) if wanted else "")
    if value is None:
        have = "you do not have this qualification"
    elif value is PRESENT:
        have = "your qualification has no value"
    elif isinstance(value, LocaleValue):
        have = f"your locale is {value.country}" + (f"-{value.subdivision}" if value.subdivision else "")
    else:
        have = f"your value is {value}"
    return (f"You do not meet the QualificationRequirement on {type_name} "
            f"({requirement['QualificationTypeId']}): {rule}; {have}.")
