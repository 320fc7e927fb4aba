from django import forms
from django.utils.translation import gettext_lazy as _

from aidportal.search import PROVIDERS

SEARCH_TYPES = [(provider.name, provider.label) for provider in PROVIDERS]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("检索词"), max_length=50, required=False)
    type = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部")), *SEARCH_TYPES], required=False
    )
