"""Exports of a community: the activities CSV, and the whole-community archive (a zip
of data.json, CSV files, every document under a readable name, an index.html and the
portfolio PDF for people, and a manifest of checksums) with
`read_export`, which parses an archive and verifies it."""

import csv
import hashlib
import io
import json
import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, FileField, ForeignKey, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActionPlan, Activity, Attendance, Document, Product, Reflection
from communities.models import Invitation, Membership, Problem, ProblemComment, StageChange
from kompra.accounts.models import User
from publishing.models import Publication
from reports import readable
from schools.models import Feedback

logger = logging.getLogger(__name__)

FORMAT = "kompra-community-export"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
CHUNK = 1024 * 1024
# Archives up to this size stay in memory; bigger ones spill to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportInvalid(ValueError):
    """An archive that is damaged, incomplete or not ours."""


# CSV


def safe_cell(value):
    """A cell a spreadsheet shows as text: formulas are defused with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(header, rows):
    """CSV text with a byte order mark, so Excel reads the UTF-8 correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def activities_for_export(community):
    """Every activity, oldest first, with attendance counts and who was present: two queries."""
    present = Attendance.Status.PRESENT
    return (
        community.activities.select_related("problem")
        .annotate(
            n_present=Count("attendances", filter=Q(attendances__status=present)),
            n_excused=Count("attendances", filter=Q(attendances__status=Attendance.Status.EXCUSED)),
            n_absent=Count("attendances", filter=Q(attendances__status=Attendance.Status.ABSENT)),
        )
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.filter(status=present).select_related("user").order_by("user__full_name"),
                to_attr="present_list",
            )
        )
        .order_by("starts_at", "pk")
    )


def activities_csv(community):
    header = [
        _("Date"),
        _("Title"),
        _("Kind"),
        _("Status"),
        _("Place"),
        _("Shared problem"),
        _("Present"),
        _("Excused"),
        _("Absent"),
        _("Names present"),
    ]
    rows = (
        [
            _local(activity.starts_at),
            activity.title,
            activity.get_kind_display(),
            activity.get_status_display(),
            activity.place or activity.online_url,
            activity.problem.title if activity.problem else "",
            activity.n_present,
            activity.n_excused,
            activity.n_absent,
            "; ".join(a.user.full_name for a in activity.present_list),
        ]
        for activity in activities_for_export(community)
    )
    return _csv(header, rows)


def _attendance_csv(community):
    header = [_("Date"), _("Activity"), _("Name"), _("Email address"), _("Attendance"), _("Checked in")]
    records = (
        Attendance.objects.filter(activity__community=community)
        .select_related("activity", "user")
        .order_by("activity__starts_at", "activity_id", "user__full_name")
    )
    rows = (
        [
            _local(a.activity.starts_at),
            a.activity.title,
            a.user.full_name,
            a.user.email,
            a.get_status_display(),
            _local(a.checked_in_at),
        ]
        for a in records
    )
    return _csv(header, rows)


def _members_csv(memberships):
    header = [_("Name"), _("Email address"), _("School"), _("Role"), _("Status"), _("Joined"), _("Left")]
    rows = (
        [
            m.user.full_name,
            m.user.email,
            m.user.school.name if m.user.school else "",
            m.get_role_display(),
            m.get_status_display(),
            _local(m.joined_at, "%Y-%m-%d"),
            _local(m.left_at, "%Y-%m-%d"),
        ]
        for m in memberships
    )
    return _csv(header, rows)


# The archive


def _row(obj, *, exclude=(), **extra):
    """A model row as a dict of its columns (foreign keys as `<name>_id`); files and
    anything in `exclude` left out. Values are encoded by DjangoJSONEncoder."""
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or isinstance(field, FileField):
            continue
        row[field.attname] = field.value_from_object(obj)
    row.update(extra)
    return row


def _user_ids(rows, model):
    """The ids of people that rows of `model` point to."""
    names = [f.attname for f in model._meta.concrete_fields if isinstance(f, ForeignKey) and f.related_model is User]
    return {row[name] for row in rows for name in names if row.get(name) is not None}


def _person(user):
    school = user.school
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "school_npsn": school.npsn if school else None,
        "school_name": school.name if school else None,
    }


