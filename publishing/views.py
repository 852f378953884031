import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_cookie

from communities.access import get_community_for
from communities.models import Community
from communities.services import Refused
from kompra.accounts.models import School
from kompra.accounts.views import remember_language
from kompra.ops.storage import serve_stored
from kompra.shortcuts import community_page
from publishing import services
from publishing.forms import PublicationForm
from publishing.models import Publication


def _public(view):
    """Public pages hold nothing personal, so shared caches may keep them for a while;
    the language comes from a cookie, hence Vary: Cookie."""
    return cache_control(public=True, max_age=300)(vary_on_cookie(view))


# Inside the community


def _source(request, community):
    """The item to publish, named by ?kegiatan=, ?karya= or ?refleksi= (or the POST)."""
    data = request.POST if request.method == "POST" else request.GET
    for param, related in (("kegiatan", "activities"), ("karya", "products"), ("refleksi", "reflections")):
        if raw := data.get(param):
            try:
                uid = uuid.UUID(raw)
            except ValueError:
                raise Http404 from None
            return param, get_object_or_404(getattr(community, related), uid=uid)
    raise Http404


@login_required
def new(request, slug):
    community, access = get_community_for(request, slug, "can_manage")
    param, source = _source(request, community)
    initial = {"title": getattr(source, "title", "") or str(source)}
    form = PublicationForm(request.POST or None, initial=initial)
    photos = services.photos_of(source)
    if request.method == "POST" and form.is_valid():
        try:
            publication, left_out = services.publication_create(
                community=community,
                by=request.user,
                source=source,
                photo_uids=request.POST.getlist("foto"),
                consent_now=request.POST.getlist("izin"),
                **form.cleaned_data,
            )
        except Refused as exc:
            messages.error(request, str(exc))
            return redirect(source)
        if left_out:
            messages.warning(
                request,
                _("%(n)d photo(s) of students were left out because the parents' consent is not confirmed.")
                % {"n": left_out},
            )
        if publication.status == Publication.Status.AWAITING_AUTHOR:
            messages.info(request, _("We asked the author of the reflection to agree; it goes public once they do."))
        else:
            messages.success(request, _("Published. Share the link with parents and colleagues."))
        return redirect("publishing:list", slug)
    return community_page(
        request,
        community,
        access,
        "publishing/new.html",
        form=form,
        source=source,
        param=param,
        photos=photos,
        tab="publications",
    )


@login_required
def publications(request, slug):
    community, access = get_community_for(request, slug)
    items = community.publications.select_related("activity", "product", "reflection__author", "published_by")
    if not (access.can_manage or access.is_home_principal or request.user.is_staff):
        items = items.published()
    return community_page(request, community, access, "publishing/list.html", publications=items, tab="publications")


@login_required
@require_POST
def withdraw(request, slug, uid):
    community, access = get_community_for(request, slug, "can_manage")
    publication = get_object_or_404(community.publications, uid=uid)
    try:
        services.publication_withdraw(publication=publication, by=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("The publication has been withdrawn; it is no longer public."))
    return redirect("publishing:list", slug)


@login_required
@require_POST
def author_answer(request, slug, uid):
    # The author answers even after leaving a members-only community; everyone else goes
    # through the usual fetch-and-authorise.
    publication = (
        Publication.objects.filter(uid=uid, community__slug=slug, reflection__author=request.user)
        .select_related("reflection")
        .first()
    )
    if publication is None:
        community, access = get_community_for(request, slug)
        publication = get_object_or_404(community.publications.select_related("reflection"), uid=uid)
    agree = request.POST.get("setuju") == "1"
    try:
        services.publication_author_answer(publication=publication, by=request.user, agree=agree)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("dashboard")
    if agree:
        messages.success(request, _("Thank you: your reflection is now published."))
    else:
        messages.info(request, _("Your reflection will not be published."))
    return redirect("dashboard")


# The public showcase


PUBLIC_PAGE_SIZE = 24


def _published_in(queryset):
    return queryset.published().select_related("community__home_school", "activity", "product", "reflection")


SHOWCASE_PAGE_SIZE = 20
SHOWCASE_MAX_PAGES = 50


