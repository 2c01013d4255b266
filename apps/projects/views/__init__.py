"""The projects app's pages, one module per page or concern.

portfolio: the dashboard, My items and creating a transition; transition: the
transition page, its settings, phase moves and activity; members, tasks and
criteria: their forms and inline actions. Every project-scoped view is wrapped by
`apps.projects.access.project_view`.
"""
