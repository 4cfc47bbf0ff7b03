"""SQLAlchemy 2 typed models. Names follow MTurk's vocabulary; money is stored as integer cents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text,
                        TypeDecorator, UniqueConstraint, false, true)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from datetime import timezone

# SQLite keeps 64-bit rowids only for a column declared exactly INTEGER PRIMARY KEY.
Seq = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which has no time zones) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Requester(Base):
    __tablename__ = "requester"

    access_key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_access_key: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    is_development: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # "sandbox": balance fixed at 10000.00 and nothing charged, as MTurk's sandbox; "ledger": real accounting.
    mode: Mapped[str] = mapped_column(String(16), default="sandbox")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the original key (access_key_id) itself, switched off on the Developer page once another key exists
    key_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class HITType(Base):
    __tablename__ = "hit_type"
    __table_args__ = (UniqueConstraint("requester_id", "fingerprint"),
                      # the worker site's HIT groups, sorted by reward or newest (keyset), and its group URLs
                      Index(None, "reward_cents", "hit_type_id"), Index(None, "created_at", "hit_type_id"),
                      Index(None, "hit_group_id"))

    hit_type_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hit_group_id: Mapped[str] = mapped_column(String(64))
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    # sha256 over the properties that make two HIT types equal (CreateHITType returns the existing id)
    fingerprint: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)
    reward_cents: Mapped[int] = mapped_column(BigInteger)
    assignment_duration: Mapped[int] = mapped_column(BigInteger)
    auto_approval_delay: Mapped[int] = mapped_column(BigInteger)
    # the QualificationRequirements exactly as given (JSON), echoed back in HIT responses
    qualification_requirements: Mapped[str] = mapped_column(Text, default="[]")
    # some requirement hides the HIT type from workers who fail it (DiscoverPreviewAndAccept): listings
    # need to evaluate only these types
    discover_guarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HIT(Base):
    __tablename__ = "hit"
    __table_args__ = (Index(None, "requester_id", "seq"), Index(None, "hit_type_id", "seq"),
                      # the worker site's groups by HITs available: counted from this index alone, in
                      # hit_type_id order, without reading the (wide) rows
                      Index("ix_hit_open_by_type", "hit_type_id", "expiration", "max_assignments",
                            "assignments_done", "reviewing", "disposed_at", "creation_time"),
                      # the sweeper's scans for expiries and Reviewable HITs not yet announced
                      Index(None, "expired_announced", "expiration"),
                      Index(None, "reviewable_announced", "expiration"),
                      # a project's HITs, batch or API-made; only theirs (most HITs have no layout, and a
                      # CreateHIT writing one index fewer costs a page fewer to commit). Partial on both
                      # databases: migration 0013 gives it its WHERE hit_layout_id IS NOT NULL, which is not
                      # repeated here. Nothing reads it from the model (Alembic's comparison ignores index
                      # predicates; Kempelen never runs create_all), and naming PostgreSQL's keyword imported
                      # SQLAlchemy's PostgreSQL dialect into every start, SQLite's too: 30-70 ms.
                      Index(None, "hit_layout_id", "seq"))

    # keyset pagination runs over seq: an indexed, strictly increasing creation order
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    hit_id: Mapped[str] = mapped_column(String(64), unique=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    hit_type_id: Mapped[str] = mapped_column(ForeignKey("hit_type.hit_type_id"))
    creation_time: Mapped[datetime] = mapped_column(UTCDateTime)
    expiration: Mapped[datetime] = mapped_column(UTCDateTime)
    max_assignments: Mapped[int] = mapped_column(BigInteger)
    # MTurk's 10-assignment rule looks at the count the HIT was created with
    initial_max_assignments: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str | None] = mapped_column(Text)
    requester_annotation: Mapped[str | None] = mapped_column(Text)
    hit_layout_id: Mapped[str | None] = mapped_column(String(64))
    hit_layout_parameters: Mapped[str | None] = mapped_column(Text)
    assignment_review_policy: Mapped[str | None] = mapped_column(Text)
    hit_review_policy: Mapped[str | None] = mapped_column(Text)
    reviewing: Mapped[bool] = mapped_column(Boolean, default=False)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Submitted + Approved + Rejected: only ever grows, so it can be kept as a counter
    assignments_done: Mapped[int] = mapped_column(BigInteger, default=0)
    # HITExpired / HITReviewable have been announced for the HIT's current expiry / current round of work
    # (reset when the HIT is extended), so each is emitted once however many processes sweep
    # reward + fee of one approved assignment, fixed by the fee schedule from the HIT's type and size
    assignment_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    expired_announced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reviewable_announced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Worker(Base):
    """A worker account. The API token is kept only as its SHA-256: it is shown once, at creation."""

    __tablename__ = "worker"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the profile system qualifications read (Worker_Locale, Worker_Adult, Masters), set by an admin
    locale_country: Mapped[str] = mapped_column(String(2), default="US", server_default="US")
    locale_subdivision: Mapped[str | None] = mapped_column(String(3))
    adult: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    masters: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # where NotifyWorkers also mails the worker's messages (when an SMTP server is configured); optional
    email: Mapped[str | None] = mapped_column(String(254))
    # the worker website: an argon2 hash (None: the worker signs in only by a one-time link, or not at all),
    # and the remembered "accept the next HIT in this group automatically" choice (on by default, as MTurk's)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    auto_accept: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Assignment(Base):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("hit_id", "worker_id"),  # a worker takes a HIT at most once, ever
        Index(None, "hit_id", "status", "deadline"),
        Index(None, "hit_id", "seq"),
        Index(None, "worker_id", "seq"),
        # the sweeper's two scans: overdue acceptances, due auto-approvals
        Index(None, "status", "deadline"),
        Index(None, "status", "auto_approval_time"),
    )

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(String(64), unique=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("hit.hit_id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker.worker_id"))
    # Accepted, Submitted, Approved, Rejected, Returned, Abandoned (the first and last two never listed)
    status: Mapped[str] = mapped_column(String(16))
    accept_time: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    submit_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_approval_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    requester_feedback: Mapped[str | None] = mapped_column(Text)


class RequestToken(Base):
    """A spent UniqueRequestToken; the unique key settles concurrent retries."""

    __tablename__ = "request_token"
    __table_args__ = (UniqueConstraint("requester_id", "scope", "token"),)

    id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    scope: Mapped[str] = mapped_column(String(64))  # "HIT", "Assignments", "Bonus"
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))


class QualificationType(Base):
    __tablename__ = "qualification_type"
    __table_args__ = (
        # Names are unique among a requester's live types; a deleted type gives its name up (live_name NULL).
        UniqueConstraint("requester_id", "live_name"),
        Index(None, "requester_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    qualification_type_id: Mapped[str] = mapped_column(String(64), unique=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    name: Mapped[str] = mapped_column(Text)
    live_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # Active, Inactive
    test: Mapped[str | None] = mapped_column(Text)
    test_duration: Mapped[int | None] = mapped_column(BigInteger)
    answer_key: Mapped[str | None] = mapped_column(Text)
    retry_delay: Mapped[int | None] = mapped_column(BigInteger)  # None: one request per worker, ever
    auto_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_granted_value: Mapped[int | None] = mapped_column(BigInteger)
    is_requestable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Qualification(Base):
    """A worker's score on a custom qualification type (system ones are computed, never stored)."""

    __tablename__ = "qualification"
    __table_args__ = (UniqueConstraint("qualification_type_id", "worker_id"), Index(None, "worker_id"))

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    qualification_type_id: Mapped[str] = mapped_column(ForeignKey("qualification_type.qualification_type_id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker.worker_id"))
    integer_value: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # Granted, Revoked
    grant_time: Mapped[datetime] = mapped_column(UTCDateTime)
    revoke_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class QualificationRequest(Base):
    __tablename__ = "qualification_request"
    __table_args__ = (Index(None, "qualification_type_id", "status", "seq"),
                      Index(None, "worker_id", "qualification_type_id", "seq"))

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    qualification_request_id: Mapped[str] = mapped_column(String(64), unique=True)
    qualification_type_id: Mapped[str] = mapped_column(ForeignKey("qualification_type.qualification_type_id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker.worker_id"))
    # TestStarted (taking the test), Pending (waiting for the requester), Granted, Rejected
    status: Mapped[str] = mapped_column(String(16))
    request_time: Mapped[datetime] = mapped_column(UTCDateTime)
    test: Mapped[str | None] = mapped_column(Text)            # the test as it was when the worker took it
    test_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    submit_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)          # a rejection's reason, shown to the worker


