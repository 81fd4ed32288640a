from django import template
from django.contrib.auth.models import AnonymousUser, User

from onethread.imports.access import manages_data as _manages_data

register = template.Library()


@register.filter
def manages_data(user: User | AnonymousUser) -> bool:
    """May the user import files and merge duplicates?"""
    return _manages_data(user)
