"""Simulated teachers for scripts/bench_load.py, which starts the topology and runs locust
with this file; not meant to be run alone.

Each simulated teacher signs in through the login form, from an address of their own on
the loopback network (127.0.0.2, 127.0.0.3...), as teachers at different schools would,
then reads their dashboard, community, activities, gallery and photos, comments on a
shared problem and now and then uploads a classroom photo, pausing 1-3 s between steps.
The people, communities and pages come from the JSON file named by KOMPRA_LOAD_PLAN.
"""

import io
import itertools
import json
import os
import random
import re

from locust import HttpUser, between, events, task
from PIL import Image, ImageDraw
from requests.adapters import HTTPAdapter

PLAN = json.loads(open(os.environ["KOMPRA_LOAD_PLAN"]).read())  # noqa: SIM115
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_people = itertools.count()


def classroom_photo(seed):
    """About 1200 x 900 with shapes and noise: a phone photo after the browser shrank it."""
    rng = random.Random(seed)
    image = Image.effect_noise((1200, 900), 24).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _shape in range(40):
        x, y = rng.randrange(1100), rng.randrange(800)
        colour = tuple(rng.choices(range(256), k=3))
        draw.rectangle([x, y, x + rng.randrange(40, 200), y + rng.randrange(30, 150)], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


PHOTOS = [classroom_photo(seed) for seed in range(4)]


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Teacher(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        number = next(_people)
        person = PLAN["people"][number % len(PLAN["people"])]
        self.community = PLAN["communities"][person["community"]]
        self.client.trust_env = False
        self.client.verify = PLAN["ca"]
        self.client.mount("https://", SourceAddressAdapter(f"127.0.0.{2 + number % 250}"))
        token = self.token("/akun/login/", name="/akun/login/")
        self.client.post(
            "/akun/login/",
            data={"csrfmiddlewaretoken": token, "login": person["email"], "password": PLAN["password"]},
            headers={"Referer": self.url("/akun/login/")},
            name="/akun/login/ [sign in]",
        )

    def url(self, path):
        return self.host.rstrip("/") + path

    def token(self, path, name):
        page = self.client.get(path, name=name)
        found = CSRF.search(page.text)
        return found.group(1) if found else ""

    def submit(self, path, page, name, **kwargs):
        token = self.token(page, name=name.split(" [")[0])
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **kwargs.pop("data", {})},
            headers={"Referer": self.url(page)},
            allow_redirects=False,
            name=name,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code != 302:
                response.failure(f"expected a redirect after the form, got {response.status_code}")

    @task(5)
    def dashboard(self):
        self.client.get("/dasbor/", name="/dasbor/")

    @task(3)
    def community_page(self):
        self.client.get(f"/k/{self.community['slug']}/", name="/k/[community]/")

    @task(3)
    def activity_page(self):
        activity = random.choice(self.community["activities"])
        self.client.get(f"/k/{self.community['slug']}/kegiatan/{activity}/", name="/k/[community]/kegiatan/[activity]/")

    @task(3)
    def gallery_and_photos(self):
        slug = self.community["slug"]
        self.client.get(f"/k/{slug}/dokumentasi/", name="/k/[community]/dokumentasi/")
        documents = self.community["documents"]
        for document in random.sample(documents, k=min(4, len(documents))):
            self.client.get(f"/k/{slug}/berkas/{document}/kecil/", name="/k/[community]/berkas/[doc]/kecil/")
        document = random.choice(self.community["documents"])
        self.client.get(f"/k/{slug}/berkas/{document}/", name="/k/[community]/berkas/[doc]/")

    @task(2)
    def comment_on_a_problem(self):
        page = f"/k/{self.community['slug']}/masalah/{self.community['problem']}/"
        body = random.choice(["Di kelas saya juga begitu.", "Kami coba membaca berpasangan.", "Setuju, ayo dibahas."])
        self.submit(page + "komentar/", page, "/k/[community]/masalah/[problem]/ [comment]", data={"body": body})

    @task(1)
    def upload_a_photo(self):
        activity = random.choice(self.community["activities"])
        page = f"/k/{self.community['slug']}/kegiatan/{activity}/"
        photo = random.choice(PHOTOS)
        self.submit(
            page + "unggah/",
            page,
            "/k/[community]/kegiatan/[activity]/ [upload]",
            data={"caption": "Dokumentasi kegiatan"},
            files={"files": ("kelas.jpg", photo, "image/jpeg")},
        )


@events.quitting.add_listener
def _no_exit_code_from_failures(environment, **kwargs):
    # bench_load.py reads the numbers and says what they mean; locust's own exit code stays 0.
    environment.process_exit_code = 0
