"""Notifications (spec §6.F): a HIT type's notification specification, and test messages.

Events themselves are queued by kempelen.events.emit and sent by kempelen.events.delivery.
"""

from __future__ import annotations

from sqlalchemy import select

from kempelen import errors
from kempelen.events import documents, transports
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store.models import HITType, NotificationSetting


def check_specification(spec: shapes.NotificationSpecification, *, for_hit_type: bool) -> list[str]:
    """The spec's event types (deduplicated, in order); raises on what MTurk refuses."""
    if spec.Version not in documents.VERSIONS:
        raise errors.invalid_parameter(f"The value {spec.Version} for parameter Version is invalid. Valid values: "
                                       f"{', '.join(documents.VERSIONS)}.")
    expected = transports.destination_problem(spec.Transport, spec.Destination)
    if expected:
        raise errors.invalid_parameter(f"The Destination {spec.Destination} is not valid for Transport "
                                       f"{spec.Transport}: it must be {expected}.")
    event_types = list(dict.fromkeys(spec.EventTypes))
    if for_hit_type:
        if "Ping" in event_types:
            raise errors.invalid_parameter("The Ping event type can only be sent with SendTestEventNotification; "
                                           "it is not allowed in EventTypes.")
        if not event_types:
            raise errors.missing_parameters("EventTypes")
    return event_types


@operation("UpdateNotificationSettings")
def update_notification_settings(ctx: OperationContext, request: shapes.UpdateNotificationSettingsRequest
                                 ) -> shapes.UpdateNotificationSettingsResponse:
    # FOR NO KEY UPDATE: concurrent updates of one HIT type take turns, while CreateHIT's foreign-key
    # check on the type (FOR KEY SHARE) is not held up.
    hit_type = ctx.session.scalar(
        select(HITType).where(HITType.hit_type_id == request.HITTypeId,
                              HITType.requester_id == ctx.requester.access_key_id)
        .with_for_update(key_share=True))
    if hit_type is None:
        raise errors.hit_type_does_not_exist(request.HITTypeId)
    if request.Notification is None and request.Active is None:
        raise errors.missing_parameters("Notification or Active")
    setting = ctx.session.get(NotificationSetting, hit_type.hit_type_id)
    if request.Notification is None:
        if setting is None:
            raise errors.notification_specification_missing(hit_type.hit_type_id)
        setting.active = request.Active
        setting.updated_at = ctx.now
        return shapes.UpdateNotificationSettingsResponse()
    spec = request.Notification
    event_types = check_specification(spec, for_hit_type=True)
    if setting is None:
        setting = NotificationSetting(hit_type_id=hit_type.hit_type_id)
        ctx.session.add(setting)
    setting.transport, setting.destination, setting.version = spec.Transport, spec.Destination, spec.Version
    setting.event_types = ",".join(event_types)
    # A specification sent without Active is meant to be used: it starts (or stays) active.
    setting.active = True if request.Active is None else request.Active
    setting.updated_at = ctx.now
    return shapes.UpdateNotificationSettingsResponse()


@operation("SendTestEventNotification", writes=False)
def send_test_event_notification(ctx: OperationContext, request: shapes.SendTestEventNotificationRequest
                                 ) -> shapes.SendTestEventNotificationResponse:
    spec = request.Notification
    check_specification(spec, for_hit_type=False)  # the spec's EventTypes do not filter the test event
    body = documents.test_document(request.TestEventType, ctx.now, access_key_id=ctx.requester.access_key_id,
                                   customer_id=ctx.requester.customer_id, version=spec.Version)
    try:
        transports.send(ctx.settings, spec.Transport, spec.Destination, body)
    except transports.DeliveryFailed as exc:
        raise errors.notification_not_delivered(spec.Destination, str(exc)) from None
    return shapes.SendTestEventNotificationResponse()

