"""The reminders app's own capabilities, as functions of a `ProjectAccess`."""

from apps.projects.access import ProjectAccess
from apps.projects.models import Role


def can_see_history(access: ProjectAccess) -> bool:
    """A transition's reminder history: its lead (who is escalated to), and staff,
    who read everything. Others see their own digests on their Reminders page."""
    return access.role == Role.LEAD or access.role is None
