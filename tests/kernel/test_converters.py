"""Path converters: what a public URL may name."""

import pytest

from aidportal.kernel.converters import FilePathConverter, IdConverter


def test_an_id_fits_a_64_bit_column():
    import re

    pattern = re.compile(f"^{IdConverter.regex}$")
    assert pattern.match("1" * 18)
    assert not pattern.match("1" * 19)
    assert IdConverter().to_python("0042") == 42


@pytest.mark.parametrize(
    "path",
    ["articles/article/2026/11/a.jpg", "renditions/a.jpg/key.webp", "中文.png"],
)
def test_plain_paths_pass(path):
    assert FilePathConverter().to_python(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "a/../b.jpg",
        "./a.jpg",
        "a//b.jpg",
        "a/.",
        "a\x00.jpg",
        "a" * 256,
        "a/" * 600,
    ],
    ids=["dotdot", "dot", "empty", "trailing-dot", "nul", "long-part", "long"],
)
def test_paths_a_view_could_misread_are_refused(path):
    with pytest.raises(ValueError):
        FilePathConverter().to_python(path)