@_public
def showcase(request):
    """The newest publications, 20 a page (one query, served by publication_published_idx:
    no count of everything ever published), and the schools they come from."""
    try:
        number = min(max(int(request.GET.get("halaman", 1)), 1), SHOWCASE_MAX_PAGES)
    except ValueError:
        number = 1
    start = (number - 1) * SHOWCASE_PAGE_SIZE
    # The list shows each item's community and school only; the item's source is its own page's.
    rows = list(
        Publication.objects.published().select_related("community__home_school")[start : start + SHOWCASE_PAGE_SIZE + 1]
    )
    publications = rows[:SHOWCASE_PAGE_SIZE]
    schools = list({p.community.home_school_id: p.community.home_school for p in publications}.values())
    return render(
        request,
        "publishing/showcase.html",
        {
            "publications": publications,
            "schools": schools,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if len(rows) > SHOWCASE_PAGE_SIZE and number < SHOWCASE_MAX_PAGES else None,
        },
    )


@_public
def school_page(request, npsn):
    school = get_object_or_404(School, npsn=npsn)
    communities = Community.objects.filter(
        home_school=school, visibility=Community.Visibility.PUBLIC, archived=False
    ).with_member_count()
    items = _published_in(Publication.objects.filter(community__home_school=school))
    page = Paginator(items, PUBLIC_PAGE_SIZE).get_page(request.GET.get("halaman"))
    if not page.object_list and not communities:
        raise Http404
    return render(
        request, "publishing/school.html", {"school": school, "communities": communities, "publications": page}
    )


@_public
def public_community(request, slug):
    community = get_object_or_404(
        Community.objects.select_related("home_school").with_member_count(),
        slug=slug,
        visibility=Community.Visibility.PUBLIC,
    )
    items = _published_in(community.publications.all())
    page = Paginator(items, PUBLIC_PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(request, "publishing/community.html", {"community": community, "publications": page})


@_public
def publication_page(request, uid):
    publication = get_object_or_404(_published_in(Publication.objects.all()), uid=uid)
    photos = list(publication.photos.publishable())
    return render(
        request,
        "publishing/publication.html",
        {
            "publication": publication,
            "community": publication.community,
            "photos": photos,
            "community_is_public": publication.community.visibility == Community.Visibility.PUBLIC,
        },
    )


# Checks photo_uid -> bool registered by later apps (privacy_rights: consent withdrawn):
# a photo taken out of publications for good answers 410 Gone rather than 404.
PHOTO_GONE = []


class PhotoGone(Exception):
    pass


def _public_photo(uid, photo_uid):
    publication = get_object_or_404(Publication.objects.published(), uid=uid)
    photo = publication.photos.publishable().filter(uid=photo_uid).first()
    if photo is None:
        if any(gone(photo_uid) for gone in PHOTO_GONE):
            raise PhotoGone
        raise Http404
    return photo


def _gone_page(request):
    response = render(request, "publishing/photo_gone.html", status=410)
    response["Cache-Control"] = "no-store"
    return response


def _serve_public(request, field_file, content_type, *, shows_students=False):
    response = serve_stored(request, field_file, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 200:
        # Short, like the pages: a withdrawn photo must leave shared caches soon. A photo
        # of students, whose parents may withdraw consent at any time, is kept by none.
        response["Cache-Control"] = "private, no-store" if shows_students else "public, max-age=300"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def public_photo(request, uid, photo_uid):
    try:
        photo = _public_photo(uid, photo_uid)
    except PhotoGone:
        return _gone_page(request)
    return _serve_public(request, photo.file, photo.content_type, shows_students=photo.shows_students)


def public_thumbnail(request, uid, photo_uid):
    try:
        photo = _public_photo(uid, photo_uid)
    except PhotoGone:
        return _gone_page(request)
    if not photo.thumbnail:
        raise Http404
    return _serve_public(request, photo.thumbnail, "image/jpeg", shows_students=photo.shows_students)


def language_link(request, code):
    """Language links for the cacheable public pages, which carry no forms. Only the
    language cookie changes; the saved preference of an account changes on the profile
    page or through the switcher of the signed-in pages."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if check_for_language(code):
        remember_language(response, code)
    return response
