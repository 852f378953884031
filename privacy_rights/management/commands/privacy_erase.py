from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from privacy_rights.erasure import erase_due


class Command(BaseCommand):
    help = "Erases the accounts whose grace period after a deletion request is over (the tick runs it too)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Act as if it were this moment (ISO 8601, with a time zone).")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now is not an ISO 8601 moment: {now!r}") from None
            if moment.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2026-12-04T20:00:00+07:00")
        erased = erase_due(moment)
        if erased or options["verbosity"] > 1:
            self.stdout.write(f"{erased} account(s) erased.")
