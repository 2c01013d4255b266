"""gunicorn's access log without secrets.

A monitoring webhook's address carries its secret token (`/hooks/<source>/<token>/`),
and gunicorn's access log writes every request line. This logger writes the token as
`[token]` in the request line and path; `gunicorn.conf.py` at the project root names it,
so every gunicorn started from there (the image, docker compose, `make bench`) uses it.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"(/hooks/[^/\s?]+/)[^/\s?]+")


def redact(text: str) -> str:
    return SECRET_PATH.sub(r"\1[token]", text)


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):  # the request line, the path
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
