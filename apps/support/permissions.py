"""The support app's own capabilities, as functions of a `ProjectAccess`.

Every member reads the support model ("Who do I call?" is for operations above all)
and staff read it too; the delivery team (leads and contributors) edits it while the
transition is open, as they edit tasks.
"""

from apps.projects.access import ProjectAccess


def can_edit_support(access: ProjectAccess) -> bool:
    return access.can_edit
