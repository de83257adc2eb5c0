"""LMS integration: registered platforms, the tool's keys, launches, links and grade passback."""

from .links import GRADED_KINDS, ContextLink, ContextMembership, LineItem, ResourceLink, TargetKind, UserLink  # noqa: F401
from .passback import GradePassback, PassbackAttempt, PassbackStatus  # noqa: F401
from .registration import Deployment, KeyState, LoginState, Platform, RegistrationInvite, ToolKey, origin_of  # noqa: F401
