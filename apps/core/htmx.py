from django.http import HttpRequest


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    """The whole page, or only its named partial when htmx asks for a fragment."""
    return f"{page}#{partial}" if request.htmx else page
