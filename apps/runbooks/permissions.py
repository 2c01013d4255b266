"""The runbooks app's own capabilities, as functions of a `ProjectAccess`.

Every member reads the runbooks (the reading view is for the on-call engineer); the
delivery team (leads and contributors) writes them; operations records walkthroughs
(a lead may too), while the transition is open.
"""

from apps.projects.access import ProjectAccess
from apps.projects.models import Role

WALKTHROUGH_ROLES = frozenset({Role.OPS, Role.LEAD})


def can_edit_runbooks(access: ProjectAccess) -> bool:
    return access.can_edit


def can_record_walkthrough(access: ProjectAccess) -> bool:
    return access.role in WALKTHROUGH_ROLES and not access.project.is_closed