class WorkerBlock(Base):
    __tablename__ = "worker_block"

    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkerMessage(Base):
    """A worker's inbox: qualification notices, NotifyWorkers messages."""

    __tablename__ = "worker_message"
    __table_args__ = (Index(None, "worker_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker.worker_id"))
    requester_id: Mapped[str | None] = mapped_column(ForeignKey("requester.access_key_id"))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Event(Base):
    """The transactional outbox: every event MTurk notified about, written in the same transaction as the
    change that caused it. Delivery (app/events) reads it in seq order, so nothing is lost across restarts."""

    __tablename__ = "event"
    __table_args__ = (Index(None, "hit_type_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(32))
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    hit_type_id: Mapped[str] = mapped_column(String(64))
    hit_id: Mapped[str] = mapped_column(String(64))
    assignment_id: Mapped[str | None] = mapped_column(String(64))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """Money put into (or taken out of) a ledger-mode requester's account by an admin. Charges are not
    entries: they follow from approved assignments and bonuses, so the balance is right at every moment."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index(None, "requester_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BonusPayment(Base):
    __tablename__ = "bonus_payment"
    __table_args__ = (Index(None, "assignment_id", "seq"), Index(None, "hit_id", "seq"),
                      Index(None, "requester_id", "seq"), Index(None, "worker_id", "seq"))

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("worker.worker_id"))
    assignment_id: Mapped[str] = mapped_column(String(64))
    hit_id: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    grant_time: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationSetting(Base):
    """A HIT type's notification specification (UpdateNotificationSettings): at most one per HIT type, kept
    when deactivated so Active can be switched back on without resending it."""

    __tablename__ = "notification_setting"

    hit_type_id: Mapped[str] = mapped_column(ForeignKey("hit_type.hit_type_id"), primary_key=True)
    transport: Mapped[str] = mapped_column(String(8))  # SQS, SNS, Email
    destination: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(16))  # echoed as EventDocVersion
    event_types: Mapped[str] = mapped_column(Text)  # comma-separated EventType names
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationDelivery(Base):
    """One event document on its way to one destination (or one NotifyWorkers message on its way to a
    worker's email address), written in the sender's own transaction and retried until delivered. Its schedule
    is real time (kempelen.clock.wall_time): a destination's outage does not follow the service clock."""

    __tablename__ = "notification_delivery"
    __table_args__ = (Index(None, "status", "next_attempt_at"), Index(None, "hit_type_id", "seq"))

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    # no event or HIT type behind a NotifyWorkers message mailed to a worker (event_type "NotifyWorkers")
    event_seq: Mapped[int | None] = mapped_column(ForeignKey("event.seq"))
    event_type: Mapped[str] = mapped_column(String(32))
    hit_type_id: Mapped[str | None] = mapped_column(String(64))
    transport: Mapped[str] = mapped_column(String(8))
    destination: Mapped[str] = mapped_column(Text)
    # the JSON event document (or {"Subject", "MessageText"}), rendered once so every retry sends the same bytes
    document: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="Pending")  # Pending, Delivered, Failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a sender's lease on the row while it is being sent, so other processes leave it alone
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FileUpload(Base):
    """A file a worker uploaded for a FileUploadAnswer question. The bytes are a file named by the opaque
    key in the upload directory; the key is what Assignment.Answer's UploadedFileKey carries."""

    __tablename__ = "file_upload"
    __table_args__ = (Index(None, "assignment_id", "question_identifier"),)

    upload_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignment.assignment_id"))
    question_identifier: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(Text)  # as the worker's browser named it, without its folders
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewPolicyAction(Base):
    """One action a review policy took on a HIT or an assignment (review, approve, reject, extend), as
    ListReviewPolicyResultsForHIT reports it. Policies act synchronously, so every row is finished."""

    __tablename__ = "review_policy_action"
    __table_args__ = (Index(None, "hit_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(String(64), unique=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("hit.hit_id"))
    policy_level: Mapped[str] = mapped_column(String(16))  # Assignment, HIT
    action_name: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(16))  # Assignment, HIT
    status: Mapped[str] = mapped_column(String(16))  # Succeeded, Failed
    complete_time: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))


class ReviewPolicyResult(Base):
    """One fact a review policy computed (a score, an agreed answer), tied to the review action that made it."""

    __tablename__ = "review_policy_result"
    __table_args__ = (Index(None, "hit_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    hit_id: Mapped[str] = mapped_column(ForeignKey("hit.hit_id"))
    policy_level: Mapped[str] = mapped_column(String(16))
    action_id: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(16))
    question_id: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)


class WebSession(Base):
    """A signed-in browser of either website. The cookie holds a random token; only its SHA-256 is kept.
    The principal is a worker (principal_kind "worker", its WorkerId) or a requester website login
    ("requester_login", the login's id)."""

    __tablename__ = "web_session"
    __table_args__ = (Index(None, "principal_kind", "principal_id"),)

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_kind: Mapped[str] = mapped_column(String(16))
    principal_id: Mapped[str] = mapped_column(String(254))
    # the token every form of this session carries (compared in constant time)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignInLink(Base):
    """A one-time sign-in link an admin issued (e.g. for a worker created through the API)."""

    __tablename__ = "sign_in_link"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_kind: Mapped[str] = mapped_column(String(16))
    principal_id: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerInvite(Base):
    """An invite code for signing up when KEMPELEN_WORKER_SIGNUP=invite; only its SHA-256 is kept."""

    __tablename__ = "worker_invite"

    code_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_id: Mapped[str | None] = mapped_column(ForeignKey("worker.worker_id"))


class SignInThrottle(Base):
    """Failed sign-ins per key (an account name on a site, or a client address): repeated failures lock the
    key out for a while that doubles with each further failure."""

    __tablename__ = "sign_in_throttle"

    throttle_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequesterMember(Base):
    """A person who signs in to the requester website for one requester account (email + argon2 hash)."""

    __tablename__ = "requester_member"
    __table_args__ = (Index(None, "requester_id"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(64), unique=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased: one sign-in per address
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str | None] = mapped_column(String(254))  # the member who invited them, or None (CLI)


class RequesterInvite(Base):
    """A one-time link that lets a person join a requester account; only the code's SHA-256 is kept."""

    __tablename__ = "requester_invite"

    code_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    email: Mapped[str] = mapped_column(String(254))
    invited_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RequesterAccessKey(Base):
    """An access key made on the Developer page, beyond the account's original one (Requester.access_key_id).
    HITs and everything else stay keyed by the account's original id, whichever key signed the call."""

    __tablename__ = "requester_access_key"
    __table_args__ = (Index(None, "requester_id"),)

    access_key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    secret_access_key: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Project(Base):
    """A Requester-website project: an HTML design layout with ``${name}`` placeholders plus the HIT properties
    of the project form. Its id is a HITLayoutId (CreateHIT's HITLayoutId builds a HIT from it); its seq is
    the numeric OriginalHitTemplateId that batch HITs' RequesterAnnotation names."""

    __tablename__ = "project"
    __table_args__ = (Index(None, "requester_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    hit_layout_id: Mapped[str] = mapped_column(String(64), unique=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    name: Mapped[str] = mapped_column(Text)  # the requester's own name for it; workers never see it
    template: Mapped[str] = mapped_column(Text)
    parameters: Mapped[str] = mapped_column(Text)  # JSON list of the placeholder names, in template order
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)
    reward_cents: Mapped[int] = mapped_column(BigInteger)
    max_assignments: Mapped[int] = mapped_column(BigInteger)
    assignment_duration: Mapped[int] = mapped_column(BigInteger)
    lifetime: Mapped[int] = mapped_column(BigInteger)
    auto_approval_delay: Mapped[int] = mapped_column(BigInteger)
    qualification_requirements: Mapped[str] = mapped_column(Text, default="[]")  # JSON, as CreateHIT takes them
    requester_annotation: Mapped[str | None] = mapped_column(Text)
    frame_height: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Batch(Base):
    """An uploaded CSV of a project: one HIT per row once published. Batch ids are numbers, as MTurk's were.
    The project's properties are copied at upload, so editing the project never changes a batch midway."""

    __tablename__ = "batch"
    __table_args__ = (Index(None, "requester_id", "batch_id"),)

    batch_id: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("requester.access_key_id"))
    hit_layout_id: Mapped[str] = mapped_column(ForeignKey("project.hit_layout_id"))
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # Unpublished, Publishing, Published, Cancelled
    input_columns: Mapped[str] = mapped_column(Text)  # JSON list: the CSV header, in its order
    properties: Mapped[str] = mapped_column(Text)  # JSON: the project's HIT properties at upload
    row_count: Mapped[int] = mapped_column(BigInteger)
    published_count: Mapped[int] = mapped_column(BigInteger, default=0)
    hit_type_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BatchRow(Base):
    """One CSV row of a batch (its values in the header's order) and, once published, its HIT."""

    __tablename__ = "batch_row"
    __table_args__ = (Index(None, "batch_id", "seq"),)

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.batch_id"))
    line_number: Mapped[int] = mapped_column(BigInteger)  # where the row starts in the uploaded file
    values: Mapped[str] = mapped_column(Text)  # JSON list
    hit_id: Mapped[str | None] = mapped_column(String(64), unique=True)
