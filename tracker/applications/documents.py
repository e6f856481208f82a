"""Documents attached to applications: checking, storing and finding the files.

Files live in the file store (:mod:`tracker.core.storage`, outside ``static/``) under a
random key; the name the person gave is kept only for display. The type is decided by the
content, never by the name or the browser's word. The agreements' documents are checked and
stored by the same functions (:func:`store_upload`, :func:`send_stored`).

A file is written before its row, and the session removes it again when the transaction
that should have recorded it ends without a commit (rollback, failed commit, or a session
closed without committing), so neither a file without a row nor a row without a file is
left behind.
"""

import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, send_file
from flask_babel import lazy_gettext as _l

from tracker.applications.models import DOCUMENT_KINDS, Document, Event
from tracker.core.errors import Refused
from tracker.core.language import reader_locale
from tracker.core.numbers import format_megabytes
from tracker.core.storage import MissingFile, storage
from tracker.extensions import db

DOCUMENT_KIND_LABELS = {
    "cv": _l("Curriculum vitae"),
    "invitation_letter": _l("Invitation letter"),
    "host_agreement": _l("Hosting agreement"),
    "insurance": _l("Insurance certificate"),
    "visa": _l("Visa"),
    "report": _l("Report"),
    "other": _l("Other"),
}
assert set(DOCUMENT_KIND_LABELS) == set(DOCUMENT_KINDS)

MAX_NAME_LENGTH = 120
# Office documents are zip archives: refuse any that would be costly to open.
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ACCEPTED_TYPES = (PDF, PNG, JPEG, DOCX, ODT)
# The extension a downloaded file carries, by its detected type (the first is the one given
# when the name has none of them): a file is never downloaded as ``.html`` because that is
# what its uploader called it.
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
    ODT: (".odt",),
}
# A PDF ends with "%%EOF", possibly followed by a few line ends or padding.
PDF_TRAILER_WINDOW = 1024
_PENDING_KEY = "tracker_uncommitted_documents"
# Files of documents deleted in the transaction: removed once it commits, kept otherwise.
_DELETED_KEY = "tracker_deleted_documents"


class DocumentRefused(Refused):
    """An upload that cannot be accepted; ``status`` is the HTTP answer (400, 413 or 415)."""

    def __init__(self, status, message):
        super().__init__(message, status=status)


def max_document_size():
    return current_app.config["MAX_DOCUMENT_SIZE"]


# Names --------------------------------------------------------------------------------------
def clean_filename(name):
    """A display name from what the browser sent: no folders, no control characters.

    Readable Unicode (accents, other scripts) is kept; the result is at most 120 characters
    and keeps its extension when it has to be shortened.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    # C* categories: control, format (bidi overrides), surrogates, unassigned, private use.
    name = "".join(" " if char.isspace() else char for char in name
                   if char.isspace() or not unicodedata.category(char).startswith("C"))
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return "document"
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(name)
        if len(extension) > 10:
            extension = ""
        name = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(" .") + extension
    return name


# Content types ----------------------------------------------------------------------------
def detect_content_type(handle):
    """The accepted type of the open binary file ``handle``, read from its content, or
    ``None``."""
    handle.seek(0)
    head = handle.read(8)
    if head.startswith(b"%PDF-"):
        # A header alone is easy to fake (a text or HTML file starting with it): a real
        # PDF also carries its end-of-file marker.
        handle.seek(max(0, handle.seek(0, os.SEEK_END) - PDF_TRAILER_WINDOW))
        return PDF if b"%%EOF" in handle.read() else None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(handle)
    return None


def _office_type(handle):
    """DOCX or ODT when ``handle`` is a reasonable zip with the members of one, else
    ``None``."""
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None
            if sum(member.file_size for member in members) > MAX_ZIP_UNCOMPRESSED:
                return None
            names = {member.filename for member in members}
            if any(name.startswith("/") or ".." in name.split("/") for name in names):
                return None
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            # OpenDocument: the first member is "mimetype", stored, holding the type.
            first = members[0] if members else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.file_size < 100
                and "content.xml" in names
            ):
                with archive.open(first) as handle:
                    if handle.read(100).strip() == ODT.encode():
                        return ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, NotImplementedError, ValueError,
            EOFError):
        return None
    return None


# Storing ------------------------------------------------------------------------------------
def store_document(application, uploader, kind, file_storage):
    """Check and store an uploaded file, add its Document and an "upload" Event.

    The caller has checked the permission, and commits. Raises :class:`DocumentRefused`
    for an empty, too large or unaccepted file; nothing is left in the store then.
    """
    if kind not in DOCUMENT_KINDS:
        raise DocumentRefused(400, _l("Choose the kind of document."))
    stored = store_upload(file_storage)
    document = Document(
        application=application,
        kind=kind,
        original_name=stored.original_name,
        stored_name=stored.key,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploader_id=uploader.id,
    )
    db.session.add(document)
    db.session.add(Event(
        application=application,
        actor_id=uploader.id,
        action="upload",
        from_status=application.status,
        to_status=application.status,
        comment=f"{kind}: {document.original_name}",
    ))
    db.session.flush()
    return document


@dataclass(frozen=True)
class StoredUpload:
    """What :func:`store_upload` kept of an upload, for its row."""

    key: str
    original_name: str
    content_type: str
    size: int
    sha256: str


class _CheckedStream:
    """The upload as the store reads it: counted and hashed on the way, refused (413) as
    soon as it passes ``limit``, before the rest is read."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.limit = limit
        self.size = 0
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.size += len(chunk)
        if self.size > self.limit:
            raise DocumentRefused(
                413, _l("The file is larger than %(size)s MB.",
                        size=format_megabytes(self.limit, reader_locale()))
            )
        self.digest.update(chunk)
        return chunk


