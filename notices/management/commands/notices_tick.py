import signal
import time

from django.core.management.base import BaseCommand

from kompra.ops.heartbeat import worker_heartbeat
from notices.tick import tick


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Sends the reminders that are due and starts the weekly digests (run it every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="Keep running, ticking every this many seconds (0: tick once)."
        )

    def handle(self, *args, every=0, **options):
        if not every:
            self._tick(options["verbosity"])
            return
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(f"Ticking every {every} s (Ctrl+C stops).")
        try:
            while True:
                self._tick(options["verbosity"])
                time.sleep(every)
        except KeyboardInterrupt:
            return

    def _tick(self, verbosity):
        # Whichever worker takes this records that the workers are alive (/sehat/ reads it).
        worker_heartbeat.enqueue()
        written, zones = tick()
        if verbosity > 1 or written or zones:
            self.stdout.write(f"{written} reminder notice(s); digests started for: {', '.join(zones) or 'none'}")
