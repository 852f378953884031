"""Configuration from the environment: the typed readers, and how the settings behave in
production mode. Settings are read once per process, so the production checks start
`manage.py` in a fresh interpreter with a controlled environment."""

import json
import os
import secrets
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as db_sessions
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kompra.env import env_bool, env_choice, env_int, env_list, load_env_file

BASE_DIR = Path(settings.BASE_DIR)
HOST = "kompra.example.sch.id"
# Variables the settings read; none may leak into the subprocesses from the test run.
OWN_PREFIXES = ("DJANGO_", "KOMPRA_", "DATABASE_", "REDIS_", "EMAIL_")


# --- env helpers ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "yes please"])
def test_env_bool_rejects_unknown_words_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KOMPRA_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="KOMPRA_TEST_FLAG") as excinfo:
        env_bool("KOMPRA_TEST_FLAG")
    assert repr(raw) in str(excinfo.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("false", False), ("no", False)],
)
def test_env_bool_reads_true_and_false_words(monkeypatch, raw, expected):
    monkeypatch.setenv("KOMPRA_TEST_FLAG", raw)
    assert env_bool("KOMPRA_TEST_FLAG", default=not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "   "])
@pytest.mark.parametrize("default", [True, False])
def test_env_bool_blank_or_unset_means_default(monkeypatch, raw, default):
    if raw is None:
        monkeypatch.delenv("KOMPRA_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("KOMPRA_TEST_FLAG", raw)
    assert env_bool("KOMPRA_TEST_FLAG", default) is default


@pytest.mark.parametrize("raw", ["abc", "1.5", "12 jam", "0x10"])
def test_env_int_rejects_non_numbers_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KOMPRA_TEST_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured, match="KOMPRA_TEST_NUMBER"):
        env_int("KOMPRA_TEST_NUMBER", 7)


def test_env_int_reads_numbers_and_blank_means_default(monkeypatch):
    monkeypatch.setenv("KOMPRA_TEST_NUMBER", "42")
    assert env_int("KOMPRA_TEST_NUMBER", 7) == 42
    monkeypatch.setenv("KOMPRA_TEST_NUMBER", " ")
    assert env_int("KOMPRA_TEST_NUMBER", 7) == 7
    monkeypatch.delenv("KOMPRA_TEST_NUMBER")
    assert env_int("KOMPRA_TEST_NUMBER", 7) == 7


def test_env_choice_rejects_values_outside_the_choices(monkeypatch):
    monkeypatch.setenv("KOMPRA_TEST_LEVEL", "LOUD")
    with pytest.raises(ImproperlyConfigured, match="KOMPRA_TEST_LEVEL") as excinfo:
        env_choice("KOMPRA_TEST_LEVEL", ("INFO", "ERROR"), "INFO")
    assert "'LOUD'" in str(excinfo.value)


def test_env_choice_reads_a_choice_and_blank_means_default(monkeypatch):
    monkeypatch.setenv("KOMPRA_TEST_LEVEL", "ERROR")
    assert env_choice("KOMPRA_TEST_LEVEL", ("INFO", "ERROR"), "INFO") == "ERROR"
    monkeypatch.setenv("KOMPRA_TEST_LEVEL", "")
    assert env_choice("KOMPRA_TEST_LEVEL", ("INFO", "ERROR"), "INFO") == "INFO"


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("KOMPRA_TEST_HOSTS", " a.sch.id, ,b.sch.id ,")
    assert env_list("KOMPRA_TEST_HOSTS") == ["a.sch.id", "b.sch.id"]


# --- .env files ----------------------------------------------------------------------


@pytest.fixture
def env_keys(monkeypatch):
    """Unsets the given variables for the test and removes whatever the test set."""

    def unset(*keys):
        for key in keys:
            monkeypatch.setenv(key, "placeholder")  # records the original state for undo
            monkeypatch.delenv(key)

    return unset


def test_load_env_file_parses_lines_and_skips_comments(tmp_path, env_keys):
    env_keys("KOMPRA_T_PLAIN", "KOMPRA_T_QUOTED", "KOMPRA_T_SINGLE", "KOMPRA_T_EXPORTED", "KOMPRA_T_EMPTY")
    env_keys("KOMPRA_T_COMMENTED")
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n"
        "\n"
        "KOMPRA_T_PLAIN=plain value\n"
        '  KOMPRA_T_QUOTED = "with = sign"\n'
        "KOMPRA_T_SINGLE='single'\n"
        "export KOMPRA_T_EXPORTED=yes\n"
        "KOMPRA_T_EMPTY=\n"
        "#KOMPRA_T_COMMENTED=no\n",
        encoding="utf-8",
    )
    load_env_file(path)
    assert os.environ["KOMPRA_T_PLAIN"] == "plain value"
    assert os.environ["KOMPRA_T_QUOTED"] == "with = sign"
    assert os.environ["KOMPRA_T_SINGLE"] == "single"
    assert os.environ["KOMPRA_T_EXPORTED"] == "yes"
    assert os.environ["KOMPRA_T_EMPTY"] == ""
    assert "KOMPRA_T_COMMENTED" not in os.environ


