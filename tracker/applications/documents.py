"""Documents attached to applications: checking, storing and finding the files.

Files live in ``UPLOAD_FOLDER`` (outside ``static/``) under a random name; the name the
person gave is kept only for display. The type is decided by the content, never by the
name or the browser's word.

A file is written before its row, and the session removes it again when the transaction
that should have recorded it ends without a commit (rollback, failed commit, or a session
closed without committing), so neither a file without a row nor a row without a file is
left behind.
"""

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile

import sqlalchemy as sa
from flask import current_app, send_file
from flask_babel import lazy_gettext as _l

from tracker.applications.models import DOCUMENT_KINDS, Document, Event
from tracker.core.errors import Refused
from tracker.core.language import reader_locale
from tracker.core.numbers import format_megabytes
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
_CHUNK = 64 * 1024
_PENDING_KEY = "tracker_uncommitted_documents"
# Files of documents deleted in the transaction: removed once it commits, kept otherwise.
_DELETED_KEY = "tracker_deleted_documents"


class DocumentRefused(Refused):
    """An upload that cannot be accepted; ``status`` is the HTTP answer (400, 413 or 415)."""

    def __init__(self, status, message):
        super().__init__(message, status=status)


def upload_folder():
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    return folder


def stored_path(document):
    """Where the file of ``document`` lives on disk."""
    return os.path.join(upload_folder(), document.stored_name)


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
def detect_content_type(path):
    """The accepted type of the file at ``path``, read from its content, or ``None``."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head.startswith(b"%PDF-"):
            # A header alone is easy to fake (a text or HTML file starting with it): a real
            # PDF also carries its end-of-file marker.
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - PDF_TRAILER_WINDOW))
            return PDF if b"%%EOF" in handle.read() else None
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    return None


def _office_type(path):
    """DOCX or ODT when ``path`` is a reasonable zip with the members of one, else ``None``."""
    try:
        with zipfile.ZipFile(path) as archive:
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
    for an empty, too large or unaccepted file; nothing is left on disk then.
    """
    if kind not in DOCUMENT_KINDS:
        raise DocumentRefused(400, _l("Choose the kind of document."))
    if file_storage is None or not file_storage.filename:
        raise DocumentRefused(400, _l("Choose a file to upload."))
    try:
        stored_name, content_type, size, sha256 = _store_file(file_storage)
    except OSError:
        # A full or read-only disk, a missing mount: the person can do nothing about it, and
        # nothing was recorded. Said once in the log, with the cause.
        current_app.logger.exception("Documents cannot be stored in the upload folder")
        raise DocumentRefused(
            503, _l("Documents cannot be stored right now. Nothing was attached; "
                    "please try again later.")
        )

    document = Document(
        application=application,
        kind=kind,
        original_name=clean_filename(file_storage.filename),
        stored_name=stored_name,
        content_type=content_type,
        size=size,
        sha256=sha256,
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


def _store_file(file_storage):
    """Write the upload under a random name: ``(stored name, type, size, sha256)``.

    Raises :class:`DocumentRefused` for a file that is empty, too large or of another type
    (nothing stays on disk then), and ``OSError`` when the disk refuses it.
    """
    folder = upload_folder()
    limit = max_document_size()
    digest = hashlib.sha256()
    size = 0
    # The temporary file sits in the upload folder so that moving it into place is atomic.
    handle, temporary = tempfile.mkstemp(prefix=".upload-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            while True:
                chunk = file_storage.stream.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise DocumentRefused(
                        413, _l("The file is larger than %(size)s MB.",
                                size=format_megabytes(limit, reader_locale()))
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DocumentRefused(400, _l("The file is empty."))
        content_type = detect_content_type(temporary)
        if content_type is None:
            raise DocumentRefused(
                415,
                _l("This type of file is not accepted. Upload a PDF, PNG or JPEG image, "
                   "or a Word (DOCX) or OpenDocument (ODT) text."),
            )
        stored_name = secrets.token_hex(20)
        final = os.path.join(folder, stored_name)
        # Registered before the move: whatever happens next, an uncommitted file goes.
        _remember_uncommitted(final)
        os.replace(temporary, final)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return stored_name, content_type, size, digest.hexdigest()


def download_name(document):
    """The name a download carries: the one given, with the extension of the detected type."""
    stem, extension = os.path.splitext(document.original_name)
    accepted = EXTENSIONS.get(document.content_type, ())
    if not accepted or extension.lower() in accepted:
        return document.original_name
    return (stem or "document") + accepted[0]


def send_document(document):
    """The stored file as a download, or ``None`` when the file has gone missing.

    Always an attachment of the type found at upload, which browsers must not second-guess.
    """
    path = stored_path(document)
    if not os.path.isfile(path):
        current_app.logger.error("Document %s has no file at %s", document.id, path)
        return None
    response = send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=download_name(document),
        conditional=True,
        etag=document.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def document_of(application, document_id):
    """The document ``document_id`` of ``application``, or ``None``."""
    return db.session.scalar(
        sa.select(Document).where(
            Document.id == document_id, Document.application_id == application.id
        )
    )


# Files of transactions that did not commit -----------------------------------------------
def _remember_uncommitted(path):
    db.session().info.setdefault(_PENDING_KEY, []).append(path)


def remove_files_on_commit(documents):
    """Remove the files of ``documents`` (whose rows the caller deletes) once the
    transaction commits; a rollback keeps them, so no row is left without its file."""
    db.session().info.setdefault(_DELETED_KEY, []).extend(
        stored_path(document) for document in documents
    )


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _keep_committed_files(session):
    # A savepoint released is not a commit yet: the outer transaction may still roll back.
    if not session.in_nested_transaction():
        session.info.pop(_PENDING_KEY, None)
        for path in session.info.pop(_DELETED_KEY, []):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _remove_uncommitted_files(session, transaction):
    # Only the outermost transaction decides; a savepoint rolling back is not the end.
    if transaction.parent is not None:
        return
    # Files of deleted documents whose deletion did not commit stay where they are.
    session.info.pop(_DELETED_KEY, None)
    for path in session.info.pop(_PENDING_KEY, []):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
