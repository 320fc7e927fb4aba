"""Deterministic synthetic data for benchmarks: a large roster and many articles.

The same arguments always give the same rows (fixed seed). Rows are written
in batches, their derived fields (name keys, pinyin, search text) computed by
the models' own ``derive()``, as save() does, without history: on PostgreSQL
with COPY, elsewhere with bulk_create.
"""

import io
import random
import time
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from aidportal.kernel.chinese import normalize
from aidportal.kernel.publishing import PublishStatus
from aidportal.kernel.search import (
    create_gram_indexes,
    drop_gram_indexes,
    gram_indexed_tables,
)
from articles.models import Article, Channel
from personnel.models import Assignment, Batch, Category, Person, Term, Unit

SEED = 20100601
BATCH_SIZE = 5000

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹"
    "薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇区朴查褚季翁焦桂庞"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕鹏辉"
    "晓东文斌宇浩然子涵欣怡梓轩一诺雨泽思远佳琪嘉怡晨阳志强建国海燕春来敏捷书琪"
    "成林鸣龙展晶秋科苗安丽琴小红峰祥云青青晓云璐雯洁虹敏坚贞梁金溢鲁九开辉"
)
CITY_PARTS = [
    "杭州市",
    "萧山区",
    "余杭区",
    "临安区",
    "富阳区",
    "建德市",
    "淳安县",
    "桐庐县",
]
SCHOOL_KINDS = ["第一中学", "实验中学", "高级中学", "初级中学", "实验小学", "中心小学"]
HOSPITAL_KINDS = ["第一人民医院", "中医院", "妇幼保健院", "第二人民医院", "中心卫生院"]
OFFICES = ["教育局", "卫生健康局", "发展和改革局", "科学技术局", "农业农村局"]
AKSU_PLACES = ["阿克苏市", "温宿县", "库车市", "沙雅县", "新和县", "拜城县", "阿瓦提县"]
POSITIONS = [
    "数学教师",
    "语文教师、教研组长",
    "英语教师",
    "物理教师、教务处副主任",
    "副校长",
    "骨科副主任",
    "超声科副主任",
    "副院长",
    "消化科副主任",
    "挂职副局长",
    "办公室副主任",
    "初中科学教研员",
]
TERMS = ["首期", "二期", ""]
ARTICLE_WORDS = [
    "援疆",
    "阿克苏",
    "杭州",
    "医生",
    "教师",
    "卫生院",
    "产业",
    "项目",
    "结对",
    "课堂",
    "手术",
    "培训",
    "乡村",
    "振兴",
    "核桃",
    "苹果",
    "就业",
    "交流",
    "民族团结",
    "石榴籽",
    "新技术",
    "示范",
    "工作室",
    "指挥部",
]


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def write_rows(model, objs):
    """Insert model instances: COPY on PostgreSQL (several times faster than
    INSERT, and no SQL to compile), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.primary_key is False or objs[0].pk is not None
    ]
    stream = io.StringIO()
    for obj in objs:
        values = (copy_value(field.pre_save(obj, True)) for field in fields)
        stream.write("\t".join(values) + "\n")
    stream.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {model._meta.db_table} ({columns}) FROM STDIN", stream
        )


class Command(BaseCommand):
    help = "Writes a deterministic synthetic roster and articles for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=1_000)
        parser.add_argument("--units", type=int, default=3_000)

    def handle(self, *args, people, articles, units, **options):
        if min(people, articles, units) < 0 or units < 2:
            raise CommandError("Counts must be positive (and --units at least 2).")
        self.rng = random.Random(SEED)
        started = time.monotonic()
        postgres = connection.vendor == "postgresql"
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                # Building the grams indexes once, afterwards, is many times
                # faster than maintaining them row by row.
                drop_gram_indexes(cursor, gram_indexed_tables())
            unit_rows = self.make_units(units)
            batches = self.make_batches()
            self.make_people(people, unit_rows, batches)
            self.make_articles(articles)
            # People are written with their keys: move the key sequence past
            # them, or the next person added in the admin would collide.
            for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
                cursor.execute(sql)
            if postgres:
                self.stdout.write("  building the search indexes…")
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # A GIN index is built far faster when its pending lists fit
                # in memory; SET LOCAL ends with the transaction.
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                create_gram_indexes(cursor, gram_indexed_tables())
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {people} people and assignments, {units} units, "
                f"{articles} articles in {time.monotonic() - started:.0f} s."
            )
        )

    def progress(self, label, done, total):
        if done == total or done % (BATCH_SIZE * 20) == 0:
            self.stdout.write(f"  {label}: {done}/{total}")

    # Units and batches

    def make_units(self, count):
        names = set()
        rng = self.rng
        while len(names) < count:
            kind = rng.random()
            place = rng.choice(CITY_PARTS)
            number = rng.randint(1, 60)
            if kind < 0.45:
                district = place + rng.choice("东西南北中新")
                name = f"{district}第{number}{rng.choice(SCHOOL_KINDS)[-4:]}"
            elif kind < 0.8:
                town = rng.choice(AKSU_PLACES) + rng.choice("依干阿托乌库") + "镇"
                name = f"{town}{rng.choice(HOSPITAL_KINDS)}{number}"
            else:
                office = rng.choice(OFFICES)
                name = f"{rng.choice(AKSU_PLACES + CITY_PARTS)}{office}第{number}科"
            names.add(name)
        rows = []
        for name in sorted(names):
            unit = Unit(name=name, kind=Unit.Kind.OTHER)
            unit.derive()
            rows.append(unit)
        Unit.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        self.progress("units", len(rows), len(rows))
        return list(Unit.objects.order_by("pk"))

    def make_batches(self):
        """Twelve batches, each known to the year: (batch, its terms, None for
        no term) pairs."""
        batches = []
        for number in range(1, 13):
            start, end = 2008 + 2 * number, 2010 + 2 * number
            batch, _ = Batch.objects.get_or_create(
                number=number,
                defaults={
                    "start": (date(start, 1, 1), date(start, 12, 31)),
                    "end": (date(end, 1, 1), date(end, 12, 31)),
                },
            )
            terms = [
                Term.objects.get_or_create(batch=batch, name=name)[0] if name else None
                for name in TERMS
            ]
            batches.append((batch, terms))
        return batches

    # People and assignments

    def make_people(self, count, units, batches):
        rng = self.rng
        next_pk = (
            Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        done = 0
        while done < count:
            size = min(BATCH_SIZE, count - done)
            people, assignments = [], []
            for offset in range(size):
                given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
                surname = rng.choice(SURNAMES)
                public = rng.random() > 0.02
                person = Person(
                    pk=next_pk + done + offset,
                    name=surname + given,
                    category=rng.choice(Category.values),
                    status=Person.Status.PUBLISHED if public else Person.Status.DRAFT,
                    is_public=public,
                )
                person.derive()
                people.append(person)
                sending, receiving = rng.sample(units, 2)
                position = normalize(rng.choice(POSITIONS))
                arrived = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
                batch, terms = rng.choice(batches)
                assignment = Assignment(
                    person=person,
                    batch=batch,
                    term=rng.choice(terms),
                    sending_unit=sending,
                    receiving_unit=receiving,
                    position=position,
                    arrived_on=arrived,
                    left_on=arrived + timedelta(days=540)
                    if rng.random() < 0.7
                    else None,
                )
                assignment.derive()
                assignments.append(assignment)
            write_rows(Person, people)
            write_rows(Assignment, assignments)
            done += size
            self.progress("people and assignments", done, count)

    # Articles

    def sentence(self, words):
        rng = self.rng
        return "".join(rng.choice(ARTICLE_WORDS) for _ in range(words)) + "。"

    def make_articles(self, count):
        rng = self.rng
        channels = list(Channel.objects.order_by("pk"))
        if not channels and count:
            channels = [Channel.objects.create(name="援建动态", slug="bulk")]
        now = timezone.now()
        done = 0
        while done < count:
            size = min(BATCH_SIZE, count - done)
            rows = []
            for _ in range(size):
                title = self.sentence(rng.randint(3, 6))[:-1]
                summary = self.sentence(rng.randint(8, 14))
                body = "".join(
                    f"<p>{self.sentence(rng.randint(15, 30))}</p>" for _ in range(3)
                )
                article = Article(
                    channel=rng.choice(channels),
                    title=title,
                    summary=summary,
                    body=body,
                    status=PublishStatus.PUBLISHED
                    if rng.random() > 0.05
                    else PublishStatus.DRAFT,
                    published_at=now - timedelta(minutes=rng.randint(1, 6_000_000)),
                    source="杭州日报",
                )
                article.derive()
                rows.append(article)
            write_rows(Article, rows)
            done += size
            self.progress("articles", done, count)