def test_load_env_file_does_not_override_the_environment(tmp_path, env_keys, monkeypatch):
    env_keys("KOMPRA_T_NEW")
    monkeypatch.setenv("KOMPRA_T_SET", "from the process")
    path = tmp_path / ".env"
    path.write_text("KOMPRA_T_SET=from the file\nKOMPRA_T_NEW=from the file\n", encoding="utf-8")
    load_env_file(path)
    assert os.environ["KOMPRA_T_SET"] == "from the process"
    assert os.environ["KOMPRA_T_NEW"] == "from the file"


@pytest.mark.parametrize("line", ["JUST_A_WORD", "BAD KEY=1", "=value", "1ABC=x"])
def test_load_env_file_rejects_malformed_lines(tmp_path, env_keys, line):
    env_keys("KOMPRA_T_FIRST")
    path = tmp_path / ".env"
    path.write_text(f"KOMPRA_T_FIRST=1\n{line}\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="line 2") as excinfo:
        load_env_file(path)
    assert str(path) in str(excinfo.value)


def test_load_env_file_missing_file_is_fine(tmp_path):
    before = dict(os.environ)
    load_env_file(tmp_path / "does-not-exist")
    assert dict(os.environ) == before


# --- production mode, in a fresh process ---------------------------------------------


def base_env(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(OWN_PREFIXES)}
    env.update(KOMPRA_ENV_FILE="", DJANGO_DEBUG="false")
    env.update(extra)
    return env


def production_env(tmp_path, **extra):
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60)[:60],
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "KOMPRA_VAR_DIR": str(tmp_path),
        # Production sends real email; the console backend fails Django's deploy check.
        "EMAIL_HOST": "smtp.example.sch.id",
    }
    return base_env(**{**values, **extra})


def manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage(base_env(DJANGO_ALLOWED_HOSTS=HOST), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["short-secret", "a" * 60, "django-insecure-" + secrets.token_urlsafe(50)],
    ids=["short", "repetitive", "django-insecure"],
)
def test_production_refuses_a_weak_secret_key(key):
    result = manage(base_env(DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS=HOST), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = manage(base_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(60)), "check")
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_unreadable_debug_flag_is_named():
    result = manage(base_env(DJANGO_DEBUG="maybe"), "check")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr
    assert "'maybe'" in result.stderr