def store_upload(file_storage, prefix=""):
    """Check an uploaded file (there is one, not empty, within ``MAX_DOCUMENT_SIZE``, of an
    accepted type by its content) and keep it in the store under a new key (after
    ``prefix/``): a :class:`StoredUpload`.

    The key is removed again unless the transaction commits. Raises
    :class:`DocumentRefused`: 400, 413 or 415 for the file (nothing stays in the store),
    503 when the store refuses it (said once in the log, with the cause).
    """
    if file_storage is None or not file_storage.filename:
        raise DocumentRefused(400, _l("Choose a file to upload."))
    store = storage()
    checked = _CheckedStream(file_storage.stream, max_document_size())
    try:
        key = store.save(checked, prefix=prefix)
    except OSError:
        # A full or read-only disk, a missing mount: the person can do nothing about it, and
        # nothing was recorded.
        current_app.logger.exception("Documents cannot be stored in the file store")
        raise DocumentRefused(
            503, _l("Documents cannot be stored right now. Nothing was attached; "
                    "please try again later.")
        )
    try:
        if checked.size == 0:
            raise DocumentRefused(400, _l("The file is empty."))
        with store.open(key) as handle:
            content_type = detect_content_type(handle)
        if content_type is None:
            raise DocumentRefused(
                415,
                _l("This type of file is not accepted. Upload a PDF, PNG or JPEG image, "
                   "or a Word (DOCX) or OpenDocument (ODT) text."),
            )
    except BaseException:
        store.delete(key)
        raise
    db.session().info.setdefault(_PENDING_KEY, []).append((store, key))
    return StoredUpload(key, clean_filename(file_storage.filename), content_type,
                        checked.size, checked.digest.hexdigest())


def download_name(original_name, content_type):
    """The name a download carries: the one given, with the extension of the detected type."""
    stem, extension = os.path.splitext(original_name)
    accepted = EXTENSIONS.get(content_type, ())
    if not accepted or extension.lower() in accepted:
        return original_name
    return (stem or "document") + accepted[0]


def send_stored(key, content_type, original_name, etag):
    """The file stored under ``key`` as a download, or ``None`` when it has gone missing.

    Always an attachment of the type found at upload, which browsers must not second-guess.
    """
    try:
        handle = storage().open(key)
    except MissingFile:
        current_app.logger.error("No stored file under the key %s", key)
        return None
    response = send_file(
        handle,
        mimetype=content_type,
        as_attachment=True,
        download_name=download_name(original_name, content_type),
        conditional=True,
        etag=etag,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def send_document(document):
    """The file of an application's ``document`` (:func:`send_stored`)."""
    return send_stored(document.stored_name, document.content_type, document.original_name,
                       document.sha256)


def document_of(application, document_id):
    """The document ``document_id`` of ``application``, or ``None``."""
    return db.session.scalar(
        sa.select(Document).where(
            Document.id == document_id, Document.application_id == application.id
        )
    )


# Files of transactions that did not commit -----------------------------------------------
def remove_files_on_commit(keys):
    """Remove the files stored under ``keys`` (of rows the caller deletes) once the
    transaction commits; a rollback keeps them, so no row is left without its file."""
    store = storage()
    db.session().info.setdefault(_DELETED_KEY, []).extend((store, key) for key in keys)


def _remove(files):
    for store, key in files:
        store.delete(key)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _keep_committed_files(session):
    # A savepoint released is not a commit yet: the outer transaction may still roll back.
    if not session.in_nested_transaction():
        session.info.pop(_PENDING_KEY, None)
        _remove(session.info.pop(_DELETED_KEY, []))


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _remove_uncommitted_files(session, transaction):
    # Only the outermost transaction decides; a savepoint rolling back is not the end.
    if transaction.parent is not None:
        return
    # Files of deleted documents whose deletion did not commit stay where they are.
    session.info.pop(_DELETED_KEY, None)
    _remove(session.info.pop(_PENDING_KEY, []))
