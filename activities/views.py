import contextlib
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import calendar, notify, services
from activities.forms import (
    ActionPlanForm,
    ActionPlanStatusForm,
    ActivityForm,
    DocumentForm,
    MinutesForm,
    ProductForm,
    ReflectionForm,
)
from activities.models import REFLECTION_TEMPLATES, ActionPlan, Activity, Attendance, Document, Product, Reflection
from communities.access import get_community_for, require
from communities.freshness import cached, kept_community_page
from communities.models import Membership
from communities.services import Refused
from kompra.accounts.models import User
from kompra.ops.storage import serve_stored
from kompra.shortcuts import community_page, refused

GALLERY_PAGE_SIZE = 24
PAST_PAGE_SIZE = 20


# Fetch and authorise


def _get_activity(request, slug, uid, need=None):
    community, access = get_community_for(request, slug, need)
    return community, access, _activity_in(community, uid)


def _activity_in(community, uid):
    """The community's activity with its problem and proposer, in one query; 404 if none."""
    activity = get_object_or_404(
        Activity.objects.select_related("problem", "proposed_by"), community_id=community.pk, uid=uid
    )
    # Its community and its problem's, without reading the community again.
    activity.community = community
    if activity.problem is not None:
        activity.problem.community = community
    return activity


def _get_plan(request, slug, uid, need=None):
    community, access = get_community_for(request, slug, need)
    plan = get_object_or_404(community.action_plans.select_related("problem", "owner"), uid=uid)
    return community, access, plan


# Activities


@login_required
def activity_list(request, slug):
    community, access = get_community_for(request, slug)
    activities = community.activities.with_counts(access).select_related("problem")
    upcoming = list(activities.upcoming())
    past = Paginator(activities.past(), PAST_PAGE_SIZE).get_page(request.GET.get("halaman"))
    return community_page(
        request,
        community,
        access,
        "activities/activity_list.html",
        upcoming=upcoming,
        past=past,
        calendar_url=calendar.subscribe_url(request, request.user, community) if access.is_member else None,
        tab="activities",
    )


