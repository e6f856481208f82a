"""The file store: keys in, the same bytes out, nothing left of a failed write, and no key
that leads out of its folder."""

import io
import os

import pytest

from config import TestingConfig
from tracker import create_app
from tracker.core.storage import LocalStorage, MissingFile, storage


@pytest.fixture
def store(tmp_path):
    return LocalStorage(str(tmp_path / "files"))


def test_a_saved_file_reads_back_under_its_new_key(store):
    key = store.save(io.BytesIO(b"some bytes"))
    assert len(key) == 40 and store.exists(key)
    with store.open(key) as handle:
        assert handle.read() == b"some bytes"
    assert store.save(io.BytesIO(b"other")) != key


def test_a_prefix_keeps_its_files_apart(store):
    key = store.save(io.BytesIO(b"x"), prefix="agreements")
    assert key.startswith("agreements/")
    assert os.listdir(os.path.join(store.folder, "agreements")) == [key.split("/")[1]]


def test_a_given_key_is_replaced_whole(store):
    store.save(io.BytesIO(b"first version"), key="imports/state.json")
    store.save(io.BytesIO(b"second"), key="imports/state.json")
    with store.open("imports/state.json") as handle:
        assert handle.read() == b"second"


def test_deleting_removes_the_file_and_a_missing_key_is_said_missing(store):
    key = store.save(io.BytesIO(b"x"))
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(MissingFile):
        store.open(key)
    store.delete(key)  # deleting twice is no error


class Broken(io.BytesIO):
    def read(self, size=-1):
        raise ValueError("the reader gave up")


def test_a_write_that_fails_leaves_nothing(store):
    store.save(io.BytesIO(b"x"), key="kept")
    with pytest.raises(ValueError):
        store.save(Broken(), key="broken")
    assert os.listdir(store.folder) == ["kept"]


@pytest.mark.parametrize("key", ["../secret", "a/../../b", "/etc/passwd", "a/b/c", "", ".hidden",
                                 None, "a\\b"])
def test_a_key_never_leads_out_of_the_store(store, key):
    with pytest.raises(MissingFile):
        store.open(key)
    assert not store.exists(key)


def test_old_keys_are_listed_by_prefix(store):
    old = store.save(io.BytesIO(b"x"), prefix="imports")
    fresh = store.save(io.BytesIO(b"y"), prefix="imports")
    store.save(io.BytesIO(b"z"))
    path = os.path.join(store.folder, *old.split("/"))
    os.utime(path, (0, 0))
    assert store.keys_older_than("imports", 3600) == [old]
    assert fresh not in store.keys_older_than("imports", 3600)
    assert store.keys_older_than("nothing-here", 0) == []


def test_the_application_uses_the_configured_folder(app):
    with app.app_context():
        store = storage()
    assert isinstance(store, LocalStorage)
    assert store.folder == app.config["UPLOAD_FOLDER"]


def test_an_unknown_backend_refuses_to_start(tmp_path):
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        create_app(TestingConfig, STORAGE_BACKEND="cloud", UPLOAD_FOLDER=str(tmp_path))
