from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from communities import services
from communities.access import get_community_for
from communities.forms import (
    CommentForm,
    CommunityForm,
    FoundForm,
    GoalForm,
    InvitationSignupForm,
    InviteForm,
    ProblemForm,
    SettingsForm,
    StageChangeForm,
)
from communities.freshness import cached, kept_community_page
from communities.models import (
    Community,
    Invitation,
    Membership,
    Problem,
    ProblemComment,
    Stage,
    StageChange,
    VisibilityChange,
)
from communities.public_items import live_public_items
from communities.readiness import readiness
from communities.services import Refused
from kompra.shortcuts import community_page, refused
from notices.services import is_muted, mute_set

# Fetch and authorise: every view goes through get_community_for and these.


def _get_problem(request, slug, uid, need=None):
    community, access = get_community_for(request, slug, need)
    return community, access, _problem_in(community, uid)


def _problem_in(community, uid):
    return get_object_or_404(community.problems.select_related("raised_by"), uid=uid)


def _get_membership(community, uid):
    return get_object_or_404(community.memberships.select_related("user"), uid=uid)


# Lists


@login_required
def my_communities(request):
    communities = list(Community.objects.of_member(request.user).for_listing())
    roles = dict(
        Membership.objects.filter(user=request.user, status=Membership.Status.ACTIVE).values_list(
            "community_id", "role"
        )
    )
    for community in communities:
        community.my_role = Membership.Role(roles[community.pk]).label
    return render(request, "communities/my_communities.html", {"communities": communities})


DIRECTORY_PAGE_SIZE = 24


