import json

from django.core.management.base import BaseCommand

from aidportal.inspection import site_inspect


class Command(BaseCommand):
    help = (
        "网站自查：按国办秘函〔2019〕19号检查已发布内容；"
        "发现单项否决问题（栏目未更新、严重错别字）时退出状态为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="报告格式：text（默认，中文报告）或 json。",
        )

    def handle(self, *args, format="text", **options):
        report = site_inspect()
        if format == "json":
            self.stdout.write(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(report.as_text())
        if report.failed:
            # Not CommandError: the report is the output, not an error message.
            raise SystemExit(1)
