"""What communities tell people (through the notices app), and the rules that decide
whether a person may still see what such a notice is about."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community, Membership, Problem, StageChange
from notices import registry
from notices.registry import DigestLine, Mode
from notices.services import notice_send

User = get_user_model()

COORDINATORS = gettext_lazy("coordinators")
MEMBERS = gettext_lazy("members")
PRINCIPALS = gettext_lazy("principals")
YOU = gettext_lazy("you")

registry.kind("join_requested", label=gettext_lazy("Someone asks to join"), audience=COORDINATORS, order=10)
registry.kind("invitation_received", label=gettext_lazy("You are invited to a community"), audience=YOU, order=11)
registry.kind(
    "invitation_answered", label=gettext_lazy("An invitation was accepted or declined"), audience=COORDINATORS, order=12
)
registry.kind(
    "principal_informed", label=gettext_lazy("A community informs the principal"), audience=PRINCIPALS, order=13
)
registry.kind(
    "endorsement_requested", label=gettext_lazy("A community asks for endorsement"), audience=PRINCIPALS, order=14
)
registry.kind("stage_endorsed", label=gettext_lazy("A stage change was endorsed"), audience=COORDINATORS, order=15)
registry.kind(
    "problem_new", label=gettext_lazy("A new shared problem"), audience=MEMBERS, default=Mode.DIGEST, order=40
)
registry.kind("problem_response", label=gettext_lazy("A comment or “me too” on your problem"), audience=YOU, order=41)


def _visible(user, model, pks, **extra):
    communities = Community.objects.visible_to(user)
    return model.objects.filter(pk__in=pks, community__in=communities, **extra).values_list("pk", flat=True)


@registry.visibility(Community)
def _community_visible(user, pks):
    return Community.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True)


@registry.visibility(Membership)
def _membership_visible(user, pks):
    return _visible(user, Membership, pks)


@registry.visibility(Problem)
def _problem_visible(user, pks):
    return _visible(user, Problem, pks)


@registry.visibility(StageChange)
def _stage_change_visible(user, pks):
    return _visible(user, StageChange, pks)


def coordinators_of(community, exclude=None):
    people = User.objects.filter(
        pk__in=community.memberships.coordinators().values("user_id"), is_active=True
    ).order_by("pk")
    return people.exclude(pk=exclude.pk) if exclude is not None else people


def members_of(community, exclude=None):
    people = User.objects.filter(pk__in=community.memberships.active().values("user_id"), is_active=True).order_by("pk")
    return people.exclude(pk=exclude.pk) if exclude is not None else people


def principals_of(community):
    return User.objects.filter(school=community.home_school, role=User.Role.PRINCIPAL, is_active=True)


def members_page(community):
    return reverse("communities:members", args=[community.slug])


def stage_page(community):
    return reverse("communities:stage", args=[community.slug])


# Digest: new problems in a person's communities, and where their communities stand.


@registry.digest_section
def _new_problems(users, since, until):
    memberships = Membership.objects.active().filter(user__in=users).values_list("user_id", "community_id")
    communities_of = {}
    for user_id, community_id in memberships:
        communities_of.setdefault(community_id, []).append(user_id)
    problems = (
        Problem.objects.filter(community_id__in=communities_of, created_at__gte=since)
        .select_related("community")
        .order_by("created_at")
    )
    heading = _("New shared problems")
    lines = {}
    for problem in problems:
        for user_id in communities_of[problem.community_id]:
            if user_id != problem.raised_by_id:
                lines.setdefault(user_id, []).append(
                    DigestLine(
                        section=heading,
                        text=f"{problem.title} ({problem.community.name})",
                        url=problem.get_absolute_url(),
                        order=30,
                    )
                )
    return lines


@registry.digest_section
def _readiness(users, since, until):
    """For coordinators: how many readiness steps their community has met."""
    from communities.readiness import readiness_many

    rows = Membership.objects.coordinators().filter(user__in=users, community__archived=False)
    rows = list(rows.select_related("community"))
    results = readiness_many(list({m.community for m in rows}))
    heading = _("Readiness for the next stage")
    lines = {}
    for membership in rows:
        checks = results[membership.community_id]
        if not checks:
            continue
        met = sum(1 for check in checks if check.met)
        lines.setdefault(membership.user_id, []).append(
            DigestLine(
                section=heading,
                text=_("%(community)s: %(met)d of %(total)d readiness steps met")
                % {"community": membership.community.name, "met": met, "total": len(checks)},
                url=stage_page(membership.community),
                order=80,
                news=False,
            )
        )
    return lines


# Events


def join_requested(membership):
    community = membership.community
    notice_send(
        kind="join_requested",
        to=coordinators_of(community),
        about=membership,
        group=community,
        url=members_page(community),
        title=gettext_lazy("%(name)s asks to join %(community)s"),
        params={"name": str(membership.user), "community": community.name},
    )


def invitation_received(membership):
    community = membership.community
    notice_send(
        kind="invitation_received",
        to=membership.user,
        about=membership,
        group=community,
        url=community.get_absolute_url(),
        title=gettext_lazy("%(by)s invites you to join %(community)s"),
        params={"by": str(membership.invited_by or ""), "community": community.name},
    )


def invitation_answered(membership, accepted):
    community = membership.community
    title = (
        gettext_lazy("%(name)s accepted the invitation to %(community)s")
        if accepted
        else gettext_lazy("%(name)s declined the invitation to %(community)s")
    )
    notice_send(
        kind="invitation_answered",
        to=coordinators_of(community, exclude=membership.user),
        about=membership,
        group=community,
        url=members_page(community),
        title=title,
        params={"name": str(membership.user), "community": community.name},
    )


def principal_informed(community, by, principals):
    notice_send(
        kind="principal_informed",
        to=principals,
        about=community,
        group=community,
        title=gettext_lazy("%(by)s tells you about a community of practice at your school: %(community)s"),
        params={"by": str(by), "community": community.name},
    )


def endorsement_requested(change):
    community = change.community
    notice_send(
        kind="endorsement_requested",
        to=principals_of(community),
        about=change,
        group=community,
        url=stage_page(community),
        title=gettext_lazy("%(community)s moved to the stage “%(stage)s” and asks for your endorsement"),
        params={"community": community.name, "stage": str(change.get_to_stage_display())},
    )


def stage_endorsed(change):
    community = change.community
    notice_send(
        kind="stage_endorsed",
        to=coordinators_of(community),
        about=change,
        group=community,
        url=stage_page(community),
        title=gettext_lazy("%(by)s endorsed the move of %(community)s to “%(stage)s”"),
        params={
            "by": str(change.endorsed_by),
            "community": community.name,
            "stage": str(change.get_to_stage_display()),
        },
    )


def problem_new(problem):
    community = problem.community
    notice_send(
        kind="problem_new",
        to=members_of(community, exclude=problem.raised_by),
        about=problem,
        group=community,
        title=gettext_lazy("New shared problem in %(community)s: %(title)s"),
        params={"community": community.name, "title": problem.title},
    )


def problem_response(problem, by, commented, key=None):
    if problem.raised_by_id == by.pk:
        return
    title = (
        gettext_lazy("%(name)s commented on your problem “%(title)s”")
        if commented
        else gettext_lazy("%(name)s shares your problem “%(title)s” (me too)")
    )
    raiser = problem.raised_by
    if not problem.community.memberships.active().filter(user=raiser).exists():
        return
    notice_send(
        kind="problem_response",
        to=raiser,
        about=problem,
        key=key,
        group=problem.community,
        title=title,
        params={"name": str(by), "title": problem.title},
    )
