"""Writes that touch several rows. Each is keyword-only and atomic, and refuses bad
requests with `Refused`, whose message is shown to the person as it is."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import notify
from communities.models import (
    Community,
    Invitation,
    Membership,
    Problem,
    ProblemComment,
    StageChange,
    VisibilityChange,
)
from communities.public_items import live_public_items, withdraw_public_items
from notices.mail import site_context, site_url
from notices.services import notices_recheck_group, notices_withdraw_group
from notices.tasks import email_send

User = get_user_model()


class Refused(Exception):
    """A request the rules do not allow; the message explains why, to the person."""


def _locked(community):
    """Re-reads the community with a row lock, so checks such as "keep one coordinator"
    cannot race a concurrent change."""
    return Community.objects.select_for_update().get(pk=community.pk)


def require_live(community):
    if community.archived:
        raise Refused(_("This community is archived and can no longer be changed."))


# Founding and profile


@transaction.atomic
def community_found(*, founder, name, concern, home_school=None):
    """Creates a community in the merintis stage with its founder as coordinator."""
    school = home_school or founder.school
    if school is None:
        raise Refused(_("Your account is not linked to a school, so you cannot found a community yet."))
    community = Community.objects.create(name=name, concern=concern, home_school=school)
    Membership.objects.create(
        user=founder,
        community=community,
        role=Membership.Role.COORDINATOR,
        status=Membership.Status.ACTIVE,
        joined_at=timezone.now(),
    )
    return community


KEEP_PUBLIC = "keep"
WITHDRAW_PUBLIC = "withdraw"


@transaction.atomic
def community_save(*, community, by, previous_visibility, public_items=""):
    """Saves the community's profile or settings (`community` carries the new values).

    A change of visibility is recorded. Narrowing it while items are public needs the
    coordinator's decision, `public_items`: KEEP_PUBLIC leaves them public (they name
    the community but link nowhere private), WITHDRAW_PUBLIC takes them all back now.
    Returns the VisibilityChange, or None when the visibility stayed."""
    require_live(community)
    community.save()
    if community.visibility == previous_visibility:
        return None
    items = live_public_items(community)
    decision = VisibilityChange.PublicItems.KEPT if items else VisibilityChange.PublicItems.NONE
    if items and Community.Visibility.narrows(previous_visibility, community.visibility):
        if public_items not in (KEEP_PUBLIC, WITHDRAW_PUBLIC):
            raise Refused(_("Some of what this community published is public: keep it public or withdraw it."))
        if public_items == WITHDRAW_PUBLIC:
            withdraw_public_items(community=community, by=by)
            decision = VisibilityChange.PublicItems.WITHDRAWN
    # Notices about the community that someone may no longer see leave their bell.
    notices_recheck_group(group=community)
    return VisibilityChange.objects.create(
        community=community,
        from_visibility=previous_visibility,
        to_visibility=community.visibility,
        changed_by=by,
        public_items=decision,
        items=[item.as_record() for item in items],
    )


@transaction.atomic
def community_set_archived(*, community, archived, by):
    community = _locked(community)
    community.archived = archived
    community.save(update_fields=["archived"])
    return community


# Membership


@transaction.atomic
def membership_invite(*, community, email, by, request=None):
    """Invites an address: an existing person gets an invitation to accept in the app;
    an unknown address gets a sign-up link. Returns "member" or "link"."""
    require_live(community)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise Refused(_("“%(email)s” is not a valid email address.") % {"email": email[:100]}) from None
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if community.invitations.pending().filter(email__iexact=email).exists():
            raise Refused(_("%(email)s has already been invited and the link is still valid.") % {"email": email})
        invitation = Invitation.objects.create(
            community=community, email=email, school=community.home_school, invited_by=by
        )
        _send_invitation(invitation, request)
        return "link"

    if user.school_id != community.home_school_id and not community.accepts_other_schools:
        raise Refused(
            _("%(name)s teaches at another school, and this community is within one school.") % {"name": user}
        )
    membership = community.memberships.filter(user=user).first()
    if membership and membership.status == Membership.Status.ACTIVE:
        raise Refused(_("%(name)s is already a member.") % {"name": user})
    if membership and membership.status == Membership.Status.INVITED:
        raise Refused(_("%(name)s has already been invited.") % {"name": user})
    if membership and membership.status == Membership.Status.REQUESTED:
        # They asked, we invite: that is agreement from both sides.
        _activate(membership)
        return "member"
    if membership is None:
        membership = Membership(user=user, community=community)
    membership.status = Membership.Status.INVITED
    membership.role = Membership.Role.MEMBER
    membership.invited_by = by
    membership.created_at = timezone.now()
    membership.save()
    notify.invitation_received(membership)
    return "member"


def _activate(membership):
    membership.status = Membership.Status.ACTIVE
    membership.joined_at = timezone.now()
    membership.left_at = None
    membership.save(update_fields=["status", "joined_at", "left_at"])


def _send_invitation(invitation, request):
    """The sign-up link goes out from the task worker (queued with the invitation, in
    the same transaction), so a mail server that is down does not break the page."""
    body = render_to_string(
        "communities/email/invitation.txt",
        {"invitation": invitation, "link": site_url(invitation.get_absolute_url()), **site_context()},
    )
    subject = _("Invitation to join %(community)s on Kompra") % {"community": invitation.community}
    email_send.enqueue(subject=subject, body=body, to=[invitation.email])


@transaction.atomic
def invitation_accept(*, invitation, full_name, password):
    """Creates the account of an invited address, verified, in the invitation's school,
    and makes it a member. The link works once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise Refused(_("This invitation link has expired or has already been used."))
    require_live(invitation.community)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Refused(_("An account with this email address already exists. Log in to accept the invitation."))
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=full_name, school=invitation.school
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    membership = Membership.objects.create(
        user=user,
        community=invitation.community,
        status=Membership.Status.ACTIVE,
        invited_by=invitation.invited_by,
        joined_at=timezone.now(),
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    notify.invitation_answered(membership, accepted=True)
    return user


@transaction.atomic
def invitation_respond(*, membership, accept):
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.INVITED:
        raise Refused(_("There is no open invitation to answer."))
    require_live(membership.community)
    if accept:
        _activate(membership)
    else:
        membership.status = Membership.Status.DECLINED
        membership.save(update_fields=["status"])
    notify.invitation_answered(membership, accepted=accept)
    return membership


@transaction.atomic
def membership_request(*, community, user):
    """A teacher asks to join; the coordinator decides."""
    require_live(community)
    membership = community.memberships.select_for_update().filter(user=user).first()
    if membership and membership.status == Membership.Status.ACTIVE:
        raise Refused(_("You are already a member of this community."))
    if membership and membership.status == Membership.Status.REQUESTED:
        raise Refused(_("You have already asked to join; the coordinator will answer."))
    if membership and membership.status == Membership.Status.INVITED:
        raise Refused(_("You have already been invited: accept the invitation instead."))
    if not community.access_for(user).can_request_join:
        raise Refused(_("This community only takes teachers of its own school."))
    if membership is None:
        membership = Membership(user=user, community=community)
    membership.status = Membership.Status.REQUESTED
    membership.role = Membership.Role.MEMBER
    membership.created_at = timezone.now()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise Refused(_("You have already asked to join; the coordinator will answer.")) from None
    notify.join_requested(membership)
    return membership


@transaction.atomic
def membership_decide(*, membership, approve, by):
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.REQUESTED:
        raise Refused(_("This request has already been answered."))
    require_live(membership.community)
    if approve:
        _activate(membership)
    else:
        membership.status = Membership.Status.DECLINED
        membership.save(update_fields=["status"])
    return membership


def _keep_a_coordinator(community, leaving):
    others = community.memberships.coordinators().exclude(pk=leaving.pk)
    if leaving.is_coordinator and not others.exists():
        raise Refused(_("A community needs at least one coordinator. Make another member coordinator first."))


@transaction.atomic
def membership_end(*, membership, by):
    """A member leaves, or a coordinator removes them. The last coordinator cannot go."""
    community = _locked(membership.community)
    require_live(community)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise Refused(_("This person is not an active member."))
    _keep_a_coordinator(community, membership)
    membership.status = Membership.Status.LEFT
    membership.role = Membership.Role.MEMBER
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "role", "left_at"])
    # Whatever the community told them and they have not read goes with them.
    notices_withdraw_group(user=membership.user, group=community)
    return membership


