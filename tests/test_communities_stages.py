"""Stages: moving one step at a time with a note, evidence links, the principal's
endorsement, and the readiness indicators shown on the stage page."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from communities import readiness, services
from communities.models import Community, Membership, Stage, StageChange
from tests.factories import CommunityFactory, MembershipFactory, PrincipalFactory, UserFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def errors_of(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def url(name, community, *args):
    return reverse(f"communities:{name}", args=[community.slug, *args])


def stage_state(community):
    community = Community.objects.get(pk=community.pk)
    return community.stage, community.stage_since, list(community.stage_changes.values_list("pk", flat=True))


# --- Changing stage -------------------------------------------------------------------------


def test_advance_with_a_note(community, coordinator, login):
    before = Community.objects.get(pk=community.pk).stage_since
    response = english(login(coordinator)).post(
        url("stage_change", community),
        {
            "to_stage": Stage.MENUMBUHKAN,
            "note": "Tiga anggota aktif, bertemu rutin.",
            "evidence": "https://drive.example.id/notulen-1\nhttp://sekolah.example.id/foto",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("stage", community)
    assert errors_of(response) == []
    change = StageChange.objects.get(community=community)
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == (
        Stage.MERINTIS,
        Stage.MENUMBUHKAN,
        coordinator,
        "Tiga anggota aktif, bertemu rutin.",
    )
    assert change.evidence_links == ["https://drive.example.id/notulen-1", "http://sekolah.example.id/foto"]
    assert change.endorsed_at is None
    community.refresh_from_db()
    assert community.stage == Stage.MENUMBUHKAN
    assert community.stage_since == change.created_at
    assert community.stage_since > before

    page = english(login(coordinator)).get(url("stage", community)).content.decode()
    assert "Tiga anggota aktif, bertemu rutin." in page
    assert 'href="https://drive.example.id/notulen-1"' in page
    assert "Not endorsed by the principal yet." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"to_stage": Stage.MERAWAT, "note": "Langsung saja."}, "valid choice", id="skip-a-stage"),
        pytest.param({"to_stage": Stage.MENUMBUHKAN, "note": ""}, "required", id="empty-note"),
        pytest.param({"to_stage": Stage.MENUMBUHKAN, "note": "   \n  "}, "required", id="blank-note"),
        pytest.param({"to_stage": "tamat", "note": "Selesai."}, "valid choice", id="unknown-stage"),
    ],
)
def test_refused_stage_changes(data, message, community, coordinator, login):
    before = stage_state(community)
    response = english(login(coordinator)).post(url("stage_change", community), data)
    assert response.status_code == 302
    errors = errors_of(response)
    assert len(errors) == 1
    assert message in errors[0]
    assert stage_state(community) == before


def test_service_refuses_skipping_and_empty_notes(community, coordinator):
    with translation.override("en"):
        with pytest.raises(services.Refused, match="one stage at a time"):
            services.stage_change(community=community, to_stage=Stage.MERAWAT, by=coordinator, note="Lompat.")
        with pytest.raises(services.Refused, match="Write a note"):
            services.stage_change(community=community, to_stage=Stage.MENUMBUHKAN, by=coordinator, note="  ")
    assert not StageChange.objects.exists()


@pytest.mark.parametrize(
    "evidence",
    ["ftp://files.example.id/notulen", "javascript:alert(1)", "www.example.id/foto", "https://ok.example.id\nfoto.jpg"],
)
def test_evidence_must_be_web_addresses(evidence, community, coordinator, login):
    before = stage_state(community)
    response = english(login(coordinator)).post(
        url("stage_change", community), {"to_stage": Stage.MENUMBUHKAN, "note": "Siap.", "evidence": evidence}
    )
    errors = errors_of(response)
    assert len(errors) == 1
    assert "Each evidence line must be a web address starting with http:// or https://" in errors[0]
    assert stage_state(community) == before


def test_moving_back_with_a_reason(community, coordinator, login):
    services.stage_change(community=community, to_stage=Stage.MENUMBUHKAN, by=coordinator, note="Tumbuh.")
    client = english(login(coordinator))
    response = client.post(
        url("stage_change", community),
        {"to_stage": Stage.MERINTIS, "note": "Dua anggota pindah sekolah; kita mulai lagi."},
    )
    assert errors_of(response) == []
    community.refresh_from_db()
    assert community.stage == Stage.MERINTIS
    back = community.stage_changes.first()
    assert (back.from_stage, back.to_stage, back.is_advance) == (Stage.MENUMBUHKAN, Stage.MERINTIS, False)
    page = client.get(url("stage", community)).content.decode()
    assert page.count("moved back") == 1
    assert "Dua anggota pindah sekolah; kita mulai lagi." in page


def test_stage_change_form_offers_only_neighbouring_stages(community, coordinator, login):
    services.stage_change(community=community, to_stage=Stage.MENUMBUHKAN, by=coordinator, note="Tumbuh.")
    form = login(coordinator).get(url("stage", community)).context["form"]
    assert [value for value, _ in form.fields["to_stage"].choices] == [Stage.MERINTIS, Stage.MERAWAT]


# --- Endorsement -----------------------------------------------------------------------------


@pytest.fixture
def change(community, coordinator):
    return services.stage_change(community=community, to_stage=Stage.MENUMBUHKAN, by=coordinator, note="Tumbuh.")


def test_home_principal_endorses(change, community, principal, login):
    client = english(login(principal))
    assert "Endorse this change" in client.get(url("stage", community)).content.decode()
    response = client.post(url("stage_endorse", community, change.uid))
    assert response["Location"] == url("stage", community)
    assert errors_of(response) == []
    change.refresh_from_db()
    assert change.endorsed_by == principal
    assert change.endorsed_at is not None
    page = client.get(url("stage", community)).content.decode()
    assert f"Endorsed by {principal.full_name}" in page
    assert "Endorse this change" not in page


def test_endorsing_twice(change, community, principal, login):
    client = english(login(principal))
    client.post(url("stage_endorse", community, change.uid))
    first = StageChange.objects.get(pk=change.pk).endorsed_at
    response = client.post(url("stage_endorse", community, change.uid))
    assert errors_of(response) == ["This stage change has already been endorsed."]
    # Nor may a second principal of the school overwrite it.
    second_principal = PrincipalFactory(school=community.home_school)
    response = english(login(second_principal)).post(url("stage_endorse", community, change.uid))
    assert errors_of(response) == ["This stage change has already been endorsed."]
    change.refresh_from_db()
    assert (change.endorsed_by, change.endorsed_at) == (principal, first)


@pytest.mark.parametrize(("persona", "status"), [("other_principal", 404), ("member", 403), ("coordinator", 403)])
def test_only_the_home_principal_endorses(persona, status, change, community, login, request):
    response = login(request.getfixturevalue(persona)).post(url("stage_endorse", community, change.uid))
    assert response.status_code == status
    change.refresh_from_db()
    assert change.endorsed_at is None


def test_endorsing_another_communitys_change_is_404(change, principal, school, login):
    neighbour = CommunityFactory(home_school=school)
    assert login(principal).post(url("stage_endorse", neighbour, change.uid)).status_code == 404
    change.refresh_from_db()
    assert change.endorsed_at is None


# --- Readiness -------------------------------------------------------------------------------

INDICATOR = re.compile(r'class="[^"]*\b(readiness-met|readiness-open)\b[^"]*" data-indicator="([\w-]+)"')


def shown_indicators(response):
    """{key: met} as the stage page shows them."""
    return {key: state == "readiness-met" for state, key in INDICATOR.findall(response.content.decode())}


@pytest.mark.parametrize("stage", Stage.values)
def test_stage_page_lists_the_indicators_of_the_current_stage(stage, community, member, login):
    Community.objects.filter(pk=community.pk).update(stage=stage)
    response = english(login(member)).get(url("stage", community))
    expected = readiness.indicators_for(stage)
    assert expected
    assert list(shown_indicators(response)) == [item.key for item in expected]
    page = response.content.decode()
    with translation.override("en"):
        for item in expected:
            assert escape(str(item.label)) in page


@pytest.fixture
def bare(school):
    """A merintis community with nothing but a concern and its founder."""
    founder = UserFactory(school=school)
    community = services.community_found(founder=founder, name="Baru Mulai", concern="Siswa sulit fokus.")
    return community, founder


def _make_members(community, founder):
    MembershipFactory(community=community, user__school=community.home_school)
    MembershipFactory(community=community, user__school=community.home_school, status=Membership.Status.REQUESTED)
    MembershipFactory(community=community, user__school=community.home_school, status=Membership.Status.LEFT)
    return False  # founder + 1 active: not yet


def _more_members(community, founder):
    MembershipFactory(community=community, user__school=community.home_school)


def _goal_only(community, founder):
    Community.objects.filter(pk=community.pk).update(goal="Siswa fokus 20 menit.")
    return False  # norms still missing


def _norms(community, founder):
    Community.objects.filter(pk=community.pk).update(norms="Saling menghargai.")


def _rhythm(community, founder):
    Community.objects.filter(pk=community.pk).update(rhythm_weeks=2)


def _problem(community, founder):
    services.problem_raise(community=community, by=founder, title="Siswa mengantuk")


def _inform(community, founder):
    services.principal_inform(community=community, by=founder)


# key: steps; each step returns False when the indicator must still be open after it.
FLIPS = {
    "members": [_make_members, _more_members],
    "profile": [_goal_only, _norms],
    "rhythm": [_rhythm],
    "problem": [_problem],
    "principal": [_inform],
}


def test_flips_cover_every_merintis_indicator_of_this_app():
    builtin = {"members", "profile", "rhythm", "problem", "principal"}
    assert builtin <= {item.key for item in readiness.indicators_for(Stage.MERINTIS)}
    assert set(FLIPS) == builtin


@pytest.mark.parametrize("key", FLIPS)
def test_merintis_indicator_flips_as_data_changes(key, bare, principal, login):
    community, founder = bare
    client = login(founder)
    shown = shown_indicators(client.get(url("stage", community)))
    assert shown[key] is False
    others = {k: met for k, met in shown.items() if k != key}
    for step in FLIPS[key]:
        still_open = step(community, founder) is False
        shown = shown_indicators(client.get(url("stage", community)))
        assert shown[key] is not still_open, step.__name__
    # Only this indicator moved.
    assert {k: met for k, met in shown.items() if k != key} == others


def test_inform_principal_emails_every_principal_of_the_school(
    community, coordinator, principal, login, mailoutbox, run_tasks
):
    second = PrincipalFactory(school=community.home_school, email="wakil.kepsek@smpn1.sch.id")
    PrincipalFactory(school=community.home_school, email="pensiun@smpn1.sch.id", is_active=False)
    PrincipalFactory(email="kepsek.lain@contoh.sch.id")
    response = english(login(coordinator)).post(url("inform_principal", community))
    assert response["Location"] == url("stage", community)
    assert errors_of(response) == []
    run_tasks()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([principal.email, second.email])
    assert all(f"{settings.KOMPRA_BASE_URL}{community.get_absolute_url()}" in m.body for m in mailoutbox)
    community.refresh_from_db()
    assert community.principal_informed_at is not None


def test_inform_principal_without_a_principal_account(community, coordinator, login, mailoutbox):
    response = english(login(coordinator)).post(url("inform_principal", community))
    assert errors_of(response) == ["No principal of your school has an account on Kompra yet."]
    assert mailoutbox == []
    community.refresh_from_db()
    assert community.principal_informed_at is None


def test_registering_an_indicator_adds_it_to_the_stage_page(community, member, login):
    key = "test_lesson_study"
    assert key not in readiness.REGISTRY
    try:

        @readiness.indicator(key=key, stage=Stage.MERINTIS, label="A lesson study planned", order=1)
        def _lesson_study(checked, *facts):
            return checked.name == community.name, f"planned for {checked.name}"

        response = english(login(member)).get(url("stage", community))
        shown = shown_indicators(response)
        assert next(iter(shown)) == key  # order=1 puts it first
        assert shown[key] is True
        assert f"planned for {community.name}" in response.content.decode()
    finally:
        readiness.REGISTRY.pop(key, None)
    assert key not in shown_indicators(login(member).get(url("stage", community)))
