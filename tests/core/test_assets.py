"""Static files: versioned URLs kept a year, pages revalidated, responses compressed."""

import hashlib
import os
import re

import pytest

from tracker.core.assets import LONG_CACHE, PAGE_CACHE, Fingerprints


def _version_of(app, filename):
    with open(os.path.join(app.static_folder, filename), "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def test_every_static_url_of_a_page_carries_its_content_version(app, client):
    html = client.get("/auth/login").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {url.split("?")[0] for url in urls} >= {
        "/static/vendor/bootstrap.min.css", "/static/css/app.css",
        "/static/vendor/bootstrap.min.js", "/static/img/favicon.svg",
    }
    for url in urls:
        path, _, query = url.partition("?v=")
        assert query == _version_of(app, path.removeprefix("/static/"))


def test_a_versioned_static_file_is_kept_a_year(app, client):
    url = f"/static/css/app.css?v={_version_of(app, 'css/app.css')}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LONG_CACHE


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v=<script>"])
def test_an_unversioned_or_outdated_static_url_is_revalidated(client, query):
    response = client.get(f"/static/css/app.css{query}")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")
    assert response.headers.get("ETag")


def test_an_unknown_static_file_is_a_404_not_cached(client):
    response = client.get("/static/css/none.css?v=000000000000")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_pages_are_private_and_revalidated(client):
    response = client.get("/auth/login")
    assert response.headers["Cache-Control"] == PAGE_CACHE


def test_a_page_is_compressed_for_a_browser_that_accepts_it(client):
    plain = client.get("/auth/login")
    assert "Content-Encoding" not in plain.headers
    for encoding in ("br", "gzip", "zstd"):
        response = client.get("/auth/login", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert len(response.data) < len(plain.data) / 2


def test_static_files_are_compressed_too(app, client):
    url = f"/static/vendor/bootstrap.min.css?v={_version_of(app, 'vendor/bootstrap.min.css')}"
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == LONG_CACHE
    assert len(response.data) < os.path.getsize(
        os.path.join(app.static_folder, "vendor", "bootstrap.min.css")) / 3


def test_scripts_never_block_the_first_paint(client):
    html = client.get("/auth/login").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" defer " in tag or tag.startswith("<script defer") for tag in scripts)


def test_fingerprints_refuse_paths_outside_the_folder_and_missing_files(tmp_path):
    (tmp_path / "a.css").write_text("a{}")
    fingerprints = Fingerprints(str(tmp_path))
    assert fingerprints.version("a.css") == hashlib.sha256(b"a{}").hexdigest()[:12]
    assert fingerprints.version("../secret") is None
    assert fingerprints.version("missing.css") is None


def test_fingerprints_follow_a_changed_file_only_when_watching(tmp_path):
    target = tmp_path / "a.css"
    target.write_text("a{}")
    kept, watched = Fingerprints(str(tmp_path)), Fingerprints(str(tmp_path), watch_changes=True)
    first = kept.version("a.css")
    assert watched.version("a.css") == first
    target.write_text("b{}")
    os.utime(target, ns=(1, 1))
    assert kept.version("a.css") == first
    assert watched.version("a.css") == hashlib.sha256(b"b{}").hexdigest()[:12]
