from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from aidportal.kernel.audit import AuditEntry

# Entries deleted per transaction: a table of millions is never one long lock.
BATCH = 5000


class Command(BaseCommand):
    help = (
        "Deletes audit log entries older than AUDIT_LOG_RETENTION_DAYS days "
        "(or --days), in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of AUDIT_LOG_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be deleted; delete nothing.",
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is None:
            days = settings.AUDIT_LOG_RETENTION_DAYS
        if days < 1:
            raise CommandError(f"保留天数须至少为 1 天（收到 {days}）。")
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEntry.objects.filter(at__lt=cutoff)
        if dry_run:
            count = old.count()
            self.stdout.write(
                f"试运行：{count} 条早于 {days} 天的操作日志将被删除（未删除）。"
            )
            return
        deleted = 0
        while True:
            with transaction.atomic():
                batch = list(old.order_by("pk").values_list("pk", flat=True)[:BATCH])
                if not batch:
                    break
                deleted += AuditEntry.objects.filter(pk__in=batch).delete()[0]
        self.stdout.write(
            self.style.SUCCESS(f"已删除 {deleted} 条早于 {days} 天的操作日志。")
        )