def export_data(community):
    """data.json of `community`, except the documents' paths (added as they are written).

    Everything the community owns, with the people it mentions. Left out on purpose:
    invitation tokens (they would let a reader join), calendar tokens and other
    personal settings.
    """
    memberships = list(community.memberships.select_related("user__school").order_by("pk"))
    problems = list(community.problems.order_by("pk"))
    supporters = {}
    for problem_id, user_id in Problem.supporters.through.objects.filter(problem__community=community).values_list(
        "problem_id", "user_id"
    ):
        supporters.setdefault(problem_id, []).append(user_id)
    authors = {}
    for product_id, user_id in Product.authors.through.objects.filter(product__community=community).values_list(
        "product_id", "user_id"
    ):
        authors.setdefault(product_id, []).append(user_id)
    photos = {}
    for publication_id, document_id in Publication.photos.through.objects.filter(
        publication__community=community
    ).values_list("publication_id", "document_id"):
        photos.setdefault(publication_id, []).append(document_id)

    tables = {
        "memberships": (
            Membership,
            [
                _row(
                    m,
                    user_name=m.user.full_name,
                    user_email=m.user.email,
                    user_school=m.user.school.name if m.user.school else None,
                )
                for m in memberships
            ],
        ),
        "invitations": (
            Invitation,
            [_row(i, exclude=("token",)) for i in community.invitations.order_by("pk")],
        ),
        "stage_changes": (StageChange, [_row(c) for c in community.stage_changes.order_by("pk")]),
        "problems": (Problem, [_row(p, supporters=sorted(supporters.get(p.pk, []))) for p in problems]),
        "problem_comments": (
            ProblemComment,
            [_row(c) for c in ProblemComment.objects.filter(problem__community=community).order_by("pk")],
        ),
        "activities": (Activity, [_row(a) for a in community.activities.order_by("pk")]),
        "attendance": (
            Attendance,
            [_row(a) for a in Attendance.objects.filter(activity__community=community).order_by("pk")],
        ),
        "documents": (Document, [_row(d) for d in community.documents.order_by("pk")]),
        "action_plans": (ActionPlan, [_row(p) for p in community.action_plans.order_by("pk")]),
        "reflections": (Reflection, [_row(r) for r in community.reflections.order_by("pk")]),
        "products": (
            Product,
            [_row(p, authors=sorted(authors.get(p.pk, []))) for p in community.products.order_by("pk")],
        ),
        "publications": (
            Publication,
            [_row(p, photos=sorted(photos.get(p.pk, []))) for p in community.publications.order_by("pk")],
        ),
        "feedback": (Feedback, [_row(f) for f in Feedback.objects.filter(community=community).order_by("pk")]),
    }
    people = {m.user_id for m in memberships}
    for model, rows in tables.values():
        people |= _user_ids(rows, model)
    for ids in (*supporters.values(), *authors.values()):
        people.update(ids)
    school = community.home_school
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "community": _row(community, home_school_npsn=school.npsn, home_school_name=school.name),
        "people": [_person(u) for u in User.objects.filter(pk__in=people).select_related("school").order_by("pk")],
    }
    data.update({name: rows for name, (_model, rows) in tables.items()})
    return data, memberships


class _ArchiveWriter:
    """A zip being written, keeping the manifest of what went in."""

    def __init__(self, target):
        self.zip = zipfile.ZipFile(target, "w", allowZip64=True)
        self.manifest = []
        self.stamp = timezone.localtime().timetuple()[:6]

    def _info(self, path, compress):
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def write_bytes(self, path, content):
        self.zip.writestr(self._info(path, compress=True), content)
        self.manifest.append({"path": path, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()})

    def copy_file(self, path, field_file):
        """Copies a stored file in chunks; returns its sha256, or None when the file is gone."""
        try:
            source = field_file.storage.open(field_file.name, "rb")
        except (FileNotFoundError, OSError):
            logger.warning("Export: %s is missing from storage", field_file.name)
            return None
        digest, size = hashlib.sha256(), 0
        # Photos and office files are compressed already: storing them is faster.
        with source, self.zip.open(self._info(path, compress=False), "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        self.manifest.append({"path": path, "size": size, "sha256": digest.hexdigest()})
        return digest.hexdigest()

    def close(self, community):
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "community": community.slug,
            "created_at": timezone.now().isoformat(),
            "note": "Every file of the archive but this one, with its SHA-256.",
            "files": self.manifest,
        }
        self.zip.writestr(self._info(MANIFEST, compress=True), _json(manifest))
        self.zip.close()


def _json(data):
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).encode()