@login_required
def activity_new(request, slug):
    community, access = get_community_for(request, slug, "can_contribute")
    initial = {}
    if problem_uid := request.GET.get("masalah"):
        with contextlib.suppress(ValueError):  # a mangled link just leaves the problem to choose
            initial["problem"] = community.problems.filter(uid=uuid.UUID(problem_uid)).first()
    form = ActivityForm(request.POST or None, community=community, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = form.save(commit=False)
        activity.community = community
        activity.proposed_by = request.user
        try:
            services.activity_save(activity=activity, by=request.user)
        except Refused as exc:
            return refused(request, exc, "activities:list", slug)
        messages.success(request, _("The activity has been planned."))
        return redirect(activity)
    return community_page(request, community, access, "activities/activity_form.html", form=form, tab="activities")


@login_required
def activity_edit(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid)
    if not access.may_edit(activity.proposed_by_id):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, instance=activity, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(activity=form.save(commit=False), by=request.user)
        except Refused as exc:
            return refused(request, exc, activity)
        messages.success(request, _("The activity has been updated."))
        return redirect(activity)
    return community_page(
        request, community, access, "activities/activity_form.html", form=form, activity=activity, tab="activities"
    )


@login_required
def activity_detail(request, slug, uid):
    community, access = get_community_for(request, slug)
    # The activity is read only when the page is rendered. A kept copy needs none of it:
    # the copy's key holds the address and the community's data version, which every
    # change to the activity raises (communities/freshness.py), and an address without an
    # activity answers 404, which is never kept.

    def rows(activity):
        return (
            list(
                Attendance.objects.filter(activity_id=activity.pk)
                .select_related("user")
                .defer("user__password")
                .order_by("user__full_name")
            ),
            list(
                Document.objects.visible_to(access)
                .filter(activity_id=activity.pk)
                .select_related("uploaded_by", "community")
                .defer("uploaded_by__password")
            ),
            list(
                Reflection.objects.visible_to(access)
                .filter(activity_id=activity.pk)
                .select_related("author", "community")
                .defer("author__password")
            ),
            list(
                Product.objects.filter(activity_id=activity.pk)
                .select_related("community")
                .prefetch_related(Prefetch("authors", queryset=User.objects.defer("password")))
            ),
        )

    def page():
        activity = _activity_in(community, uid)
        # Kept while the community's data is unchanged, apart for those who see its private
        # content (Access.sees_private) and those who do not; people without their password
        # hash, and rows read from their own managers, so they do not carry the activity.
        attendances, documents, reflections, products = cached(
            community, "activity", lambda: rows(activity), activity.pk, access.sees_private
        )
        mine = next((a for a in attendances if a.user_id == request.user.pk), None)
        wrote = any(r.author_id == request.user.pk for r in reflections)
        present = [a for a in attendances if a.status == Attendance.Status.PRESENT]
        can_reflect = (
            access.can_contribute
            and activity.status == Activity.Status.HELD
            and not wrote
            and (access.can_manage or (mine is not None and mine.status == Attendance.Status.PRESENT))
        )
        return community_page(
            request,
            community,
            access,
            "activities/activity_detail.html",
            activity=activity,
            attendances=attendances,
            present=present,
            mine=mine,
            photos=[d for d in documents if d.is_photo],
            files=[d for d in documents if not d.is_photo],
            reflections=reflections,
            products=products,
            can_edit=access.may_edit(activity.proposed_by_id),
            can_reflect=can_reflect,
            can_check_in=access.can_contribute and activity.check_in_open and not (mine and mine.status == "present"),
            document_form=DocumentForm() if access.can_contribute and not community.archived else None,
            statuses=Activity.Status.choices,
            share_text=notify.share_text(activity),
            tab="activities",
        )

    return kept_community_page(request, "activity", community, access, page)


@login_required
@require_POST
def activity_status(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid)
    if not access.may_edit(activity.proposed_by_id):
        raise PermissionDenied
    status = request.POST.get("status")
    if status == Activity.Status.HELD and activity.starts_at > timezone.now() and access.can_manage:
        # Not a dead end: a meeting held earlier than planned is recorded with its real date.
        messages.info(
            request,
            _(
                "This activity is planned for a time still to come. "
                "If it took place earlier, give its real date and times."
            ),
        )
        return redirect("activities:record_held", slug, uid)
    try:
        services.activity_set_status(activity=activity, status=status, by=request.user)
    except Refused as exc:
        return refused(request, exc, activity)
    messages.success(request, _("Status: %(status)s.") % {"status": activity.get_status_display()})
    return redirect(activity)


@login_required
def activity_minutes(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid)
    if not access.may_edit(activity.proposed_by_id):
        raise PermissionDenied
    form = MinutesForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(activity=form.save(commit=False))
        except Refused as exc:
            return refused(request, exc, activity)
        messages.success(request, _("The minutes have been saved."))
        return redirect(activity)
    return community_page(
        request, community, access, "activities/minutes_form.html", form=form, activity=activity, tab="activities"
    )


# Attendance


@login_required
@require_POST
def check_in(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid, "can_contribute")
    try:
        services.attendance_check_in(activity=activity, user=request.user)
    except Refused as exc:
        return refused(request, exc, activity)
    messages.success(request, _("You are checked in. Welcome!"))
    return redirect(activity)


@login_required
def attendance(request, slug, uid):
    """The coordinator's attendance list: one row per active member."""
    community, access, activity = _get_activity(request, slug, uid, "can_manage")
    members = list(
        community.memberships.filter(status=Membership.Status.ACTIVE).select_related("user").order_by("user__full_name")
    )
    recorded = {a.user_id: a for a in activity.attendances.all()}
    if request.method == "POST":
        if request.POST.get("semua") == "hadir":  # the "everyone present" button, without JavaScript
            statuses = dict.fromkeys((m.user_id for m in members), Attendance.Status.PRESENT)
        else:
            statuses = {m.user_id: request.POST.get(f"hadir-{m.user_id}", "") for m in members}
        try:
            services.attendance_record(activity=activity, statuses=statuses)
        except Refused as exc:
            return refused(request, exc, "activities:attendance", slug, uid)
        messages.success(request, _("The attendance list has been saved."))
        return redirect(activity)
    rows = [(m.user, recorded.get(m.user_id)) for m in members]
    return community_page(
        request,
        community,
        access,
        "activities/attendance.html",
        activity=activity,
        rows=rows,
        statuses=Attendance.Status.choices,
        tab="activities",
    )


@login_required
def attendance_print(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid)
    members = community.memberships.filter(status=Membership.Status.ACTIVE).select_related("user__school")
    recorded = {a.user_id: a for a in activity.attendances.all()}
    # The NIP column, which schools file, shows only the numbers this reader may see
    # (their own; their teachers' for a principal; all for site admins).
    rows = [
        (m.user, recorded.get(m.user_id), m.user.nip if m.user.identifiers_visible_to(request.user) else "")
        for m in members.order_by("user__full_name")
    ]
    return community_page(request, community, access, "activities/attendance_print.html", activity=activity, rows=rows)


# Documentation


@login_required
@require_POST
def upload(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid, "can_contribute")
    return _upload_to(request, community, activity, activity=activity)


def _upload_to(request, community, target, **where):
    """The plain form posts and is redirected back. The enhanced form (static/js/upload.js)
    asks for JSON, so a refusal stays on the page with the chosen files ready to retry."""
    wants_json = request.headers.get("Accept") == "application/json"
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _upload_refused(request, " ".join(errors) or _("Choose at least one photo or file."), target, wants_json)
    data = form.cleaned_data
    try:
        documents = services.document_add_many(
            community=community,
            by=request.user,
            files=data["files"],
            caption=data["caption"],
            shows_students=data["shows_students"],
            consent_confirmed=data["consent_confirmed"],
            **where,
        )
    except Refused as exc:
        return _upload_refused(request, str(exc), target, wants_json)
    if documents:
        messages.success(request, _("%(n)d file(s) uploaded.") % {"n": len(documents)})
    if already := len(data["files"]) - len(documents):
        messages.info(request, _("%(n)d file(s) had already been uploaded; no second copy was kept.") % {"n": already})
    if documents and data["shows_students"] and not data["consent_confirmed"]:
        messages.info(request, _("Photos of students without confirmed consent stay inside the community."))
    if wants_json:
        return JsonResponse({"redirect": target.get_absolute_url(), "added": len(documents), "already": already})
    return redirect(target)


def _upload_refused(request, message, target, wants_json):
    if wants_json:
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    return redirect(target)


def _get_document(request, slug, uid):
    """A document the viewer may see; a photo of students without consent is 404 to
    anyone outside the community's members, as if it did not exist."""
    community, access = get_community_for(request, slug)
    document = get_object_or_404(Document.objects.visible_to(access).select_related("community"), uid=uid)
    return community, access, document


def _serve(request, field_file, *, content_type, filename, inline, shows_students=False):
    response = serve_stored(request, field_file, content_type=content_type, filename=filename, as_attachment=not inline)
    response["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 200:
        # A photo of students may lose its consent at any moment: no copy is kept anywhere.
        response["Cache-Control"] = "private, no-store" if shows_students else "private, max-age=3600"
        # Whatever a file holds, it is never run as a page of ours.
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
def document(request, slug, uid):
    community, access, document = _get_document(request, slug, uid)
    if not document.file:
        raise Http404
    return _serve(
        request,
        document.file,
        content_type=document.content_type,
        filename=document.original_name,
        inline=document.is_photo,
        shows_students=document.shows_students,
    )


@login_required
def thumbnail(request, slug, uid):
    community, access, document = _get_document(request, slug, uid)
    if not document.thumbnail:
        raise Http404
    return _serve(
        request,
        document.thumbnail,
        content_type="image/jpeg",
        filename="thumb.jpg",
        inline=True,
        shows_students=document.shows_students,
    )


@login_required
@require_POST
def document_delete(request, slug, uid):
    community, access, document = _get_document(request, slug, uid)
    if not access.may_edit(document.uploaded_by_id):
        raise PermissionDenied
    back = document.activity or document.product
    try:
        services.document_delete(document=document)
    except Refused as exc:
        return refused(request, exc, back)
    messages.info(request, _("The file has been deleted."))
    return redirect(back)


@login_required
def gallery(request, slug):
    community, access = get_community_for(request, slug)
    photos = (
        Document.objects.visible_to(access)
        .photos()
        .select_related("community", "activity__community", "product__community")
    )
    page = Paginator(photos, GALLERY_PAGE_SIZE).get_page(request.GET.get("halaman"))
    return community_page(request, community, access, "activities/gallery.html", page=page, tab="gallery")


# Action plans


@login_required
def action_new(request, slug, problem_uid):
    community, access = get_community_for(request, slug, "can_contribute")
    problem = get_object_or_404(community.problems, uid=problem_uid)
    form = ActionPlanForm(request.POST or None, community=community, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.community = community
        plan.problem = problem
        plan.created_by = request.user
        try:
            services.action_plan_save(plan=plan, by=request.user)
        except Refused as exc:
            return refused(request, exc, problem)
        messages.success(request, _("The action plan has been recorded."))
        return redirect(problem)
    return community_page(
        request, community, access, "activities/action_form.html", form=form, problem=problem, tab="problems"
    )


@login_required
def action_detail(request, slug, uid):
    community, access, plan = _get_plan(request, slug, uid)
    can_update = access.may_edit(plan.owner_id) and not community.archived
    was_open = plan.is_open  # read before the form writes the posted status onto `plan`
    form = ActionPlanStatusForm(request.POST or None, instance=plan) if can_update else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.action_plan_set_status(
                    plan=plan, status=form.cleaned_data["status"], outcome=form.cleaned_data["outcome"]
                )
            except Refused as exc:
                return refused(request, exc, plan)
            if was_open and plan.status == ActionPlan.Status.DONE:
                messages.success(request, _("Well done! How did it go? Take a moment to reflect."))
                return redirect("activities:reflect_action", slug, plan.uid)
            messages.success(request, _("The action plan has been updated."))
            return redirect(plan)
    reflections = plan.reflections.visible_to(access).select_related("author")
    return community_page(
        request,
        community,
        access,
        "activities/action_detail.html",
        plan=plan,
        form=form,
        reflections=reflections,
        tab="problems",
    )


# Reflections


def _reflection_form(request, template, instance=None):
    if template not in REFLECTION_TEMPLATES:
        template = Reflection.Template.FOUR_P
    return ReflectionForm(request.POST or None, template=template, instance=instance), template


def _write_reflection(request, community, access, *, subject_field, subject, back):
    form, template = _reflection_form(request, request.GET.get("model") or request.POST.get("model", "4p"))
    if request.method == "POST" and form.is_valid():
        reflection = Reflection(
            community=community,
            author=request.user,
            template=template,
            value=form.cleaned_data["value"],
            in_reports=form.cleaned_data["in_reports"],
            **{subject_field: subject},
        )
        try:
            services.reflection_save(reflection=reflection, answers=form.answers)
        except Refused as exc:
            return refused(request, exc, back)
        messages.success(request, _("Thank you for your reflection."))
        return redirect(back)
    return community_page(
        request,
        community,
        access,
        "activities/reflection_form.html",
        form=form,
        template_key=template,
        templates=Reflection.Template.choices,
        subject=subject,
        back=back,
        tab="reflections",
    )


@login_required
def reflect_activity(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid, "can_contribute")
    if request.method == "GET":
        try:
            services.require_can_reflect(activity=activity, user=request.user)
        except Refused as exc:
            return refused(request, exc, activity)
    return _write_reflection(request, community, access, subject_field="activity", subject=activity, back=activity)


@login_required
def reflect_action(request, slug, uid):
    community, access, plan = _get_plan(request, slug, uid, "can_contribute")
    return _write_reflection(request, community, access, subject_field="action_plan", subject=plan, back=plan)


@login_required
def reflect_stage(request, slug, uid):
    community, access = get_community_for(request, slug, "can_contribute")
    change = get_object_or_404(community.stage_changes, uid=uid)
    return _write_reflection(
        request,
        community,
        access,
        subject_field="stage_change",
        subject=change,
        back=reverse("activities:reflections", args=[community.slug]),
    )


@login_required
@require_POST
def reflection_dismiss(request, slug, uid):
    community, access, activity = _get_activity(request, slug, uid, "can_contribute")
    services.reflection_dismiss(activity=activity, user=request.user)
    messages.info(request, _("Fine, no reflection this time."))
    return redirect("dashboard")


@login_required
def reflections(request, slug):
    community, access = get_community_for(request, slug)
    items = Reflection.objects.visible_to(access).select_related(
        "author", "community", "activity__community", "action_plan__community", "stage_change"
    )
    page = Paginator(items, PAST_PAGE_SIZE).get_page(request.GET.get("halaman"))
    changes = community.stage_changes.all()[:5] if access.can_contribute else []
    return community_page(
        request, community, access, "activities/reflections.html", page=page, changes=changes, tab="reflections"
    )


@login_required
def reflection_detail(request, slug, uid):
    community, access = get_community_for(request, slug)
    reflection = get_object_or_404(
        Reflection.objects.visible_to(access).select_related("author", "activity", "action_plan", "stage_change"),
        uid=uid,
    )
    return community_page(
        request, community, access, "activities/reflection_detail.html", reflection=reflection, tab="reflections"
    )


@login_required
def reflection_edit(request, slug, uid):
    community, access = get_community_for(request, slug)
    reflection = get_object_or_404(Reflection.objects.visible_to(access), uid=uid)
    if reflection.author_id != request.user.pk:
        raise PermissionDenied
    require(access, "can_contribute")
    form = ReflectionForm(request.POST or None, template=reflection.template, instance=reflection)
    if request.method == "POST" and form.is_valid():
        reflection.value = form.cleaned_data["value"]
        reflection.in_reports = form.cleaned_data["in_reports"]
        try:
            services.reflection_save(reflection=reflection, answers=form.answers)
        except Refused as exc:
            return refused(request, exc, reflection)
        messages.success(request, _("Your reflection has been updated."))
        return redirect(reflection)
    return community_page(
        request,
        community,
        access,
        "activities/reflection_form.html",
        form=form,
        template_key=reflection.template,
        subject=reflection.subject,
        back=reflection,
        editing=True,
        tab="reflections",
    )


# Products


@login_required
def products(request, slug):
    community, access = get_community_for(request, slug)
    items = community.products.prefetch_related("authors").select_related("problem")
    return community_page(request, community, access, "activities/products.html", products=items, tab="products")


@login_required
def product_new(request, slug):
    """A product with its files in one form; `?kegiatan=<uid>` links it to that activity."""
    community, access = get_community_for(request, slug, "can_contribute")
    initial = {"authors": [request.user]}
    with contextlib.suppress(ValueError):
        if from_activity := community.activities.filter(uid=uuid.UUID(request.GET.get("kegiatan", ""))).first():
            initial["activity"] = from_activity
    form = ProductForm(request.POST or None, request.FILES or None, community=community, initial=initial)
    if request.method == "POST" and form.is_valid():
        product = form.save(commit=False)
        product.community = community
        product.created_by = request.user
        data = form.cleaned_data
        try:
            services.product_save(
                product=product,
                authors=list(data["authors"]),
                files=data["files"],
                by=request.user,
                caption=data["caption"],
                shows_students=data["shows_students"],
                consent_confirmed=data["consent_confirmed"],
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The product has been added."))
            return redirect(product)
    return community_page(request, community, access, "activities/product_form.html", form=form, tab="products")


@login_required
def product_detail(request, slug, uid):
    community, access = get_community_for(request, slug)
    product = get_object_or_404(
        Product.objects.filter(community=community).select_related("problem", "activity"), uid=uid
    )
    authors = list(product.authors.all())
    documents = list(product.documents.visible_to(access).select_related("uploaded_by"))
    return community_page(
        request,
        community,
        access,
        "activities/product_detail.html",
        product=product,
        authors=authors,
        photos=[d for d in documents if d.is_photo],
        files=[d for d in documents if not d.is_photo],
        document_form=DocumentForm() if access.can_contribute and not community.archived else None,
        tab="products",
    )


@login_required
@require_POST
def product_upload(request, slug, uid):
    community, access = get_community_for(request, slug, "can_contribute")
    product = get_object_or_404(community.products, uid=uid)
    return _upload_to(request, community, product, product=product)


@login_required
def member_profile(request, slug, uid):
    """A member's page within the community: role, and for the community's members their
    products and reflections. Everyone else (the principal too) sees who they are, not a
    file of one teacher's work."""
    community, access = get_community_for(request, slug)
    membership = get_object_or_404(
        community.memberships.select_related("user__school"), uid=uid, status=Membership.Status.ACTIVE
    )
    person = membership.user
    return community_page(
        request,
        community,
        access,
        "activities/member_profile.html",
        membership=membership,
        person=person,
        products=community.products.filter(authors=person).select_related("community") if access.sees_private else None,
        reflections=(
            Reflection.objects.visible_to(access).filter(author=person).select_related("community")
            if access.sees_private
            else None
        ),
        tab="members",
        today=timezone.localdate(),
    )
