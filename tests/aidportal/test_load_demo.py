from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel.chinese import canonical_name
from articles.models import Article, ArticleImage, Channel
from personnel.filters import RosterFilter
from personnel.models import Assignment, Person, Term, Unit

pytestmark = pytest.mark.django_db

CHANNEL_NAMES = [
    "援阿概况",
    "地理区位",
    "前沿动态",
    "杭网追踪",
    "援建成果",
    "援建故事",
    "阿克苏特产",
    "阿克苏风光",
]


def counts():
    return (
        Channel.objects.count(),
        Article.objects.count(),
        Article.objects.published().count(),
        ArticleImage.objects.count(),
        Unit.objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
    )


def test_load_demo_twice_gives_the_same_content(media_root):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert list(Channel.objects.values_list("name", flat=True)) == CHANNEL_NAMES
    assert first[2] >= 6
    assert first[3] > 0
    assert all(article.cover for article in Article.objects.all())
    assert (media_root / Article.objects.first().cover.name).is_file()


def test_every_demo_article_has_a_cover_with_alt_text_and_credits():
    call_command("load_demo")
    for article in Article.objects.all():
        assert article.cover_alt and article.cover_caption
        assert article.source and article.editor
        assert article.cover_width == 1200


def test_load_demo_if_empty_leaves_existing_content_alone():
    Channel.objects.create(name="自建栏目", slug="own")
    call_command("load_demo", if_empty=True)
    assert counts() == (1, 0, 0, 0, 0, 0, 0)


def test_load_demo_imports_the_reference_roster():
    call_command("load_demo")
    assert Assignment.objects.filter(batch__number=10, term__name="首期").count() == 43
    assert Unit.objects.get(name="浙江大学附属中学").short_name == "浙大附中"
    assert Assignment.objects.search("浙大附中").get().person.name == "李鸣"


def test_demo_names_are_canonical_and_linked_to_their_projects():
    call_command("load_demo")
    names = list(Person.objects.values_list("name", flat=True))
    assert "季成" in names and "陈晶" in names
    assert not [name for name in names if name != canonical_name(name)]
    ji = Person.objects.get(name="季成")
    assert ji.projects.exists(), "projects.json names him as printed: 季 成"


def search_examples():
    """The examples the roster's search box gives ("如：季成、jicheng、…")."""
    form = RosterFilter(queryset=Assignment.objects.none()).form
    placeholder = form.fields["q"].widget.attrs["placeholder"]
    return placeholder.removeprefix("如：").split("、")


def test_every_example_of_the_search_box_finds_people_in_the_demo():
    call_command("load_demo")
    examples = search_examples()
    assert len(examples) >= 3
    for example in examples:
        assert Assignment.objects.published().search(example).exists(), example


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("杭一医", "季成"),
        ("萧山一院", "董书琪"),
        ("一院", "董书琪"),
        ("红会医院", "张林"),
        ("杭师大附院", "何文波"),
        ("杭九中", "焦鲁溢"),
        ("长河高中", "陈志文"),
    ],
)
def test_the_demo_units_carry_the_aliases_reporters_type(query, name):
    call_command("load_demo")
    assert name in {a.person.name for a in Assignment.objects.search(query)}


@pytest.mark.parametrize("query", ["第十批", "十批", "10批"])
def test_batch_words_find_the_demo_batch(query):
    call_command("load_demo")
    assert Assignment.objects.search(query).count() == 43


def test_loading_again_adds_missing_aliases_and_keeps_what_staff_wrote():
    call_command("load_demo")
    unit = Unit.objects.get(name="杭州市第一人民医院")
    unit.short_name, unit.aliases = "市一", "杭州一院"
    unit.save()
    call_command("load_demo")
    unit.refresh_from_db()
    assert unit.short_name == "市一"
    assert unit.alias_list == ["杭州一院", "市一医院", "杭一医"]
    history = unit.history.count()
    call_command("load_demo")
    assert unit.history.count() == history, "nothing left to add: no save"
    assert Assignment.objects.search("杭州一院").get().person.name == "季成"


def in_post_facet(client, **params):
    response = client.get(reverse("personnel:list"), params)
    assert response.status_code == 200
    post = response.context["facets"]["in_post"]
    return response, (post.in_post, post.left, post.not_yet, post.unknown)


def test_the_demo_roster_is_in_post_only_inside_its_term(client):
    """The reference article: the batch came in March 2020 (no day given);
    its first term came home on 28 June 2021."""
    call_command("load_demo")
    term = Term.objects.select_related("batch").get(batch__number=10, name="首期")
    assert (term.batch.start_text, term.start_text, term.end_text) == (
        "2020年3月",
        "",
        "2021年6月28日",
    )
    assert term.batch.end is None, "the article does not say when the batch ended"

    today, counts = in_post_facet(client)
    assert counts == (0, 43, 0, 0)
    assert not Assignment.objects.in_post_on(timezone.localdate()).exists()
    assert "（今天）在岗情况" in today.content.decode()

    inside, counts = in_post_facet(client, on="2021-01-01")
    assert counts == (43, 0, 0, 0)
    assert inside.context["paginator"].count == 43
    assert Assignment.objects.in_post_on(date(2021, 1, 1)).count() == 43
    assert "2021年1月1日在岗情况" in inside.content.decode()

    # Inside the month they came, nobody knows who had arrived yet.
    assert in_post_facet(client, on="2020-03-15")[1] == (0, 0, 0, 43)
    assert in_post_facet(client, on="2021-06-29")[1] == (0, 43, 0, 0)


def test_the_demo_knows_the_hospitals_called_浙大一院_and_浙大二院(client):
    call_command("load_demo")
    call_command("load_demo")
    first, second = (
        Unit.objects.get(short_name=short) for short in ("浙大一院", "浙大二院")
    )
    assert first.name == "浙江大学医学院附属第一医院"
    assert (first.alias_list, second.alias_list) == (
        ["浙一医院", "浙一"],
        ["浙二医院", "浙二"],
    )
    # No one of the demo roster comes from them: the public pages never name
    # a unit without public people.
    assert not Assignment.objects.filter(sending_unit__in=[first, second]).exists()
    page = client.get(reverse("personnel:list")).content.decode()
    assert "浙江大学医学院附属" not in page