def _extension(name):
    dot = name.rfind(".")
    tail = name[dot:].lower() if dot != -1 else ""
    return tail if tail[1:].isalnum() and len(tail) <= 6 else ""


def write_export(community):
    """The archive of `community` in a temporary file, rewound, ready to stream.

    Documents are copied in chunks, so only the metadata is held in memory; the file is
    deleted when closed (FileResponse closes it once sent).
    """
    data, memberships = export_data(community)
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        archive = _ArchiveWriter(target)
        documents = {d.pk: d for d in community.documents.select_related("activity", "product")}
        taken, paths = set(), {}
        for row in data["documents"]:
            document = documents[row["id"]]
            path = readable.readable_name(document, _extension(document.file.name), taken)
            digest = archive.copy_file(path, document.file) if document.file else None
            row["path"] = path if digest else None
            paths[document.pk] = row["path"]
            row["file_missing"] = digest is None
            row["thumbnail_path"] = None
            if document.thumbnail:
                thumb = f"thumbnails/{document.uid}.jpg"
                if archive.copy_file(thumb, document.thumbnail):
                    row["thumbnail_path"] = thumb
        archive.write_bytes(DATA, _json(data))
        archive.write_bytes("activities.csv", activities_csv(community).encode())
        archive.write_bytes("attendance.csv", _attendance_csv(community).encode())
        archive.write_bytes("members.csv", _members_csv(memberships).encode())
        portfolio = _portfolio_pdf(community)
        if portfolio is not None:
            archive.write_bytes(readable.PORTFOLIO, portfolio)
        archive.write_bytes(
            readable.INDEX, readable.index_html(community, paths=paths, portfolio_included=portfolio is not None)
        )
        archive.close(community)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _portfolio_pdf(community):
    """The community portfolio from its founding to today, as in reports/; None (and a
    log line) when the PDF cannot be drawn, so the backup itself never fails for it."""
    from reports.pdf import portfolio_pdf
    from reports.portfolio import Period, build_portfolio

    period = Period(timezone.localdate(community.created_at), timezone.localdate())
    try:
        return portfolio_pdf(
            build_portfolio(community, period),
            origin=settings.KOMPRA_BASE_URL,
            context={"generated_at": timezone.localtime()},
        )
    except Exception:
        logger.exception("Export of %s: the portfolio PDF could not be made", community.slug)
        return None


def read_export(zip_file):
    """Parses an archive made by `write_export` and verifies it: the manifest lists
    exactly the files present, every checksum and size matches, and every document in
    data.json is in the archive with the checksum recorded when it was uploaded.
    Returns data.json as a dict; raises ExportInvalid otherwise."""
    try:
        archive = zipfile.ZipFile(zip_file)
    except zipfile.BadZipFile as exc:
        raise ExportInvalid(f"not a zip file: {exc}") from None
    with archive:
        names = archive.namelist()
        if len(names) != len(set(names)):
            raise ExportInvalid("duplicate file names")
        manifest = _read_json(archive, MANIFEST)
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ExportInvalid("not a Kompra community export of a known version")
        listed = {entry["path"]: entry for entry in manifest["files"]}
        if set(listed) != set(names) - {MANIFEST}:
            raise ExportInvalid(f"manifest does not match the files: {sorted(set(listed) ^ (set(names) - {MANIFEST}))}")
        for path, entry in listed.items():
            digest, size = _digest(archive, path)
            if digest != entry["sha256"] or size != entry["size"]:
                raise ExportInvalid(f"checksum mismatch: {path}")
        data = _read_json(archive, DATA)
        for document in data["documents"]:
            path = document.get("path")
            if path is None:
                if not document.get("file_missing"):
                    raise ExportInvalid(f"document {document['uid']} has no file")
                continue
            if path not in listed:
                raise ExportInvalid(f"document {document['uid']} is missing: {path}")
            if listed[path]["sha256"] != document["sha256"]:
                raise ExportInvalid(f"document {document['uid']} differs from the upload")
            thumbnail = document.get("thumbnail_path")
            if thumbnail is not None and thumbnail not in listed:
                raise ExportInvalid(f"thumbnail of document {document['uid']} is missing")
        return data


def _read_json(archive, name):
    try:
        return json.loads(archive.read(name))
    except KeyError:
        raise ExportInvalid(f"{name} is missing") from None
    except ValueError as exc:
        raise ExportInvalid(f"{name} cannot be read: {exc}") from None


def _digest(archive, name):
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
