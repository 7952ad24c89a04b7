"""Every table of the schema, imported in one place so metadata and migrations see all of them."""

from directory_import.models import (  # noqa: F401
    Base,
    DuplicateDismissal,
    ImportRun,
    Organisation,
    SourceState,
)
from helpdesk.audit import AuditEvent  # noqa: F401
from helpdesk.auth.models import ApiToken, LoginFailure, User, UserSession  # noqa: F401
from helpdesk.directory.models import OrganisationNote, SearchSynonym  # noqa: F401
from helpdesk.followup.models import (  # noqa: F401
    Callback,
    HelpRequest,
    Lead,
    ReferenceCounter,
    RequestEvent,
    RequestTheme,
    Theme,
    Transfer,
    UnmetNeed,
)
from helpdesk.jobs.models import Job  # noqa: F401
from helpdesk.mail.models import OutboxMessage, TerritoryAddress  # noqa: F401
from helpdesk.notify.models import Notification, NotificationDigest, NotificationPreference  # noqa: F401
from helpdesk.orientation.models import Need, UnansweredSearch  # noqa: F401
from helpdesk.stewardship.models import Overlay, Proposal, ProposalChange  # noqa: F401
from helpdesk.verification.models import OrganisationVerification  # noqa: F401
