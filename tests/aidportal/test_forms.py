"""The site search form: its types are the apps' search providers."""

from aidportal.forms import SearchForm
from aidportal.search import PROVIDERS


def test_the_search_types_are_the_providers_in_order():
    choices = SearchForm().fields["type"].choices
    assert [value for value, _label in choices] == ["", *(p.name for p in PROVIDERS)]
    assert [str(label) for _value, label in choices] == ["全部", "文章", "项目", "人员"]


def test_a_query_is_at_most_fifty_characters():
    assert SearchForm({"q": "援" * 50}).is_valid()
    assert "q" in SearchForm({"q": "援" * 51}).errors
    assert "type" in SearchForm({"q": "援", "type": "users"}).errors
