import django_filters
from django.utils.translation import gettext_lazy as _

from projects.models import Project


class ProjectFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        label=_("援助类型"), choices=Project.Category.choices, empty_label=_("全部类型")
    )
    sector = django_filters.ChoiceFilter(
        label=_("领域"), choices=Project.Sector.choices, empty_label=_("全部领域")
    )
    stage = django_filters.ChoiceFilter(
        label=_("建设状态"), choices=Project.Stage.choices, empty_label=_("全部状态")
    )
    year = django_filters.NumberFilter(
        label=_("年份"), method="filter_year", min_value=1990, max_value=2100
    )

    def filter_year(self, queryset, name, value):
        return queryset.with_year().filter(year=value)

    class Meta:
        model = Project
        fields = ["category", "sector", "stage", "year"]
