import django_filters
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Channel


class ArticleFilter(django_filters.FilterSet):
    channel = django_filters.ModelChoiceFilter(
        label=_("栏目"),
        queryset=Channel.objects.all(),
        to_field_name="slug",
        empty_label=_("全部栏目"),
    )

    class Meta:
        model = Article
        fields = ["channel"]
