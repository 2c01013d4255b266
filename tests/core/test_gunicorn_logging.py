"""gunicorn's access log never writes a webhook's token (transition/gunicorn_logging.py)."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config

from transition.gunicorn_logging import RedactingLogger, redact

TOKEN = "82i3XoX3vB_dOEtW2s9kE8Gpya7EPqvtTZe2NCmEeR4"


def test_a_webhook_token_is_redacted_wherever_it_appears():
    assert redact(f"POST /hooks/alertmanager/{TOKEN}/ HTTP/1.1") == (
        "POST /hooks/alertmanager/[token]/ HTTP/1.1"
    )
    assert redact(f"/hooks/generic/{TOKEN}") == "/hooks/generic/[token]"
    assert redact("GET /monitoring/p/3/ HTTP/1.1") == "GET /monitoring/p/3/ HTTP/1.1"


def test_the_access_log_line_carries_no_token():
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/hooks/alertmanager/{TOKEN}/",
        "PATH_INFO": f"/hooks/alertmanager/{TOKEN}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(headers=[], method="POST", path=environ["PATH_INFO"])
    response = SimpleNamespace(status="202 Accepted", sent=20, headers=[], response_length=20)
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1000))
    line = logger.cfg.access_log_format % atoms
    assert TOKEN not in line
    assert "/hooks/alertmanager/[token]/" in line


def test_the_project_gunicorn_config_uses_it():
    path = Path(settings.BASE_DIR) / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.logger_class == "transition.gunicorn_logging.RedactingLogger"
    assert module.accesslog == "-"
