"""Who may do what in a project.

A non-member gets 404 for everything of a project (its existence is not revealed);
a member without the right role gets 403. Staff users see every project as viewers
unless they are members.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.core.htmx import AuthenticatedRequest
from apps.projects.models import Membership, Project, Role, Task

EDIT_ROLES = frozenset({Role.LEAD, Role.CONTRIBUTOR})
SIGN_OFF_ROLES = frozenset({Role.OPS, Role.LEAD})


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    role: str | None  # None: a staff user who is not a member (read only)

    @property
    def can_edit(self) -> bool:
        """Tasks, acceptance criteria and the project's content."""
        return self.role in EDIT_ROLES and not self.project.is_closed

    @property
    def can_manage(self) -> bool:
        """Members and the project's settings, while the transition is open."""
        return self.role == Role.LEAD and not self.project.is_closed

    @property
    def can_change_phase(self) -> bool:
        """Leads move phases; a cancelled transition can be reopened this way."""
        return self.role == Role.LEAD

    @property
    def can_sign_off(self) -> bool:
        """Ops sign off; a lead may too, but only explicitly "as ops"."""
        return self.role in SIGN_OFF_ROLES and not self.project.is_closed

    @property
    def signs_as_ops_only_explicitly(self) -> bool:
        return self.role == Role.LEAD

    def can_update_task(self, task: Task, user_id: int) -> bool:
        """Editors may update any task; any non-viewer member may update their own."""
        if self.project.is_closed:
            return False
        return self.can_edit or (task.owner_id == user_id and self.role not in {None, Role.VIEWER})

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied("Your role in this transition does not allow this.")


def project_access(request: AuthenticatedRequest, project_id: int) -> ProjectAccess:
    """The project and the requesting user's role in it, or 404 for a non-member."""
    user = request.user
    project = get_object_or_404(
        Project.objects.select_related("lead", "ops_lead", "ops_team"), pk=project_id
    )
    role = (
        Membership.objects.filter(project=project, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    if role is None and not user.is_staff:
        raise Http404("No such transition.")
    return ProjectAccess(project=project, role=role)
