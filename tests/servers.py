"""Servers the tests start for themselves: Redis, an S3 endpoint (moto in server mode),
and for the topology test gunicorn and nginx. Each binds 127.0.0.1 on a port chosen at
run time (other test runs share this machine), runs as a child process in its own
process group, writes only under a temporary folder, and is stopped when its fixture
ends, also when the test fails."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    """A port nobody listens on right now (the server that takes it may still lose a race,
    which `Server.start` answers by trying another)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class Server:
    """One child process. `argv` may contain "{port}", filled in at each start."""

    def __init__(self, name, argv, *, folder, port=None, env=None, ready=None):
        self.name = name
        self.argv = argv
        self.folder = Path(folder)
        self.port = port
        self.env = env
        self.ready = ready or (lambda server: port_open(server.port))
        self.process = None
        self.log_path = self.folder / f"{name}.log"

    def start(self, timeout=30):
        if self.port is None:
            self.port = free_port()
        argv = [part.replace("{port}", str(self.port)) for part in self.argv]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.folder,
                env=self.env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.ready(self):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.name} did not start in {timeout} s:\n{self.log_tail()}")
            time.sleep(0.05)
        return self

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Asks the process to stop (gracefully, by default) and waits; kills its whole
        group if it does not go in time, so no child outlives the test."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        self._kill_group()
        self.process = None

    def kill(self):
        self.stop(signal.SIGKILL, timeout=5)

    def _kill_group(self):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(5)

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


def redis(folder):
    """A throwaway redis-server that keeps nothing on disk."""
    argv = [REDIS_SERVER, "--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return Server("redis", [*argv, "--dir", str(folder)], folder=folder)


def moto(folder):
    """moto's S3 in server mode. It is given port 0 and says in its log which it took."""

    def ready(server):
        if server.port is None or server.port == 0:
            found = re.search(r"Running on http://127\.0\.0\.1:(\d+)", server.log_text())
            if not found:
                return False
            server.port = int(found.group(1))
        return port_open(server.port)

    argv = [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", "0"]
    return Server("moto", argv, folder=folder, port=0, ready=ready)


def start_with_retries(make, attempts=3):
    """Starts a server made by `make()`, trying other ports if one was taken meanwhile."""
    for attempt in range(attempts):
        server = make()
        try:
            return server.start()
        except RuntimeError:
            server.stop()
            if attempt == attempts - 1:
                raise


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a local S3 endpoint, started once per test run."""
    folder = tempfile.mkdtemp(prefix="kompra-moto-")
    server = start_with_retries(lambda: moto(folder))
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


S3_KEY_ID = "kompra-test"
S3_SECRET = "kompra-test-secret"


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )


def s3_environment(endpoint, bucket):
    return {
        "KOMPRA_S3_BUCKET": bucket,
        "KOMPRA_S3_ENDPOINT_URL": endpoint,
        "KOMPRA_S3_ACCESS_KEY_ID": S3_KEY_ID,
        "KOMPRA_S3_SECRET_ACCESS_KEY": S3_SECRET,
        "KOMPRA_S3_REGION": "us-east-1",
    }


class Bucket:
    """A fresh bucket on the test endpoint, and what a test asks of it."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.name = f"kompra-{uuid.uuid4().hex[:12]}"
        self.client = s3_client(endpoint)
        self.client.create_bucket(Bucket=self.name)

    def keys(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    @property
    def environment(self):
        return s3_environment(self.endpoint, self.name)


@pytest.fixture
def s3_bucket(s3_endpoint, settings, monkeypatch):
    """Uploads go to a fresh bucket on the local S3 endpoint for this test, configured
    through the same KOMPRA_S3_* variables production reads."""
    from kompra.ops.storage_config import s3_storage_from_env

    bucket = Bucket(s3_endpoint)
    for name, value in bucket.environment.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_from_env()}
    return bucket


@pytest.fixture
def redis_server():
    """A redis-server of this test's own; stop() and start() it to play an outage
    (it comes back on the same port)."""
    folder = tempfile.mkdtemp(prefix="kompra-redis-")
    server = start_with_retries(lambda: redis(folder))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