@login_required
def directory(request):
    """Every community the viewer may see, their own school's first, a page at a time,
    filtered by stage, kind and school (name or NPSN)."""
    communities = Community.objects.visible_to(request.user)
    stage = request.GET.get("tahap", "")
    if stage in Stage.values:
        communities = communities.filter(stage=stage)
    else:
        stage = ""
    kind = request.GET.get("jenis", "")
    if kind in Community.Kind.values:
        communities = communities.filter(kind=kind)
    else:
        kind = ""
    school = request.GET.get("sekolah", "").strip()[:100]
    if school:
        communities = communities.filter(Q(home_school__npsn=school) | Q(home_school__name__icontains=school))
    archived = bool(request.GET.get("arsip"))
    if not archived:
        communities = communities.filter(archived=False)
    school_id = request.user.school_id
    # Each row's member count is a subquery on the membership index, run only for the
    # rows of the page (not a count over every membership of every visible community).
    active_members = (
        Membership.objects.filter(community=OuterRef("pk"), status=Membership.Status.ACTIVE)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    communities = (
        # Only what a card shows: the sort then moves narrow rows, not every text field.
        communities.select_related("home_school")
        .only("pk", "slug", "name", "stage", "archived", "home_school__name")
        .annotate(
            member_count=Coalesce(Subquery(active_members), 0),
            is_own=Case(When(home_school_id=school_id, then=Value(True)), default=Value(False)),
        )
        .order_by("-is_own", "archived", "name", "pk")
    )
    page = Paginator(communities, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("halaman"))
    mine = set(
        Membership.objects.filter(
            user=request.user, status=Membership.Status.ACTIVE, community__in=[c.pk for c in page.object_list]
        ).values_list("community_id", flat=True)
    )
    query = {"tahap": stage, "jenis": kind, "sekolah": school, "arsip": "1" if archived else ""}
    return render(
        request,
        "communities/directory.html",
        {
            "page": page,
            "page_query": urlencode({k: v for k, v in query.items() if v}),
            "mine": mine,
            "stages": Stage.choices,
            "stage": stage,
            "kinds": Community.Kind.choices,
            "kind": kind,
            "school": school,
            "archived": archived,
        },
    )


# Founding


@login_required
def found(request):
    form = FoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_found(founder=request.user, **form.cleaned_data)
        except Refused as exc:
            return refused(request, exc, "communities:mine")
        messages.success(request, _("Your community has been founded. You are its coordinator."))
        return redirect("communities:found_goal", community.slug)
    return render(request, "communities/found.html", {"form": form, "step": 1})


@login_required
def found_goal(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    form = GoalForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        if community.archived:
            return refused(request, Refused(_("This community is archived.")), community.get_absolute_url())
        form.save()
        return redirect("communities:found_settings", community.slug)
    return render(request, "communities/found.html", {"form": form, "step": 2, "community": community})


@login_required
def found_settings(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    form = SettingsForm(request.POST or None, instance=community, public_items=live_public_items(community))
    if request.method == "POST" and community.archived:
        return refused(request, Refused(_("This community is archived and can no longer be changed.")), community)
    if request.method == "POST" and form.is_valid():
        try:
            _save_settings(request, form)
        except Refused as exc:
            return refused(request, exc, "communities:found_settings", slug)
        _invite_many(request, community, form.cleaned_data["cofounders"])
        return redirect(community)
    return render(request, "communities/found.html", {"form": form, "step": 3, "community": community})


def _save_settings(request, form):
    """Saves a form that may change the visibility, and says what became of the
    community's public items."""
    change = services.community_save(
        community=form.save(commit=False),
        by=request.user,
        previous_visibility=form.previous_visibility,
        public_items=form.cleaned_data.get("public_items", ""),
    )
    if change is None or not change.items:
        return
    if change.public_items == VisibilityChange.PublicItems.WITHDRAWN:
        messages.info(request, _("What the community published has been withdrawn from the public showcase."))
    elif Community.Visibility.narrows(change.from_visibility, change.to_visibility):
        messages.info(
            request,
            _("What the community published stays public; you can withdraw it on the Publications tab at any time."),
        )


def _invite_many(request, community, emails):
    for email in emails:
        try:
            services.membership_invite(community=community, email=email, by=request.user, request=request)
        except Refused as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})


# The community's pages


@login_required
def detail(request, slug):
    community, access = get_community_for(request, slug)
    muted = is_muted(user=request.user, group=community)

    def overview_facts():
        return {
            "focus": community.problems.filter(is_focus=True).first(),
            "counts": community.memberships.aggregate(
                active=Count("pk", filter=Q(status=Membership.Status.ACTIVE)),
                requested=Count("pk", filter=Q(status=Membership.Status.REQUESTED)),
            ),
        }

    def page():
        # The same facts for every viewer; kept while the community's data is unchanged.
        facts = cached(community, "overview", overview_facts)
        return community_page(
            request,
            community,
            access,
            "communities/detail.html",
            focus=facts["focus"],
            counts=facts["counts"],
            muted=muted,
            tab="overview",
        )

    return kept_community_page(request, "overview", community, access, page, muted)


@login_required
@require_POST
def mute(request, slug):
    """Mute (or unmute) a community: no notices from it, in Kompra or by email."""
    community, access = get_community_for(request, slug)
    muted = request.POST.get("muted") != "0"
    mute_set(user=request.user, group=community, muted=muted)
    if muted:
        messages.success(request, _("Muted: you will hear nothing from this community."))
    else:
        messages.success(request, _("You will hear from this community again."))
    return redirect(community)


@login_required
def edit(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    if community.archived:
        return refused(request, Refused(_("This community is archived and can no longer be changed.")), community)
    form = CommunityForm(request.POST or None, instance=community, public_items=live_public_items(community))
    if request.method == "POST" and form.is_valid():
        try:
            _save_settings(request, form)
        except Refused as exc:
            return refused(request, exc, "communities:edit", slug)
        messages.success(request, _("The community profile has been saved."))
        return redirect(community)
    return community_page(request, community, access, "communities/edit.html", form=form, tab="overview")


@login_required
@require_POST
def archive(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    archived = request.POST.get("archived") != "0"
    services.community_set_archived(community=community, archived=archived, by=request.user)
    if archived:
        messages.success(request, _("The community is archived. Its records stay, read-only."))
    else:
        messages.success(request, _("The community is active again."))
    return redirect(community)


# Members


@login_required
def members(request, slug):
    community, access = get_community_for(request, slug)
    memberships = community.memberships.select_related("user__school").order_by("role", "user__full_name")
    shown = [Membership.Status.ACTIVE]
    if access.can_manage:
        shown += [Membership.Status.INVITED, Membership.Status.REQUESTED]
    memberships = [m for m in memberships if m.status in shown]
    invitations = community.invitations.pending() if access.can_manage else []
    return community_page(
        request,
        community,
        access,
        "communities/members.html",
        active=[m for m in memberships if m.status == Membership.Status.ACTIVE],
        invited=[m for m in memberships if m.status == Membership.Status.INVITED],
        requested=[m for m in memberships if m.status == Membership.Status.REQUESTED],
        invitations=invitations,
        invite_form=InviteForm() if access.can_manage and not community.archived else None,
        tab="members",
    )


@login_required
@require_POST
def invite(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter an email address."))
        return redirect("communities:members", slug)
    try:
        how = services.membership_invite(
            community=community, email=form.cleaned_data["email"], by=request.user, request=request
        )
    except Refused as exc:
        return refused(request, exc, "communities:members", slug)
    if how == "link":
        messages.success(request, _("%(email)s has no account yet: we sent a sign-up link.") % form.cleaned_data)
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
    return redirect("communities:members", slug)


@login_required
@require_POST
def request_join(request, slug):
    community, access = get_community_for(request, slug)
    if not (access.can_request_join or access.is_member or access.has_requested or access.is_invited):
        raise PermissionDenied
    try:
        services.membership_request(community=community, user=request.user)
    except Refused as exc:
        return refused(request, exc, community)
    messages.success(request, _("Your request has been sent to the coordinator."))
    return redirect(community)


@login_required
@require_POST
def respond_invitation(request, slug):
    community, access = get_community_for(request, slug)
    if access.membership is None:
        raise PermissionDenied
    accept = request.POST.get("accept") == "1"
    try:
        services.invitation_respond(membership=access.membership, accept=accept)
    except Refused as exc:
        return refused(request, exc, community)
    if accept:
        messages.success(request, _("Welcome! You are now a member of %(community)s.") % {"community": community})
        return redirect(community)
    messages.info(request, _("You declined the invitation."))
    return redirect("dashboard")


@login_required
@require_POST
def leave(request, slug):
    community, access = get_community_for(request, slug, "is_member")
    try:
        services.membership_end(membership=access.membership, by=request.user)
    except Refused as exc:
        return refused(request, exc, community)
    messages.info(request, _("You have left %(community)s.") % {"community": community})
    return redirect("communities:mine")


MEMBER_ACTIONS = {"approve", "decline", "remove", "promote", "demote"}


@login_required
@require_POST
def member_action(request, slug, uid, action):
    """Coordinator's actions on one membership: approve, decline, remove, promote, demote."""
    if action not in MEMBER_ACTIONS:
        raise Http404
    community, access = get_community_for(request, slug, "can_manage")
    membership = _get_membership(community, uid)
    name = {"name": membership.user}
    try:
        if action == "approve":
            services.membership_decide(membership=membership, approve=True, by=request.user)
            messages.success(request, _("%(name)s is now a member.") % name)
        elif action == "decline":
            services.membership_decide(membership=membership, approve=False, by=request.user)
            messages.info(request, _("The request of %(name)s was declined.") % name)
        elif action == "remove":
            services.membership_end(membership=membership, by=request.user)
            messages.info(request, _("%(name)s is no longer a member.") % name)
        elif action == "promote":
            services.membership_set_role(membership=membership, role=Membership.Role.COORDINATOR, by=request.user)
            messages.success(request, _("%(name)s is now a coordinator.") % name)
        elif action == "demote":
            services.membership_set_role(membership=membership, role=Membership.Role.MEMBER, by=request.user)
            messages.info(request, _("%(name)s is now a member without the coordinator role.") % name)
    except Refused as exc:
        messages.error(request, str(exc))
    return redirect("communities:members", slug)


@never_cache  # it shows the invited address and who invited, to someone not signed in yet
def invitation(request, token):
    """The sign-up page behind an invitation link, for an address with no account."""
    invitation = Invitation.objects.select_related("community", "school").filter(token=token).first()
    if invitation is None or not invitation.is_usable:
        return render(request, "communities/invitation_invalid.html", status=410 if invitation else 404)
    if request.user.is_authenticated:
        messages.info(request, _("You are logged in already. Log out to accept an invitation for another address."))
        return redirect("dashboard")
    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except Refused as exc:
            messages.error(request, str(exc))
            return render(request, "communities/invitation_invalid.html", status=410)
        login(request, user, backend="kompra.accounts.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome to Kompra! You are now a member of %(community)s.") % {"community": invitation.community},
        )
        return redirect(invitation.community)
    return render(request, "communities/invitation.html", {"invitation": invitation, "form": form})


# Stage


@login_required
def stage(request, slug):
    community, access = get_community_for(request, slug)
    changes = community.stage_changes.select_related("changed_by", "endorsed_by")
    form = StageChangeForm(community=community) if access.can_manage and not community.archived else None
    return community_page(
        request,
        community,
        access,
        "communities/stage.html",
        changes=changes,
        results=readiness(community),
        form=form,
        stages=Stage.choices,
        stage_index=Stage.order(community.stage),
        tab="stage",
    )


@login_required
@require_POST
def stage_change(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    form = StageChangeForm(request.POST, community=community)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
        return redirect("communities:stage", slug)
    try:
        change = services.stage_change(
            community=community,
            to_stage=form.cleaned_data["to_stage"],
            by=request.user,
            note=form.cleaned_data["note"],
            evidence=form.cleaned_data["evidence"],
        )
    except Refused as exc:
        return refused(request, exc, "communities:stage", slug)
    messages.success(
        request,
        _("The community is now in the stage “%(stage)s”.") % {"stage": change.get_to_stage_display()},
    )
    return redirect("communities:stage", slug)


@login_required
@require_POST
def stage_endorse(request, slug, uid):
    community, access = get_community_for(request, slug, "can_endorse")
    change = get_object_or_404(StageChange, community=community, uid=uid)
    try:
        services.stage_endorse(change=change, by=request.user)
    except Refused as exc:
        return refused(request, exc, "communities:stage", slug)
    messages.success(request, _("You endorsed this stage change."))
    return redirect("communities:stage", slug)


@login_required
@require_POST
def inform_principal(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    try:
        principals = services.principal_inform(community=community, by=request.user, request=request)
    except Refused as exc:
        return refused(request, exc, "communities:stage", slug)
    names = ", ".join(str(p) for p in principals)
    messages.success(request, _("We told %(names)s about this community by email.") % {"names": names})
    return redirect("communities:stage", slug)


# Shared problems


@login_required
def problems(request, slug):
    community, access = get_community_for(request, slug)
    items = (
        community.problems.with_support_count()
        .select_related("raised_by")
        .annotate(comment_count=Count("comments", distinct=True))
        .order_by("-is_focus", "status", "-created_at")  # GROUP BY drops Meta.ordering
    )
    if request.user.is_authenticated:
        items = items.annotate(
            i_share=Exists(Problem.supporters.through.objects.filter(problem=OuterRef("pk"), user=request.user))
        )
    return community_page(request, community, access, "communities/problems.html", problems=items, tab="problems")


@login_required
def problem_new(request, slug):
    community, access = get_community_for(request, slug, "can_contribute")
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_raise(community=community, by=request.user, **form.cleaned_data)
        except Refused as exc:
            return refused(request, exc, "communities:problems", slug)
        messages.success(request, _("The problem has been recorded. Others can now say they share it."))
        return redirect(problem)
    return community_page(request, community, access, "communities/problem_form.html", form=form, tab="problems")


@login_required
def problem_detail(request, slug, uid):
    community, access = get_community_for(request, slug)
    # The problem is read only when the page is rendered. A kept copy needs none of it: the
    # copy's key holds the address and the community's data version, which every change to
    # the problem raises (communities/freshness.py); an address without one answers 404,
    # which is never kept.

    def rows(problem):
        return (
            list(problem.supporters.defer("password")),
            list(
                ProblemComment.objects.filter(problem_id=problem.pk).select_related("author").defer("author__password")
            ),
        )

    def page():
        problem = _problem_in(community, uid)
        # The same for every viewer of the problem; kept while the community's data is unchanged.
        supporters, comments = cached(community, "problem", lambda: rows(problem), problem.pk)
        return community_page(
            request,
            community,
            access,
            "communities/problem_detail.html",
            problem=problem,
            comments=comments,
            supporters=supporters,
            i_share=request.user in supporters,
            comment_form=CommentForm() if access.can_contribute and not community.archived else None,
            statuses=Problem.Status.choices,
            can_edit=access.may_edit(problem.raised_by_id),
            tab="problems",
        )

    return kept_community_page(request, "problem", community, access, page)


@login_required
def problem_edit(request, slug, uid):
    community, access, problem = _get_problem(request, slug, uid)
    if not access.may_edit(problem.raised_by_id):
        raise PermissionDenied
    if community.archived:
        return refused(request, Refused(_("This community is archived and can no longer be changed.")), problem)
    form = ProblemForm(request.POST or None, instance=problem)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The problem has been updated."))
        return redirect(problem)
    return community_page(
        request, community, access, "communities/problem_form.html", form=form, problem=problem, tab="problems"
    )


@login_required
@require_POST
def problem_support(request, slug, uid):
    community, access, problem = _get_problem(request, slug, uid, "can_contribute")
    share = {"1": True, "0": False}.get(request.POST.get("share"))
    if share is None:  # only a forged or broken form says neither
        return HttpResponseBadRequest()
    try:
        services.problem_set_support(problem=problem, user=request.user, share=share)
    except Refused as exc:
        return refused(request, exc, problem)
    if share:
        messages.success(request, _("Noted: you share this problem too."))
    else:
        messages.info(request, _("You no longer mark this problem as shared."))
    if request.POST.get("next") == "list":
        return redirect("communities:problems", slug)
    return redirect(problem)


@login_required
@require_POST
def problem_comment(request, slug, uid):
    community, access, problem = _get_problem(request, slug, uid, "can_contribute")
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write something before sending."))
        return redirect(problem)
    try:
        services.problem_comment(problem=problem, by=request.user, body=form.cleaned_data["body"])
    except Refused as exc:
        return refused(request, exc, problem)
    messages.success(request, _("Your comment has been added."))
    return redirect(problem)


@login_required
@require_POST
def problem_status(request, slug, uid):
    community, access, problem = _get_problem(request, slug, uid)
    if not access.may_edit(problem.raised_by_id):
        raise PermissionDenied
    try:
        services.problem_set_status(problem=problem, status=request.POST.get("status"))
    except Refused as exc:
        return refused(request, exc, problem)
    messages.success(request, _("Status: %(status)s.") % {"status": problem.get_status_display()})
    return redirect(problem)


@login_required
@require_POST
def problem_focus(request, slug, uid):
    community, access, problem = _get_problem(request, slug, uid, "can_manage")
    focus = request.POST.get("focus") != "0"
    try:
        services.problem_set_focus(problem=problem, focus=focus)
    except Refused as exc:
        return refused(request, exc, problem)
    if focus:
        messages.success(request, _("This problem is now the community's current focus."))
    else:
        messages.info(request, _("This problem is no longer the current focus."))
    return redirect(problem)
