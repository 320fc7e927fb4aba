import time

from django.core.management.base import BaseCommand

from aidportal.kernel.downloads import Busy
from personnel.filters import DEFAULT_SORT, SORT_ORDERS
from personnel.models import Assignment
from personnel.services import EXPORT_FORMATS, ExportTooLarge, roster_export


class Command(BaseCommand):
    help = (
        "Builds the whole-roster downloads (CSV and XLSX) of the current site "
        "version, so that the first visitor to ask is served at once. Run it "
        "after an import, or from cron."
    )

    def handle(self, *args, **options):
        assignments = Assignment.objects.published().order_by(
            *SORT_ORDERS[DEFAULT_SORT]
        )
        for fmt in EXPORT_FORMATS:
            started = time.monotonic()
            try:
                name = roster_export(
                    assignments=assignments,
                    params="",
                    fmt=fmt,
                    client="build_exports",
                    wait=True,
                )
            except ExportTooLarge as error:
                self.stdout.write(f"{fmt}: more than {error.limit} rows, not built.")
                continue
            except Busy:
                self.stdout.write(f"{fmt}: another process is building it.")
                continue
            elapsed = time.monotonic() - started
            self.stdout.write(f"{fmt}: {name} in {elapsed:.1f} s")
