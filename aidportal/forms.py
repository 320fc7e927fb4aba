from django import forms
from django.utils.translation import gettext_lazy as _

SEARCH_TYPES = [
    ("articles", _("文章")),
    ("projects", _("项目")),
    ("people", _("人员")),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索词"), max_length=50, required=False)
    type = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部")), *SEARCH_TYPES], required=False
    )
