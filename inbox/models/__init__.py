"""Tables of the conversation side. Importing this module registers every
table (both ``claims`` and ``inbox``) on the shared metadata."""

from claims.models import (
    AccountIssue,
    AccountIssueEvent,
    Claim,
    ClaimEvent,
    Customer,
    CustomerIdentity,
    CustomerMerge,
    InfoRequest,
    Policy,
)
from inbox.models.audit import AuditEvent
from inbox.models.escalations import Escalation, Notification
from inbox.models.events import ChannelEvent
from inbox.models.intake import FailedIntake
from inbox.models.letters import LetterReview
from inbox.models.mailboxes import MailboxState
from inbox.models.messages import Attachment, Message
from inbox.models.metrics import ResponseFact, ThreadFact
from inbox.models.outbound import OutboundMessage
from inbox.models.portal import PortalSession, PortalSignIn
from inbox.models.sla import SlaEvent, SlaPolicy
from inbox.models.threads import Thread
from inbox.models.twilio_sync import TwilioSyncState
from inbox.models.users import ROLES, User
from inbox.models.workspace import ApiToken, CannedResponse

__all__ = [
    "ROLES",
    "AccountIssue",
    "AccountIssueEvent",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "CannedResponse",
    "ChannelEvent",
    "Claim",
    "ClaimEvent",
    "Customer",
    "CustomerIdentity",
    "CustomerMerge",
    "Escalation",
    "FailedIntake",
    "InfoRequest",
    "LetterReview",
    "MailboxState",
    "Message",
    "Notification",
    "OutboundMessage",
    "Policy",
    "PortalSession",
    "PortalSignIn",
    "ResponseFact",
    "SlaEvent",
    "SlaPolicy",
    "Thread",
    "ThreadFact",
    "TwilioSyncState",
    "User",
]
