"""Built downloads (aidportal.kernel.downloads): stored whole, kept per site
version, pruned as versions pass."""

from pathlib import Path

import pytest
from django.core.files.storage import storages

from aidportal.kernel import caching, downloads

pytestmark = pytest.mark.django_db


def stored():
    root = Path(storages["private"].location) / downloads.FOLDER
    return sorted(path.name for path in root.glob("*")) if root.exists() else []


def name_at(version, params="batch=10"):
    return downloads.download_name(
        kind="roster", params=params, suffix="csv", version=version
    )


def test_a_build_stores_the_whole_file_under_its_name():
    name = name_at(caching.site_version())
    stored_name = downloads.build(name, lambda out: out.write(b"a,b\n" * 1000))
    assert stored_name == name
    with storages["private"].open(name, "rb") as file:
        assert file.read() == b"a,b\n" * 1000
    assert not [file for file in stored() if file.endswith(".part")]


def test_a_failed_build_leaves_nothing():
    def fail(out):
        out.write(b"half")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        downloads.build(name_at(caching.site_version()), fail)
    assert stored() == []


def test_files_of_earlier_versions_go_when_a_new_one_is_built():
    version = caching.site_version()
    downloads.build(name_at(version - 10), lambda out: out.write(b"old"))
    downloads.build(name_at(version), lambda out: out.write(b"new"))
    assert stored() == [Path(name_at(version)).name]


def test_a_late_build_of_an_older_version_removes_no_newer_file():
    """A background build that began before the last change finishes after
    the new version's file: it must not remove it, and its own file, which no
    request will ask for, goes."""
    version = caching.site_version()
    downloads.build(name_at(version), lambda out: out.write(b"new"))
    downloads.build(name_at(version - 10), lambda out: out.write(b"old"))
    assert stored() == [Path(name_at(version)).name]


def test_only_so_many_files_of_one_version_are_kept(settings):
    settings.DOWNLOAD_FILES_KEPT = 3
    version = caching.site_version()
    for number in range(5):
        downloads.build(
            name_at(version, f"batch={number}"), lambda out: out.write(b"x")
        )
    assert len(stored()) == 3
