"""Every page the access matrices know, as a coordinator, a member, a principal, a pengawas and an
anonymous visitor see it: axe-core at 360x740 and 1280x800 (no serious or critical
violation, WCAG 2.2 target size included), the Nu HTML checker (no error), and no page
wider than a 360 px phone.

axe-core and vnu-jar come from npm (package.json; `.ci/run` installs them), Java from
Debian. One browser session per persona, reused for all its pages; every page of every
persona goes to one vnu run, since the JVM is slow to start. The counts are printed at
the end of the run.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import (
    test_activities_access,
    test_communities_access,
    test_evidence_access,
    test_notices_access,
    test_privacy_rights_access,
    test_publishing_access,
    test_reports_schools_access,
    test_search_access,
    test_site_access,
    test_supervision_access,
)
from tests.browser import conftest as browser_conftest
from tests.browser.conftest import sign_in

ROOT = Path(settings.BASE_DIR)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = Path("/usr/bin/java")
PERSONAS = ("coordinator", "member", "principal", "pengawas", "anonymous")
VIEWPORTS = ((360, 740, True), (1280, 800, False))
BLOCKING = {"serious", "critical"}

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"], rules: {"target-size": {enabled: true}}})
  .then((result) => done(result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + n.html.slice(0, 120)), count: v.nodes.length}))))
  .catch((error) => done([{id: "axe-error", impact: "critical", help: String(error), nodes: [], count: 1}]));
"""


def tools_or_skip():
    missing = [str(path) for path in (AXE, VNU, JAVA) if not path.exists()]
    if missing:
        message = f"The page checks need {', '.join(missing)} (npm ci; apt-get install default-jre-headless)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def matrix_pages(persona, worlds):
    """(label, url) of every GET page the matrices say this persona may open (200)."""
    pages = []
    for label, module, world in (
        ("communities", test_communities_access, worlds["communities"]),
        ("activities", test_activities_access, worlds["activities"]),
        ("publishing", test_publishing_access, worlds["publishing"]),
        ("notices", test_notices_access, worlds["notices"]),
        ("supervision", test_supervision_access, worlds["supervision"]),
        ("privacy", test_privacy_rights_access, worlds["privacy"]),
    ):
        for name, (method, statuses) in sorted(module.EXPECTED.items()):
            if method == "get" and statuses[persona] == 200:
                pages.append((f"{label}:{name}", module.url_for(name, world)))
    module = test_reports_schools_access
    for key, (method, statuses) in sorted(module.EXPECTED.items()):
        if method == "get" and statuses[persona] == 200:
            pages.append((":".join(key), module.url_for(key, worlds["reports"])))
    # A person's own portfolio, its share, the certificates and their verification.
    module = test_evidence_access
    for name, (method, statuses) in sorted(module.EXPECTED.items()):
        if method == "get" and statuses[persona] == 200:
            pages.append((f"evidence:{name}", module.url_for(name, worlds["evidence"])))
    for name, (method, statuses) in sorted(test_site_access.EXPECTED.items()):
        if method == "get" and statuses[persona] == 200:
            pages.append((name, reverse(name)))
    if test_search_access.EXPECTED["results"][1][persona] == 200:
        pages.append(("search:results", reverse("search:results") + "?q=literasi"))
    if persona == "anonymous":
        pages.append(("account_login", reverse("account_login")))
    else:
        # Where a person changes their email address (allauth's, confirmed by a link).
        pages.append(("account_email", reverse("account_email")))
    return pages


def html_of(client, url):
    response = (client or Client()).get(url)
    if response.status_code != 200:
        return response.status_code, None
    if not response["Content-Type"].startswith("text/html"):
        return 200, None
    return 200, response.content


def metrics(browser, width, height, mobile):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def run_vnu(files):
    """{file name: [error messages]} of one Nu HTML checker run over every file."""
    result = subprocess.run(
        [str(JAVA), "-Xss2m", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = {}
    for message in json.loads(result.stderr or result.stdout)["messages"]:
        if message.get("type") == "error":
            name = Path(message.get("url", "unknown").removeprefix("file:")).name
            errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return errors


@pytest.mark.browser
@pytest.mark.page_checks
def test_every_page_is_accessible_valid_and_fits_a_phone(browser, live_server, worlds, request, tmp_path):
    tools_or_skip()
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AXE.read_text()})
    browser.set_script_timeout(60)
    axe_failures, too_wide, not_ok, html_files = [], [], [], []
    checked = dict.fromkeys(PERSONAS, 0)
    axe_counts = {"critical": 0, "serious": 0, "moderate": 0, "minor": 0}

    for persona in PERSONAS:
        user = request.getfixturevalue(persona)
        client = sign_in(browser, live_server, user)
        for label, url in matrix_pages(persona, worlds):
            status, html = html_of(client, url)
            if status != 200:
                not_ok.append(f"{persona} {label} {url}: {status}")
                continue
            if html is None:  # a PDF, CSV, zip, image, manifest or script
                continue
            checked[persona] += 1
            page_file = tmp_path / f"{persona}--{label.replace(':', '--')}.html"
            page_file.write_bytes(html)
            html_files.append(page_file)
            for width, height, mobile in VIEWPORTS:
                metrics(browser, width, height, mobile)
                if mobile:
                    browser.get(live_server.url + url)
                    scroll_width = browser.execute_script("return document.documentElement.scrollWidth;")
                    if scroll_width > width:
                        too_wide.append(f"{persona} {label} {url}: {scroll_width} px")
                for violation in browser.execute_async_script(AXE_RUN):
                    axe_counts[violation["impact"] or "minor"] += violation["count"]
                    if violation["impact"] in BLOCKING:
                        axe_failures.append(f"{persona} {label} {url} @{width}px: {violation}")
        metrics(browser, *browser_conftest.VIEWPORT, True)

    vnu_errors = run_vnu(html_files)
    error_count = sum(len(errors) for errors in vnu_errors.values())
    pages = sum(checked.values())
    request.node.user_properties.append(
        (
            "summary",
            [
                f"pages checked: {pages} ({', '.join(f'{p} {n}' for p, n in checked.items())}), "
                f"at {' and '.join(f'{w}x{h}' for w, h, _m in VIEWPORTS)}",
                "axe-core: {critical} critical, {serious} serious, {moderate} moderate, {minor} minor".format(
                    **axe_counts
                ),
                f"Nu HTML checker: {error_count} errors on {len(vnu_errors)} of {len(html_files)} pages",
                f"wider than 360 px: {len(too_wide)} pages",
            ],
        )
    )
    assert not_ok == [], not_ok
    assert pages > 60
    problems = axe_failures + too_wide + [f"{name}: {errors}" for name, errors in sorted(vnu_errors.items())]
    assert problems == [], "\n".join(problems)
