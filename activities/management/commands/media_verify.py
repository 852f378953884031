import hashlib

from django.core.management.base import BaseCommand, CommandError

from activities.models import Document
from kompra.ops.storage import STORAGE_ERRORS, open_stored

CHUNK = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Checks that every document's file is in storage with the SHA-256 recorded at upload, and that "
        "every thumbnail is there. Run it after restoring the database and the files (README, Backups)."
    )

    def handle(self, *args, **options):
        missing = changed = 0
        documents = Document.objects.only("file", "thumbnail", "sha256").order_by("pk")
        for document in documents.iterator(chunk_size=500):
            digest = self._digest(document.file)
            if digest is None:
                missing += 1
                self.stdout.write(f"missing: {document.file.name}")
            elif digest != document.sha256:
                changed += 1
                self.stdout.write(f"changed: {document.file.name}")
            if document.thumbnail and not self._exists(document.thumbnail):
                missing += 1
                self.stdout.write(f"missing: {document.thumbnail.name}")
        count = documents.count()
        if missing or changed:
            raise CommandError(f"{count} documents: {missing} missing, {changed} changed.")
        self.stdout.write(f"{count} documents: every file present and matching.")

    def _digest(self, field_file):
        try:
            stream = open_stored(field_file)
        except FileNotFoundError:
            return None
        except STORAGE_ERRORS as exc:
            raise CommandError(f"The storage cannot be read: {type(exc).__name__}: {exc}") from exc
        digest = hashlib.sha256()
        try:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        finally:
            stream.close()
        return digest.hexdigest()

    def _exists(self, field_file):
        return field_file.storage.exists(field_file.name)
