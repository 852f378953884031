"""What deploy/ holds, checked without starting the topology (test_topology.py runs it):
nginx accepts the configuration, the gunicorn settings load, and every systemd unit
starts something that exists."""

import configparser
import os
import runpy
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

from tests.topology import NGINX, NGINX_CONF, make_certificate, nginx_config

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def test_nginx_accepts_the_configuration(tmp_path):
    if not NGINX.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NGINX} is missing (apt-get install nginx)", pytrace=False)
        pytest.skip(f"{NGINX} is missing")
    folder = tmp_path
    _ca, certificate, key = make_certificate(folder)
    config = folder / "nginx.conf"
    ports = {"http_port": 8080, "https_port": 8443, "app_ports": [9001, 9002]}  # checked, never opened
    config.write_text(nginx_config(folder=folder, certificate=certificate, key=key, **ports))
    checked = subprocess.run(
        [str(NGINX), "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_proxy_does_what_the_readme_says():
    text = NGINX_CONF.read_text()
    for directive in (
        "client_max_body_size 25m;",
        "proxy_request_buffering on;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Request-ID $request_id;",
        "gzip on;",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "return 301 https://$host$request_uri;",
        "proxy_next_upstream error timeout non_idempotent;",
    ):
        assert directive in text
    assert "/media" not in text, "uploads are served only by the views that check access"


def test_gunicorn_settings(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8123")
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8123"
    assert config["worker_class"] == "gthread"
    # The largest upload at 400 kbit/s fits in the timeout.
    assert config["timeout"] >= settings.KOMPRA_MAX_UPLOAD_BYTES * 8 / 400_000
    assert config["accesslog"] is None, "Django writes the request lines"
    assert config["forwarded_allow_ips"] == "127.0.0.1"


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_systemd_units_start_what_exists(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(unit)
    service = parser["Service"]
    argv = service["ExecStart"].split()
    assert argv[0].startswith("/srv/kompra/.venv/bin/")
    assert service["WorkingDirectory"] == "/srv/kompra"
    assert service["EnvironmentFile"] == "/etc/kompra/kompra.env"
    assert service["User"] == "kompra"
    program = Path(argv[0]).name
    if program == "gunicorn":
        config = argv[argv.index("-c") + 1]
        assert (ROOT / config).exists(), config
        assert argv[-1] == "kompra.wsgi"
    else:
        assert program == "python"
        assert argv[1] == "manage.py"
        if argv[2] == "db_worker" and "django_tasks_db" not in settings.INSTALLED_APPS:
            pytest.skip("the database task worker comes with the background tasks (django-tasks-db)")
        assert argv[2] in get_commands(), f"{unit.name}: no command {argv[2]}"


def test_every_service_that_runs_for_good_restarts():
    for unit in UNITS:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        if parser["Service"].get("Type") != "oneshot":
            assert parser["Service"]["Restart"] in ("always", "on-failure"), unit.name
            assert "multi-user.target" in parser["Install"]["WantedBy"], unit.name
