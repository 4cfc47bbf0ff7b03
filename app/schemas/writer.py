"""Output model -> the JSON-ready dict of a JSON 1.1 response."""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel

def built(model: type[BaseModel], members: dict) -> BaseModel:
    """An output model from `members`, every one of the model's members in its order, values already of
    their types: what model_construct makes, without its pass over the members (a page of HIT shapes spent
    a fifth of ListHITs there). For shapes the server itself fills in, never for input."""
    shape = model.__new__(model)
    object.__setattr__(shape, "__dict__", members)
    object.__setattr__(shape, "__pydantic_fields_set__", set(members))
    object.__setattr__(shape, "__pydantic_extra__", None)
    object.__setattr__(shape, "__pydantic_private__", None)
    return shape


def _epoch(moment: datetime) -> float:
    # JSON 1.1 timestamps are epoch seconds; MTurk sends milliseconds. A naive datetime is taken as UTC
    # (timestamp() would otherwise read it in the server's local zone).
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = moment.timestamp()  # microseconds / 10**6, correctly rounded
    # A whole millisecond (what the clock and the store keep) is already what round() would give.
    return seconds if moment.microsecond % 1000 == 0 else round(seconds, 3)


class Serialized(dict):
    """A nested shape's JSON object, already what serialize_response would make of it (serialized()): taken
    as it is, where a page of HITs would otherwise be built as shapes and walked again member by member."""


def serialized(members: dict) -> Serialized:
    """The JSON object for a shape given as its members (every value of its member's type): absent (None)
    members dropped, datetimes as epoch seconds, nested shapes serialized, as serialize_response does."""
    return Serialized({key: item if type(item) in _PLAIN else _dump(item)
                       for key, item in members.items() if item is not None})


def _dump(value: object) -> object:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float:
        return value
    # exact types before isinstance(BaseModel), whose metaclass's check costs more than the rest of a member
    if kind is datetime:
        return _epoch(value)
    if kind is list:
        return [_dump(item) for item in value]
    if kind is Serialized:
        return value
    if isinstance(value, BaseModel):
        return _model(value)
    if isinstance(value, datetime):
        return _epoch(value)
    if isinstance(value, dict):  # a nested shape given as a dict to model_construct
        return {key: _dump(item) for key, item in value.items() if item is not None}
    return value


_PLAIN = frozenset({str, int, bool, float})


def _model(model: BaseModel) -> dict:
    # __dict__ keeps the model's member order; absent (None) members are left out, as MTurk does. Plain
    # members are copied as they are rather than through _dump: a page of HITs has a few hundred of them.
    return {key: item if type(item) in _PLAIN else _dump(item)
            for key, item in model.__dict__.items() if item is not None}


def serialize_response(model: BaseModel | None) -> dict:
    """The JSON object for an output model: None members dropped at every depth, datetimes as epoch seconds
    rounded to milliseconds. An empty output model (or None) gives {}."""
    return {} if model is None else _dump(model)
