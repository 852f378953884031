"""What keeps Kompra usable on a slow phone connection, on the server side: compressed
pages, worker timeouts sized for slow uploads, and no temporary upload left behind."""

import gzip
import os
import runpy
import time
from pathlib import Path

import pytest
from django.conf import settings

from kompra.uploadtmp import clean_upload_temp

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def upload_tmp(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    return settings.FILE_UPLOAD_TEMP_DIR


def _aged(path, seconds):
    path.write_bytes(b"half a photo")
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))
    return path


def test_pages_are_gzipped_for_clients_that_accept_it(client, db):
    response = client.get("/akun/login/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content)
    assert b"<form" in html
    assert len(response.content) < len(html) / 2


def test_pages_are_plain_for_clients_that_do_not(client, db):
    response = client.get("/akun/login/")
    assert not response.has_header("Content-Encoding")
    assert b"<form" in response.content


def test_gunicorn_timeout_covers_the_largest_upload_at_400_kbits(upload_tmp):
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    seconds_at_400_kbits = settings.KOMPRA_MAX_UPLOAD_BYTES * 8 / 400_000
    assert conf["timeout"] > seconds_at_400_kbits
    assert conf["worker_class"] == "gthread"
    assert conf["threads"] >= 2
    assert Path(conf["worker_tmp_dir"]) == upload_tmp.parent
    assert upload_tmp.is_dir()


def test_a_worker_exit_removes_old_temp_uploads_but_not_arriving_ones(upload_tmp):
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    orphan = _aged(upload_tmp / "tmpab12cd.upload.jpg", 3 * conf["timeout"])
    arriving = _aged(upload_tmp / "tmpef34gh.upload.jpg", 5)
    unrelated = _aged(upload_tmp / "notes.txt", 3 * conf["timeout"])
    conf["child_exit"](server=None, worker=None)
    assert not orphan.exists()
    assert arriving.exists()
    assert unrelated.exists()


def test_starting_gunicorn_removes_every_leftover(upload_tmp):
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    leftover = _aged(upload_tmp / "tmp99.upload.png", 1)
    conf["on_starting"](server=None)
    assert not leftover.exists()


def test_clean_upload_temp_counts_what_it_removed(upload_tmp):
    clean_upload_temp(older_than=0)
    _aged(upload_tmp / "tmp1.upload.jpg", 100)
    _aged(upload_tmp / "tmp2.upload.jpg", 100)
    assert clean_upload_temp(older_than=50) == 2
    assert clean_upload_temp(older_than=50) == 0
