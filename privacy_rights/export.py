"""A person's copy of their own data (the right of access, UU 27/2022): one zip with
JSON files, the files they uploaded, and a readable index.html. Built by the task
worker (privacy_rights.tasks.export_build), never inside a request."""

import json
import re
import tempfile
import zipfile

from allauth.account.models import EmailAddress
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from activities.models import ActionPlan, Attendance, Document, Product, Reflection
from communities.models import Membership, Problem, ProblemComment


def _person(user):
    data = {name: getattr(user, name) for name in user.PERSONAL_FIELDS}
    data.update(
        school=str(user.school) if user.school_id else "",
        role=user.get_role_display(),
        language=user.language,
        time_zone=user.time_zone,
        joined=user.date_joined,
        email_addresses=list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
    )
    return data


def _file_name(document):
    # The original name for recognition, stripped of anything a zip tool could misread.
    safe = re.sub(r"[^\w.\- ]", "_", document.original_name.rsplit("/", 1)[-1]).strip(". ") or "file"
    return f"files/{document.uid.hex[:8]}-{safe}"


def collect(user):
    """Everything about `user`, as plain data: {section: rows}. A fixed number of
    queries whatever the amount of data."""
    documents = list(Document.objects.filter(uploaded_by=user).select_related("community", "activity", "product"))
    # Files of their products that a co-author uploaded are theirs too.
    product_files = Document.objects.filter(product__authors=user).exclude(uploaded_by=user).exclude(file="")
    return {
        "profile": _person(user),
        "memberships": [
            {
                "community": m.community.name,
                "role": m.get_role_display(),
                "status": m.get_status_display(),
                "joined": m.joined_at,
                "left": m.left_at,
            }
            for m in Membership.objects.filter(user=user).select_related("community").order_by("created_at")
        ],
        "attendance": [
            {
                "community": a.activity.community.name,
                "activity": a.activity.title,
                "starts": a.activity.starts_at,
                "status": a.get_status_display(),
            }
            for a in Attendance.objects.filter(user=user)
            .select_related("activity__community")
            .order_by("activity__starts_at")
        ],
        "reflections": [
            {
                "community": r.community.name,
                "about": str(r.subject),
                "template": r.get_template_display(),
                "answers": [{"question": str(q), "answer": a} for q, a in r.questions_and_answers],
                "value": r.get_value_display(),
                "in_reports": r.in_reports,
                "written": r.created_at,
            }
            for r in Reflection.objects.filter(author=user).select_related(
                "community", "activity", "action_plan", "stage_change__community"
            )
        ],
        "comments": [
            {
                "community": c.problem.community.name,
                "problem": c.problem.title,
                "comment": c.body,
                "written": c.created_at,
            }
            for c in ProblemComment.objects.filter(author=user).select_related("problem__community")
        ],
        "problems": [
            {
                "community": p.community.name,
                "title": p.title,
                "description": p.description,
                "status": p.get_status_display(),
                "raised": p.created_at,
            }
            for p in Problem.objects.filter(raised_by=user).select_related("community")
        ],
        "action_plans": [
            {
                "community": a.community.name,
                "what": a.what,
                "due": a.due,
                "status": a.get_status_display(),
                "outcome": a.outcome,
            }
            for a in ActionPlan.objects.filter(owner=user).select_related("community")
        ],
        "products": [
            {
                "community": p.community.name,
                "title": p.title,
                "description": p.description,
                "created": p.created_at,
                "files": [_file_name(d) for d in p.documents.all() if d.file],
            }
            for p in Product.objects.filter(authors=user).select_related("community").prefetch_related("documents")
        ],
        "uploads": [
            {
                "community": d.community.name,
                "of": str(d.activity or d.product),
                "caption": d.caption,
                "kind": d.get_kind_display(),
                "shows_students": d.shows_students,
                "uploaded": d.created_at,
                "file": _file_name(d) if d.file else "",
            }
            for d in documents
        ],
    }, [d for d in documents if d.file] + list(product_files)


def build_zip(user):
    """Writes the zip to a temporary file and returns it (open, at position 0)."""
    data, files = collect(user)
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by the caller
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for section, rows in data.items():
            zf.writestr(f"{section}.json", json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for document in files:
            with document.file.open("rb") as source, zf.open(_file_name(document), "w") as target:
                for chunk in iter(lambda: source.read(64 * 1024), b""):
                    target.write(chunk)
        with translation.override(user.language or "id"):
            index = render_to_string(
                "privacy_rights/export_index.html", {"data": data, "person": user, "made_at": timezone.now()}
            )
        zf.writestr("index.html", index)
    archive.seek(0)
    return File(archive, name="data.zip")
