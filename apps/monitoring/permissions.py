"""The monitoring app's own capabilities, as functions of a `ProjectAccess`.

Every member reads the inventory and its proof. The delivery team (leads and
contributors) keeps the inventory, the dashboards and the integrations. Operations
records manual verifications (a lead may too), and anyone but a viewer may confirm
a dashboard live, all while the transition is open. A webhook address holds its
secret token, so viewers never see it.
"""

from apps.projects.access import ProjectAccess
from apps.projects.models import Role

VERIFY_ROLES = frozenset({Role.OPS, Role.LEAD})
CONFIRM_ROLES = frozenset({Role.OPS, Role.LEAD, Role.CONTRIBUTOR})
SECRET_ROLES = frozenset({Role.OPS, Role.LEAD, Role.CONTRIBUTOR})


def can_edit_monitoring(access: ProjectAccess) -> bool:
    return access.can_edit


def can_verify(access: ProjectAccess) -> bool:
    return access.role in VERIFY_ROLES and not access.project.is_closed


def can_confirm_dashboard(access: ProjectAccess) -> bool:
    return access.role in CONFIRM_ROLES and not access.project.is_closed


def can_see_tokens(access: ProjectAccess) -> bool:
    return access.role in SECRET_ROLES
