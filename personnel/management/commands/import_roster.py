from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aidportal.kernel.chinese import parse_date
from personnel.importers import DATE_HINT, MAX_LENGTHS, RosterFileError, read_roster
from personnel.models import Category
from personnel.services import roster_import


class Command(BaseCommand):
    help = (
        "Imports a roster (.txt press-release layout, .csv or .xlsx) all-or-nothing: "
        "any bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--batch",
            type=int,
            help="Batch number for rows without a 批次 column, e.g. 10.",
        )
        parser.add_argument(
            "--term",
            default="",
            help="Term, e.g. 首期 (created in the batch if new). Rows without "
            "dates of their own take the term's dates, else the batch's.",
        )
        parser.add_argument(
            "--arrived",
            default="",
            help="Arrival date for rows without a 到岗日期 of their own, "
            "e.g. 2020-03-20.",
        )
        parser.add_argument(
            "--left",
            default="",
            help="Leaving date for rows without a 离岗日期 of their own, "
            "e.g. 2021-06-28.",
        )
        parser.add_argument(
            "--category",
            choices=Category.values,
            default="",
            help="Category for rows without a 类别 column (default: inferred).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and report what would be written; write nothing.",
        )

    def handle(self, path, *, batch, term, category, dry_run, **options):
        if batch is not None and not 0 < batch < 1000:
            raise CommandError("--batch must be between 1 and 999.")
        term = term.strip()
        if len(term) > MAX_LENGTHS["term"]:
            raise CommandError(f"--term 超过 {MAX_LENGTHS['term']} 个字符。")
        arrived_on = self.day("--arrived", options["arrived"])
        left_on = self.day("--left", options["left"])
        if arrived_on and left_on and left_on < arrived_on:
            raise CommandError("--left 的日期早于 --arrived 的日期。")
        try:
            rows = read_roster(path)
            report = roster_import(
                rows=rows,
                batch_number=batch,
                term=term,
                category=category,
                arrived_on=arrived_on,
                left_on=left_on,
                dry_run=dry_run,
                progress=self.progress,
                audit_detail={"file": Path(path).name, "source": "import_roster"},
            )
        except RosterFileError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(
                f"{path}：{len(error.errors)} 处错误，未导入任何数据。"
            ) from None
        prefix = "试运行（未写入）：" if dry_run else "已导入："
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report}"))
        if options["verbosity"] > 1:
            for name in report.units_created:
                self.stdout.write(f"  新单位：{name}")

    def day(self, option, text):
        try:
            return parse_date(text)
        except ValueError:
            raise CommandError(
                f"{option}：无法识别的日期“{text}”，{DATE_HINT}。"
            ) from None

    def progress(self, done, total):
        self.stdout.write(f"  {done}/{total} 行……")
