"""Property fuzzing with hypothesis: every query parameter of every public
view gets HOSTILE_FUZZ_EXAMPLES (default 500) generated values — any Unicode
text (NUL included), raw bytes as percent-escapes (invalid UTF-8 included),
unescaped printable text, huge numbers, dates, valid values and mutations of
them — and answers none of them with a 5xx. The open-data API's generated
requests are schemathesis' (tests/api/test_schema_fuzz.py), from its schema."""

import os
import string
from datetime import date
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.inputs import ALLOWED_STATUSES, HOSTILE_VALUES, answer, tally
from tests.hostile.pages import PAGES, PAGES_BY_KEY, valid_values

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HOSTILE_FUZZ_EXAMPLES", "500"))
# Combinations are a second net, over the queries behind a valid form.
COMBINATIONS = int(os.environ.get("HOSTILE_FUZZ_COMBINATIONS", "100"))
FUZZED = [(page.key, param) for page in PAGES if not page.api for param in page.params]
FUZZ_SETTINGS = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
    ],
}


def encode(text):
    return quote(text, safe="")


SHORT_HOSTILE = [encode(value) for value in HOSTILE_VALUES if len(value) <= 100]


def values(valid):
    """Query-string values, already escaped (or deliberately not)."""
    return st.one_of(
        st.text(st.characters(codec="utf-8"), max_size=60).map(encode),
        st.binary(max_size=60).map(lambda raw: quote_from_bytes(raw, safe="")),
        st.text(string.printable, max_size=30),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str).map(encode),
        st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
        st.sampled_from(valid).map(encode),
        st.tuples(st.sampled_from(valid), st.text(max_size=4)).map(
            lambda pair: encode("".join(pair))
        ),
        st.sampled_from(SHORT_HOSTILE),
    )


@pytest.mark.parametrize(("key", "param"), FUZZED, ids=[f"{k}?{p}" for k, p in FUZZED])
@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(data=st.data())
def test_fuzzed_values_of_every_parameter_get_no_5xx(client, site, key, param, data):
    page = PAGES_BY_KEY[key]
    strategies = site.setdefault("strategies", {})
    if param not in strategies:
        strategies[param] = values(valid_values(page, param, site))
        tally["fuzzed parameters"] += 1
    value = data.draw(strategies[param], label=param)
    status = answer(client, "get", page.path(site), QUERY_STRING=f"{param}={value}")
    tally["fuzz examples"] += 1
    assert status in ALLOWED_STATUSES


def mostly_valid(valid):
    return st.one_of(st.sampled_from(valid).map(encode), values(valid))


FILTERED = [page.key for page in PAGES if not page.api and len(page.params) > 1]


@pytest.mark.parametrize("key", FILTERED)
@settings(max_examples=COMBINATIONS, **FUZZ_SETTINGS)
@given(data=st.data())
def test_fuzzed_combinations_of_parameters_get_no_5xx(client, site, key, data):
    """Several parameters at once, mostly valid: the queries behind the form."""
    page = PAGES_BY_KEY[key]
    strategies = site.setdefault("strategies", {})
    for param in page.params:
        if param not in strategies:
            strategies[param] = mostly_valid(valid_values(page, param, site))
    chosen = data.draw(
        st.lists(st.sampled_from(page.params), min_size=1, unique=True), label="params"
    )
    query = "&".join(
        f"{param}={data.draw(strategies[param], label=param)}" for param in chosen
    )
    status = answer(client, "get", page.path(site), QUERY_STRING=query)
    tally["fuzz combination examples"] += 1
    assert status in ALLOWED_STATUSES
