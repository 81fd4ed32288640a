"""System checks that refuse a configuration that would be unsafe to run."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_secret_key(app_configs: object, **kwargs: object) -> list[Error]:
    if settings.DEBUG or settings.SECRET_KEY_IS_SET:
        return []
    return [
        Error(
            "ONETHREAD_SECRET_KEY is not set and debug mode is off.",
            hint=(
                "Production mode needs a long random secret key: set ONETHREAD_SECRET_KEY "
                "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set "
                "ONETHREAD_DEBUG=true for a local trial."
            ),
            id="onethread.E001",
        )
    ]