@transaction.atomic
def membership_set_role(*, membership, role, by):
    community = _locked(membership.community)
    require_live(community)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise Refused(_("Only active members can be given a role."))
    if role == Membership.Role.MEMBER:
        _keep_a_coordinator(community, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


# Stages


@transaction.atomic
def stage_change(*, community, to_stage, by, note, evidence=""):
    """Moves one stage forward, or one back (with the reason in the note)."""
    community = _locked(community)
    require_live(community)
    note = (note or "").strip()
    if not note:
        raise Refused(_("Write a note on why the community changes stage."))
    if to_stage not in (community.next_stage, community.previous_stage):
        raise Refused(_("A community moves one stage at a time."))
    change = StageChange(
        community=community,
        from_stage=community.stage,
        to_stage=to_stage,
        changed_by=by,
        note=note,
        evidence=evidence,
    )
    try:
        change.full_clean()
    except ValidationError as exc:
        raise Refused(" ".join(exc.messages)) from None
    change.save()
    community.stage = to_stage
    community.stage_since = change.created_at
    community.save(update_fields=["stage", "stage_since"])
    if change.is_advance:
        notify.endorsement_requested(change)
    return change


@transaction.atomic
def stage_endorse(*, change, by):
    change = StageChange.objects.select_for_update().select_related("community").get(pk=change.pk)
    require_live(change.community)
    if change.endorsed_at is not None:
        raise Refused(_("This stage change has already been endorsed."))
    change.endorsed_by = by
    change.endorsed_at = timezone.now()
    change.save(update_fields=["endorsed_by", "endorsed_at"])
    notify.stage_endorsed(change)
    return change


@transaction.atomic
def principal_inform(*, community, by, request=None):
    """Tells the home school's principals about the community (in Kompra and by email,
    as each prefers) and records when."""
    require_live(community)
    principals = list(notify.principals_of(community))
    if not principals:
        raise Refused(_("No principal of your school has an account on Kompra yet."))
    notify.principal_informed(community, by, principals)
    community.principal_informed_at = timezone.now()
    community.save(update_fields=["principal_informed_at"])
    return principals


# Shared problems


@transaction.atomic
def problem_raise(*, community, by, title, description=""):
    require_live(community)
    problem = Problem.objects.create(community=community, raised_by=by, title=title, description=description)
    notify.problem_new(problem)
    return problem


def problem_set_support(*, problem, user, share):
    """ "Me too" (share=True) or its undo: the request says which, so a double click
    or two tabs end as asked. Both writes are idempotent and race-free: the row is
    added with ON CONFLICT DO NOTHING against the unique (problem, user) pair of the
    through table, and removing an absent row removes nothing."""
    require_live(problem.community)
    if share:
        problem.supporters.add(user)
        # Keyed by supporter: sharing, undoing and sharing again tells the author once.
        notify.problem_response(problem, user, commented=False, key=f"problem_support:{problem.uid}:{user.pk}")
    else:
        problem.supporters.remove(user)


@transaction.atomic
def problem_comment(*, problem, by, body):
    require_live(problem.community)
    comment = ProblemComment.objects.create(problem=problem, author=by, body=body)
    notify.problem_response(problem, by, commented=True)
    return comment


def problem_set_status(*, problem, status):
    """Resolving a problem also ends its time as the community's focus (for good:
    reopening it does not bring the focus back)."""
    require_live(problem.community)
    if status not in Problem.Status.values:
        raise Refused(_("Unknown status."))
    problem.status = status
    if status == Problem.Status.RESOLVED:
        problem.is_focus = False
    problem.save(update_fields=["status", "is_focus"])
    return problem


@transaction.atomic
def problem_set_focus(*, problem, focus):
    """Marks the community's current focus; only one problem holds it at a time."""
    community = _locked(problem.community)
    require_live(community)
    if focus and problem.status == Problem.Status.RESOLVED:
        raise Refused(_("A resolved problem cannot be the current focus. Set it back to open or being acted on first."))
    community.problems.filter(is_focus=True).exclude(pk=problem.pk).update(is_focus=False)
    problem.is_focus = focus
    problem.save(update_fields=["is_focus"])
    return problem
