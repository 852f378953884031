"""The production topology of the README, started for real on this machine: Debian's nginx
with deploy/nginx.conf and a throwaway certificate, in front of gunicorn app servers
started with deploy/gunicorn.conf.py, on PostgreSQL, a Redis and an S3 endpoint of their
own. Used by tests/test_topology.py and scripts/bench_load.py.

Every server binds 127.0.0.1 on a port chosen at run time and writes only under the
topology's temporary folder; `Topology.stop()` ends them all (the tests call it also
when they fail)."""

import contextlib
import datetime
import ipaddress
import os
import re
import secrets
import shutil
import signal
import ssl
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.servers import VENV_BIN, Server, free_port, moto, port_open, redis, s3_environment, start_with_retries

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
# The request line of a page that needs no session: how a test sees which app server answered.
ROTATION_PROBE = "method=GET path=/akun/login/ status=200"


def make_certificate(folder):
    """A throwaway certificate authority and a server certificate for 127.0.0.1 signed by
    it: (ca.pem, server.pem, server.key). Clients trust ca.pem only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kompra test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def nginx_config(*, folder, http_port, https_port, app_ports, certificate, key):
    """deploy/nginx.conf with only what must differ here replaced: ports, the app servers,
    the certificate, and every file nginx writes (pid, logs, buffered bodies) moved into
    `folder`. Each replacement must find its target, so an edit of the production file
    that this test would no longer exercise fails loudly."""
    text = NGINX_CONF.read_text()
    folder = Path(folder)
    temp_paths = "".join(
        f"\n    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    replacements = [
        (r"^user www-data;$", "daemon off;\nuser www-data;"),
        (r"^pid /run/nginx\.pid;$", f"pid {folder / 'nginx.pid'};"),
        (r"^error_log /var/log/nginx/error\.log warn;$", f"error_log {folder / 'error.log'} info;"),
        (r"access_log /var/log/nginx/kompra\.access\.log kompra;", f"access_log {folder / 'access.log'} kompra;"),
        (r"^http \{$", "http {" + temp_paths),
        (r"(        server 127\.0\.0\.1:800\d( [^;]*)?;\n)+", None),
        (r"        listen 80;\n        listen \[::\]:80;", f"        listen {HOST}:{http_port};"),
        (
            r"        listen 443 ssl http2;\n        listen \[::\]:443 ssl http2;",
            f"        listen {HOST}:{https_port} ssl http2;",
        ),
        (r"ssl_certificate /etc/letsencrypt/\S+;", f"ssl_certificate {certificate};"),
        (r"ssl_certificate_key /etc/letsencrypt/\S+;", f"ssl_certificate_key {key};"),
    ]

    def upstreams(match):  # the app servers started here, with the production file's parameters
        return "".join(f"        server {HOST}:{port}{match.group(2) or ''};\n" for port in app_ports)

    for pattern, replacement in replacements:
        substitute = upstreams if replacement is None else (lambda _m, r=replacement: r)
        text, found = re.subn(pattern, substitute, text, flags=re.MULTILINE)
        if found != 1:
            raise AssertionError(f"deploy/nginx.conf changed: {pattern!r} matched {found} times")
    return text


def _answers_health(server):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{HOST}:{server.port}/sehat/", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


class Topology:
    """nginx -> `instances` gunicorn app servers -> PostgreSQL (`database_url`), Redis, S3.

    `s3` is an (endpoint, bucket) pair; without it a moto server is started too."""

    def __init__(self, *, database_url, s3=None, instances=2, workers=1, threads=4, extra_env=None):
        self.folder = Path(tempfile.mkdtemp(prefix="kompra-topology-"))
        # nginx's workers run as www-data and must reach their temporary folders.
        self.folder.chmod(0o711)
        self.database_url = database_url
        self.s3 = s3
        self.instance_count = instances
        self.workers = workers
        self.threads = threads
        self.extra_env = extra_env or {}
        self.redis = None
        self.moto = None
        self.nginx = None
        self.apps = []
        self.background = []
        self.http_port = self.https_port = None
        self.ca = None

    # Addresses

    def url(self, path="/"):
        return f"https://{HOST}:{self.https_port}{path}"

    @property
    def origin(self):
        return f"https://{HOST}:{self.https_port}"

    def app_url(self, index, path="/"):
        """Straight to one app server, as a load balancer's health probe goes."""
        return f"http://{HOST}:{self.apps[index].port}{path}"

    # Life cycle

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        if not NGINX.exists():
            raise RuntimeError(f"{NGINX} is missing (apt-get install nginx)")
        self.redis = start_with_retries(lambda: redis(self.folder))
        if self.s3 is None:
            self.moto = start_with_retries(lambda: moto(self.folder))
            endpoint = f"http://{HOST}:{self.moto.port}"
            from tests.servers import Bucket

            self.s3 = (endpoint, Bucket(endpoint).name)
        self.ca, certificate, key = make_certificate(self.folder)
        (self.folder / "var" / "static").mkdir(parents=True)
        self.http_port, self.https_port = free_port(), free_port()
        self.apps = [self._app(index) for index in range(self.instance_count)]
        with ThreadPoolExecutor(len(self.apps)) as pool:
            list(pool.map(lambda app: app.start(timeout=60), self.apps))
        config = self.folder / "nginx.conf"
        config.write_text(
            nginx_config(
                folder=self.folder,
                http_port=self.http_port,
                https_port=self.https_port,
                app_ports=[app.port for app in self.apps],
                certificate=certificate,
                key=key,
            )
        )
        # The task worker and the periodic tick, as kompra-worker@ and the tick's timer run them.
        manage = [str(VENV_BIN / "python"), str(ROOT / "manage.py")]
        self.background = [
            Server(name, manage + command, folder=self.folder, env=self.environment(0), ready=lambda s: True).start()
            for name, command in (
                ("worker", ["db_worker", "--no-reload", "--interval", "1"]),
                ("tick", ["notices_tick", "--every", "5"]),
            )
        ]
        argv = [str(NGINX), "-p", str(self.folder), "-e", str(self.folder / "error.log"), "-c", str(config)]
        self.nginx = Server(
            "nginx", argv, folder=self.folder, port=self.https_port, ready=lambda s: port_open(self.https_port)
        ).start()

    def environment(self, port):
        """What an app server reads, as /etc/kompra/kompra.env would hold it."""
        endpoint, bucket = self.s3
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.folder),
            "DJANGO_SETTINGS_MODULE": "tests.topology_settings",
            "PYTHONPATH": str(ROOT),
            "KOMPRA_ENV_FILE": "",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": self.origin,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://{HOST}:{self.redis.port}/0",
            "KOMPRA_VAR_DIR": str(self.folder / "var"),
            "KOMPRA_TRUSTED_PROXY_COUNT": "1",
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            **s3_environment(endpoint, bucket),
            **self.extra_env,
        }
        return env

    @property
    def secret_key(self):
        if not hasattr(self, "_secret_key"):
            self._secret_key = secrets.token_urlsafe(50)
        return self._secret_key

    def _app(self, index):
        port = free_port()
        argv = [str(VENV_BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "kompra.wsgi"]
        # Ready when a worker answers the health check, not when the master merely listens.
        return Server(
            f"app{index + 1}", argv, folder=self.folder, port=port, env=self.environment(port), ready=_answers_health
        )

    def proxy_errors(self, lines=30):
        """The last lines nginx logged about its app servers (for a failing assertion)."""
        log = self.folder / "error.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join([line for line in text.splitlines() if "upstream" in line][-lines:])

    def stop_app(self, index, sig=signal.SIGTERM):
        self.apps[index].stop(sig)

    def start_app(self, index, timeout=20):
        """Starts an app server again and waits until nginx sends it requests: nginx leaves
        a server that failed alone for fail_timeout (deploy/nginx.conf), so a rolling
        restart waits for this before stopping the next one."""
        app = self.apps[index]
        app.start(timeout=60)
        deadline = time.monotonic() + timeout
        seen = app.log_text().count(ROTATION_PROBE)
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(self.ca))),
        )
        while app.log_text().count(ROTATION_PROBE) == seen:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not send requests to {app.name} within {timeout} s")
            with contextlib.suppress(OSError):
                opener.open(self.url("/akun/login/"), timeout=10).read()
            time.sleep(0.1)

    def stop(self):
        if self.nginx is not None:
            self.nginx.stop()
        servers = [server for server in [*self.apps, *self.background, self.redis, self.moto] if server is not None]
        if servers:
            with ThreadPoolExecutor(len(servers)) as pool:
                list(pool.map(lambda server: server.stop(), servers))
        if not os.environ.get("KOMPRA_TOPOLOGY_KEEP"):  # set it to read the logs after a failure
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
