"""`{% sign_in_options as sign_in %}`: what the login page offers (SSO, passwords)."""

from django import template

from apps.accounts import oidc

register = template.Library()


@register.simple_tag
def sign_in_options() -> oidc.SignInOptions:
    return oidc.sign_in_options()