def test_unknown_database_url_scheme_is_named(tmp_path):
    result = manage(production_env(tmp_path, DATABASE_URL="nosuchdb://x"), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL could not be read" in result.stderr
    assert "nosuchdb" in result.stderr


def test_full_production_configuration_passes_the_deploy_check(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_email_host_fails_the_deploy_check(tmp_path):
    env = production_env(tmp_path)
    del env["EMAIL_HOST"]
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


RESPONSE_HEADERS_SCRIPT = """
import json
from django.test import Client
client = Client()
secure = client.get("/", secure=True, HTTP_HOST="{host}")
plain = client.get("/", HTTP_HOST="{host}")
print(json.dumps({{
    "secure": {{"status": secure.status_code, "headers": dict(secure.headers)}},
    "plain": {{"status": plain.status_code, "headers": dict(plain.headers)}},
}}))
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory):
    """The home page fetched over HTTPS and plain HTTP by a production-configured process."""
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    # Compressing every static file with Brotli takes a while on a busy machine.
    collected = manage(env, "collectstatic", "--noinput", timeout=600)
    assert collected.returncode == 0, collected.stderr
    result = manage(env, "shell", "-c", RESPONSE_HEADERS_SCRIPT.format(host=HOST))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_a_strict_content_security_policy(production_responses):
    secure = production_responses["secure"]
    assert secure["status"] == 200
    policy = secure["headers"]["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
        assert directive in policy


def test_production_policy_carries_a_script_nonce(production_responses):
    policy = production_responses["secure"]["headers"]["Content-Security-Policy"]
    assert "'nonce-" in policy


def test_production_sends_hsts_and_nosniff(production_responses):
    headers = production_responses["secure"]["headers"]
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_production_redirects_plain_http_to_https(production_responses):
    plain = production_responses["plain"]
    assert plain["status"] == 301
    assert plain["headers"]["Location"] == f"https://{HOST}/"


SETTINGS_SCRIPT = """
import json
from django.conf import settings
from django.contrib.sessions.backends import db as db_sessions
db = settings.DATABASES["default"]
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session_engine": settings.SESSION_ENGINE,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "engine": db["ENGINE"],
    "options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "health_checks": db.get("CONN_HEALTH_CHECKS"),
}))
"""


def dev_settings(tmp_path, **extra):
    env = base_env(DJANGO_DEBUG="true", KOMPRA_VAR_DIR=str(tmp_path), **extra)
    result = manage(env, "shell", "-c", SETTINGS_SCRIPT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_redis_url_moves_the_cache_to_redis_and_sessions_stay_in_the_database(tmp_path):
    values = dev_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")
    assert values["cache"] == "kompra.ops.cache.ForgivingRedisCache"
    assert values["cache_location"] == "redis://127.0.0.1:6379/3"
    # Redis down must sign nobody out (tests/test_redis_outage.py).
    assert values["session_engine"] == "kompra.accounts.sessions"
    assert issubclass(import_module(values["session_engine"]).SessionStore, db_sessions.SessionStore)


def test_s3_variables_move_uploads_to_the_bucket(tmp_path):
    values = dev_settings(
        tmp_path,
        KOMPRA_S3_BUCKET="kompra-media",
        KOMPRA_S3_ENDPOINT_URL="http://minio.internal:9000",
        KOMPRA_S3_ACCESS_KEY_ID="kunci",
        KOMPRA_S3_SECRET_ACCESS_KEY="rahasia-kunci",
    )
    assert values["storage"] == "storages.backends.s3.S3Storage"


def test_a_half_done_s3_configuration_stops_the_start(tmp_path):
    result = manage(base_env(DJANGO_DEBUG="true", KOMPRA_S3_ENDPOINT_URL="http://minio:9000"), "check")
    assert result.returncode != 0
    assert "KOMPRA_S3_ENDPOINT_URL set but KOMPRA_S3_BUCKET is not" in result.stderr


def test_without_redis_the_cache_is_shared_files_under_var(tmp_path):
    values = dev_settings(tmp_path)
    assert values["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert values["cache_location"] == str(tmp_path / "cache")
    assert values["session_engine"] == "kompra.accounts.sessions"


def test_default_database_is_sqlite_with_wal_and_immediate_transactions(tmp_path):
    values = dev_settings(tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["options"]["init_command"]


def test_postgres_url_gets_no_sqlite_options(tmp_path):
    values = dev_settings(tmp_path, DATABASE_URL="postgres://kompra@127.0.0.1:5432/kompra")
    assert values["engine"] == "django.db.backends.postgresql"
    assert "init_command" not in values["options"]


def test_sqlite_connections_are_kept_and_checked(tmp_path):
    values = dev_settings(tmp_path)
    assert values["conn_max_age"] == 600
    assert values["health_checks"] is True
    assert dev_settings(tmp_path, DATABASE_CONN_MAX_AGE="0")["conn_max_age"] == 0


def test_postgres_connections_come_from_a_pool(tmp_path):
    values = dev_settings(tmp_path, DATABASE_URL="postgres://kompra@127.0.0.1:5432/kompra")
    assert values["options"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10}
    # Django refuses a pool together with persistent connections.
    assert values["conn_max_age"] == 0


def test_postgres_pool_can_be_turned_off_for_persistent_connections(tmp_path):
    values = dev_settings(
        tmp_path,
        DATABASE_URL="postgres://kompra@127.0.0.1:5432/kompra",
        DATABASE_POOL_MAX_SIZE="0",
        DATABASE_CONN_MAX_AGE="30",
    )
    assert "pool" not in values["options"]
    assert values["conn_max_age"] == 30


JOURNAL_MODE_SCRIPT = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
"""


def test_sqlite_file_database_really_runs_in_wal_mode(tmp_path):
    env = base_env(DJANGO_DEBUG="true", KOMPRA_VAR_DIR=str(tmp_path))
    result = manage(env, "shell", "-c", JOURNAL_MODE_SCRIPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"
    assert (tmp_path / "kompra.sqlite3").exists()


@pytest.mark.django_db
def test_test_database_connection_runs_the_init_command():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas only apply to the SQLite backend")
    # The test database lives in memory (no WAL there), but the init command still ran:
    # synchronous=NORMAL (1) instead of SQLite's default FULL (2).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_site_address_for_emails_must_be_a_web_address():
    result = manage(base_env(DJANGO_DEBUG="true", KOMPRA_BASE_URL="kompra.example.sch.id"), "check")
    assert result.returncode != 0
    assert "KOMPRA_BASE_URL must start with http:// or https://" in result.stderr


def test_site_address_defaults_to_the_first_allowed_host_in_production():
    env = base_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(60), DJANGO_ALLOWED_HOSTS=f"{HOST},www.{HOST}")
    result = manage(env, "shell", "-c", "from django.conf import settings; print(settings.KOMPRA_BASE_URL)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"https://{HOST}"


LOADERS_SCRIPT = """
from django.template import engines
print(engines["django"].engine.loaders[0][0])
"""


def test_production_templates_come_from_the_cached_loader(tmp_path):
    """Django wraps the loaders in its cached loader unless told otherwise: templates
    are read and compiled once per process, not on every request."""
    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", LOADERS_SCRIPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.template.loaders.cached.Loader"
