import hashlib
import io
import json
import random
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from aidportal.kernel.chinese import normalize
from aidportal.kernel.periods import parse_partial_date
from aidportal.kernel.typos import Typo
from aidportal.models import SiteRegistry
from articles.models import Article, ArticleImage, Channel
from personnel.importers import read_roster
from personnel.models import Assignment, Batch, Person, Term, Unit
from personnel.services import assignments_refresh_search, roster_import
from projects.models import Project

DEMO_DIR = Path(settings.BASE_DIR) / "demo"

CHANNELS = [
    ("援阿概况", "overview", "杭州对口支援阿克苏的历程、规划与工作机制。"),
    ("地理区位", "geography", "阿克苏的地理位置、自然条件与交通。"),
    ("前沿动态", "frontline", "援疆一线的最新消息。"),
    ("杭网追踪", "tracking", "杭州网对援疆工作的持续报道。"),
    ("援建成果", "achievements", "项目援助、智力援助、产业援助取得的成果。"),
    ("援建故事", "stories", "援疆干部人才的工作与生活。"),
    ("阿克苏特产", "specialties", "苹果、核桃、红枣等阿克苏特色农产品。"),
    ("阿克苏风光", "scenery", "阿克苏的山川、河流与城市风貌。"),
]


# The starter list of the self-inspection's typos (wrong, right, note, severe):
# misspellings, never a word that is right in another sense (针砭时弊 is right).
# Severe (单项否决): a misspelt idiom or word no sentence needs. Not severe: a
# form that is right in some sentences (登陆 a shore; 既使……又使……), which
# staff judge from the reported context.
TYPOS = [
    ("做为", "作为", "", True),
    ("登陆", "登录", "仅在表示登录网站、系统时算错；“登陆”指登上陆地。", False),
    ("按装", "安装", "", True),
    ("既使", "即使", "“既使……又……”句式中不算错。", False),
    ("再接再励", "再接再厉", "", True),
    ("一股作气", "一鼓作气", "", True),
    ("迫不急待", "迫不及待", "", True),
    ("美仑美奂", "美轮美奂", "", True),
    ("默守成规", "墨守成规", "", True),
    ("谈笑风声", "谈笑风生", "", True),
    ("走头无路", "走投无路", "", True),
    ("按步就班", "按部就班", "", True),
    ("出奇不意", "出其不意", "", True),
    ("穿流不息", "川流不息", "", True),
    ("精兵减政", "精兵简政", "", True),
    ("义不容词", "义不容辞", "", True),
    ("震憾", "震撼", "", True),
    ("再所难免", "在所难免", "", True),
]
ROSTER_FILE = DEMO_DIR / "roster-batch10-term1.txt"
# The reference article's batch (number, start, end) and its first term (batch,
# name, start, end), as far as the article tells: the batch came to Aksu in
# March 2020 (no day given, its end not told); the first term came home on
# 28 June 2021 (its start is the batch's). What it does not tell stays unknown.
BATCHES = [(10, "2020年3月", "")]
TERMS = [(10, "首期", "", "2021年6月28日")]
# Short names and aliases reporters type for units of the demo roster (the
# common ones only: an alias that is part of the name finds nothing more).
UNIT_NAMES = {
    "杭州市第一人民医院": ("杭州市一医院", "市一医院、杭一医"),
    "杭州市萧山区第一人民医院": ("萧山一院", "萧山区一院"),
    "杭州市红十字会医院": ("杭州市红会医院", "红会医院"),
    "阿克苏市人民医院": ("", "阿克苏市医院"),
    "浙江大学附属中学": ("浙大附中", ""),
    "杭州师范大学附属医院": ("杭师大附属医院", "杭师附院、杭师大附院"),
    "杭州师范大学附属阿克苏市高级中学": ("杭师大阿克苏高中", "阿克苏市高级中学"),
    "阿克苏市教科局教研室": ("教研室", "阿克苏市教育科学研究室"),
    "杭州第十四中学": ("杭十四中", ""),
    "杭州第九中学": ("杭九中", ""),
    "杭州第七中学": ("杭七中", ""),
    "杭州市长河高级中学": ("长河高中", ""),
    "杭州市西湖高级中学": ("西湖高中", ""),
    "浙江省富阳中学": ("富阳中学", ""),
}
# Hospitals that send doctors to Aksu in other batches, with the names
# reporters use for them; the demo roster has none of their people, so they
# wait in the unit list (admin only) for the roster that brings them.
DIRECTORY_UNITS = {
    "浙江大学医学院附属第一医院": ("浙大一院", "浙一医院、浙一"),
    "浙江大学医学院附属第二医院": ("浙大二院", "浙二医院、浙二"),
}

