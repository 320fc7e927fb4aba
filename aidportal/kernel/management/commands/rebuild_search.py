from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from aidportal.kernel import caching
from aidportal.kernel.search import derive_again, searchable_models


class Command(BaseCommand):
    help = (
        "Derives the search texts and index keys (and the fields they come "
        "from, such as pinyin) of every searchable row again: after a rule of "
        "Chinese text or of a model's search_parts() changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--model",
            action="append",
            metavar="APP.MODEL",
            help="Only this model (e.g. personnel.Person); may be repeated.",
        )

    def handle(self, *args, model=None, **options):
        models = searchable_models()
        if model:
            try:
                chosen = {apps.get_model(label) for label in model}
            except (LookupError, ValueError) as error:
                raise CommandError(f"Unknown model: {error}") from None
            unknown = chosen - set(models)
            if unknown:
                names = ", ".join(sorted(m._meta.label for m in unknown))
                raise CommandError(f"Not searchable: {names}")
            models = [m for m in models if m in chosen]
        for searchable in models:
            label = searchable._meta.label
            self.stdout.write(f"{label}…")
            done = derive_again(
                searchable._default_manager.all(),
                progress=lambda done, total, label=label: self.progress(
                    label, done, total
                ),
            )
            self.stdout.write(self.style.SUCCESS(f"{label}: {done} rows"))
        # bulk_update sends no signals: the cached search pages and lists
        # would answer from the old texts until they expire.
        caching.invalidate_on_commit()

    def progress(self, label, done, total):
        if done == total or done % 20000 < 2000:
            self.stdout.write(f"  {label}: {done}/{total}")
