#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transition.settings")
    # A developer's shortcut: when the environment names neither SECRET_KEY nor DEBUG,
    # management commands run in development mode (a key generated once into var/).
    # Production sets SECRET_KEY, so this never applies there, and the web server
    # (wsgi/asgi) and Celery never fall back: they refuse to start without a key.
    if "SECRET_KEY" not in os.environ and "DEBUG" not in os.environ:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