# The footer's record: values no real site has (division code 000000, filing
# numbers of zeros, a reserved example.org address), and a note saying so.
DEMO_REGISTRY = {
    "sponsor": "示例主办单位（演示数据）",
    "operator": "示例承办单位（演示数据）",
    "address": "浙江省杭州市示例路1号（演示地址）",
    "phone": "0571-00000000",
    "email": "demo@example.org",
    "site_code": "0000000000",
    "icp_number": "浙ICP备00000000号-1",
    "public_security_number": "浙公网安备 00000000000000号",
    "footer_note": "以上主办单位、联系方式和备案号均为演示数据，并非真实信息。",
}


def demo_photo(name, seed_text, palette, size=(1200, 675)):
    """A JPEG placeholder photo (an upload named ``name``): a sky-to-ground
    gradient with ridges and a sun, seeded by the text so the same article
    always gets the same picture. Saving the model makes its renditions."""
    rng = random.Random(hashlib.sha256(seed_text.encode()).hexdigest())
    width, height = size
    top = Image.new("RGB", (1, 1), palette[0]).getpixel((0, 0))
    bottom = Image.new("RGB", (1, 1), palette[1]).getpixel((0, 0))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(
                round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)
            ),
        )
    sun_x, sun_y = rng.randint(100, width - 100), rng.randint(60, height // 3)
    draw.ellipse([sun_x - 50, sun_y - 50, sun_x + 50, sun_y + 50], fill=(255, 244, 214))
    for layer in range(3):
        base = height * (0.55 + 0.13 * layer)
        points = [(0, height)]
        for x in range(0, width + 100, 100):
            points.append((x, base - rng.randint(0, 120 - 30 * layer)))
        points.append((width, height))
        shade = tuple(max(0, round(c * (0.75 - 0.18 * layer))) for c in bottom)
        draw.polygon(points, fill=shade)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    return ContentFile(buffer.getvalue(), name=name)


def fields_of(model, entry):
    """The values of an entry of the demo files that are fields of ``model``
    (the rest, such as a palette, says how to make its pictures)."""
    names = {
        field.name for field in model._meta.concrete_fields if not field.is_relation
    }
    values = {name: value for name, value in entry.items() if name in names}
    if "published_at" in values:
        values["published_at"] = datetime.fromisoformat(values["published_at"])
    return values


class Command(BaseCommand):
    help = "Loads the demo content (channels and articles). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds content.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and (Channel.objects.exists() or Article.objects.exists()):
            self.stdout.write("The database already holds content: demo not loaded.")
            return
        with transaction.atomic():
            channels = self.load_channels()
            created = self.load_articles(channels)
            roster = self.load_roster()
            projects = self.load_projects()
            typos = self.load_typos()
            self.load_registry()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(channels)} channels, {created} new articles; "
                f"roster: {roster}; {projects} new projects; {typos} new typos."
            )
        )

    def load_channels(self):
        channels = {}
        for position, (name, slug, description) in enumerate(CHANNELS, start=1):
            channels[slug], _ = Channel.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": description,
                    "position": position,
                },
            )
        return channels

    def load_typos(self):
        """The starter list: an entry is added only when its wrong form is not
        listed yet, so what staff changed stays (one they deleted comes back)."""
        created = 0
        for wrong, right, note, severe in TYPOS:
            _typo, new = Typo.objects.get_or_create(
                wrong=wrong, defaults={"right": right, "note": note, "severe": severe}
            )
            created += new
        return created

    def load_roster(self):
        for number, start, end in BATCHES:
            Batch.objects.get_or_create(
                number=number,
                defaults={
                    "start": parse_partial_date(start),
                    "end": parse_partial_date(end),
                },
            )
        for number, name, start, end in TERMS:
            Term.objects.get_or_create(
                batch=Batch.objects.get(number=number),
                name=name,
                defaults={
                    "start": parse_partial_date(start),
                    "end": parse_partial_date(end),
                },
            )
        if Assignment.objects.filter(batch__number=10, term__name="首期").exists():
            report = "already loaded"
        else:
            report = roster_import(
                rows=read_roster(ROSTER_FILE), batch_number=10, term="首期"
            )
        self.name_units()
        return report

    def name_units(self):
        """Give the demo's units their short names and aliases (and add the
        hospitals of other batches): a blank short name is filled, missing
        aliases are added, nothing staff wrote is taken away."""
        named = []
        for name in DIRECTORY_UNITS:
            if not Unit.objects.filter(name_key=normalize(name)).exists():
                Unit.objects.create(name=name, kind=Unit.Kind.HOSPITAL, region="杭州市")
        names = {**UNIT_NAMES, **DIRECTORY_UNITS}
        for unit in Unit.objects.filter(name__in=names):
            short_name, aliases = names[unit.name]
            missing = [
                alias
                for alias in aliases.split("、")
                if alias and alias not in unit.alias_list
            ]
            if missing or (short_name and not unit.short_name):
                unit.short_name = unit.short_name or short_name
                unit.aliases = "、".join([*unit.alias_list, *missing])
                unit.save()
                named.append(unit)
        assignments_refresh_search(units=named)

    def load_projects(self):
        """The reference page's projects, linked to demo articles and people."""
        entries = json.loads((DEMO_DIR / "projects.json").read_text(encoding="utf-8"))
        created = 0
        for index, entry in enumerate(entries, start=1):
            if Project.objects.filter(name=entry["name"]).exists():
                continue
            project = Project(
                status=Project.Status.PUBLISHED,
                published_at=timezone.now(),
                **fields_of(Project, entry),
            )
            project.cover = demo_photo(
                f"demo-project-{index}.jpg", entry["name"], entry["palette"]
            )
            project.save()
            keys = [normalize(name) for name in entry["people"]]
            project.people.set(Person.objects.filter(name_key__in=keys, is_public=True))
            for article in Article.objects.filter(channel__slug__in=entry["articles"]):
                article.projects.add(project)
                article.people.add(*project.people.all())
            created += 1
        return created

    def load_articles(self, channels):
        entries = json.loads((DEMO_DIR / "articles.json").read_text(encoding="utf-8"))
        created = 0
        for index, entry in enumerate(entries, start=1):
            channel = channels[entry["channel"]]
            if Article.objects.filter(channel=channel, title=entry["title"]).exists():
                continue
            article = Article(
                channel=channel,
                status=Article.Status.PUBLISHED,
                **fields_of(Article, entry),
            )
            article.cover = demo_photo(
                f"demo-{index}.jpg", entry["title"], entry["palette"]
            )
            article.save()
            for position, picture in enumerate(entry["gallery"], start=1):
                ArticleImage.objects.create(
                    article=article,
                    image=demo_photo(
                        f"demo-{index}-{position}.jpg",
                        picture["caption"],
                        entry["palette"][::-1],
                    ),
                    alt=picture["alt"],
                    caption=picture["caption"],
                    position=position,
                )
            created += 1
        return created

    def load_registry(self):
        """The demo's footer record, unless staff have written any of it:
        demo values never sit beside real ones."""
        registry = SiteRegistry.objects.filter(pk=1).first() or SiteRegistry()
        if any(getattr(registry, name) for name in DEMO_REGISTRY) or registry.gov_badge:
            return
        for name, value in DEMO_REGISTRY.items():
            setattr(registry, name, value)
        registry.full_clean()
        registry.save()
