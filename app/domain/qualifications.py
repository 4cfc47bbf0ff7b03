"""Qualification requirements: the shape rules MTurk applied to them (spec §9)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
