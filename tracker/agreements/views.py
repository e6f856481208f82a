"""The agreements register (``/agreements``): everyone signed in reads it and downloads its
documents, administrators record, change and delete agreements and attach and delete their
documents. A joint unit's page shows its partners, its term and its stays."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import access
from tracker.access import login_required
from tracker.agreements import services
from tracker.agreements.forms import (
    AgreementFilterForm, AgreementForm, DocumentForm, laboratory_choices,
)
from tracker.agreements.models import KIND_LABELS, STATUS_LABELS, Agreement
from tracker.applications.documents import DocumentRefused
from tracker.core.errors import InvalidValues, too_large_message, too_large_page
from tracker.core.paging import MAX_ID, paginate
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.reports import worldmap

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


def _user():
    return current_user._get_current_object()


def _load(agreement_id):
    agreement = db.session.get(Agreement, agreement_id) if 1 <= agreement_id <= MAX_ID else None
    if agreement is None:
        abort(404)
    return agreement


def _gate_manager():
    if not access.can_manage_agreements(_user()):
        abort(403)


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS,
            "can_manage_agreements": access.can_manage_agreements(_user())}


@bp.route("/")
@login_required
def list_agreements():
    """The register, latest to start first, filtered by status, kind and partner's country."""
    filters = AgreementFilterForm(request.args)
    valid = filters.validate()
    today = date.today()
    query = services.agreements_query(
        status=filters.status.data if valid else None, kind=filters.kind.data if valid else None,
        country=filters.country.data if valid else None, today=today)
    world = worldmap.world_map(_("Agreements in force by partner's country"),
                               services.agreements_by_country(today), _("Agreements"),
                               map_id="agreements-map")
    return render_template("agreements/index.html", filters=filters,
                           agreements=paginate(query), today=today, world=world)


@bp.route("/<int:agreement_id>")
@login_required
def show_agreement(agreement_id):
    return _show_page(_load(agreement_id), DocumentForm())


def _show_page(agreement, document_form, status=200):
    """The agreement's page; ``document_form`` carries an upload's refusal, if any."""
    today = date.today()
    return render_template("agreements/show.html", agreement=agreement, today=today,
                           quota=services.quota_use(agreement, today.year),
                           document_form=document_form), status


def _form_page(form, agreement, status=200):
    return render_template("agreements/form.html", form=form, agreement=agreement), status


def _save(form, agreement, done):
    """Save the posted form on ``agreement``; the page again with the messages when refused."""
    form.laboratory_ids.choices = laboratory_choices()
    if form.validate_on_submit():
        try:
            services.save_agreement(agreement, _user(), form.values())
        except InvalidValues as error:
            db.session.rollback()
            form.add_problems(error.fields)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("agreements.show_agreement", agreement_id=agreement.id))
    else:
        _add_rule_problems(form, agreement)
    return _form_page(form, agreement if agreement.id else None, 422)


def _add_rule_problems(form, agreement):
    """The services' rules between fields, for the fields the form found no fault with: every
    problem shows in one round trip."""
    try:
        services.check_values(agreement, form.values())
    except InvalidValues as error:
        form.add_problems({name: messages for name, messages in error.fields.items()
                           if not form[name].errors})


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create_agreement():
    _gate_manager()
    form = AgreementForm()
    if request.method == "POST":
        return _save(form, Agreement(), _("The agreement is recorded."))
    form.laboratory_ids.choices = laboratory_choices()
    return _form_page(form, None)


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@login_required
def edit_agreement(agreement_id):
    agreement = _load(agreement_id)
    _gate_manager()
    if request.method == "POST":
        return _save(AgreementForm(), agreement, _("The agreement is saved."))
    form = AgreementForm(data=services.current_values(agreement))
    form.laboratory_ids.choices = laboratory_choices()
    return _form_page(form, agreement)


@bp.route("/<int:agreement_id>/delete", methods=["GET", "POST"])
@login_required
def delete_agreement(agreement_id):
    """A page asking to confirm (GET), then the deletion (POST, with its CSRF token)."""
    agreement = _load(agreement_id)
    _gate_manager()
    if request.method == "POST":
        services.delete_agreement(agreement, _user())
        db.session.commit()
        flash(_("The agreement is deleted."), "success")
        return redirect(url_for("agreements.list_agreements"))
    return render_template("agreements/confirm_delete.html", agreement=agreement)


# Documents ---------------------------------------------------------------------------------
def _document(agreement, document_id):
    document = services.document_of(agreement, document_id)
    if document is None:
        abort(404)
    return document


def _page_url(agreement):
    return url_for("agreements.show_agreement", agreement_id=agreement.id) + "#documents"


@bp.route("/<int:agreement_id>/documents", methods=["POST"])
@login_required
def upload_document(agreement_id):
    """Attach the posted file; a refused one shows its reason next to the field."""
    agreement = _load(agreement_id)
    _gate_manager()
    form = DocumentForm()
    try:
        document = services.attach_document(agreement, _user(), request.files.get("file"))
    except DocumentRefused as refusal:
        db.session.rollback()
        form.file.errors = [refusal.message]
        return _show_page(agreement, form, refusal.status)
    db.session.commit()
    flash(_("%(name)s was attached.", name=document.original_name), "success")
    return redirect(_page_url(agreement))


@bp.errorhandler(413)
def upload_too_large(error):
    """A request over ``MAX_CONTENT_LENGTH``, refused before the view reads it: for an
    administrator's upload, the page again with the limit next to the field."""
    agreement_id = (request.view_args or {}).get("agreement_id")
    agreement = db.session.get(Agreement, agreement_id) if agreement_id else None
    if (request.endpoint != "agreements.upload_document" or agreement is None
            or not access.can_manage_agreements(_user())):
        return too_large_page()
    form = DocumentForm(formdata=None)
    form.file.errors = [too_large_message()]
    return _show_page(agreement, form, 413)


@bp.route("/<int:agreement_id>/documents/<int:document_id>")
@login_required
def download_document(agreement_id, document_id):
    """The file, as an attachment under the name it was given."""
    response = services.send_document(_document(_load(agreement_id), document_id))
    if response is None:
        abort(404)
    return response


@bp.route("/<int:agreement_id>/documents/<int:document_id>/delete", methods=["GET", "POST"])
@login_required
def delete_document(agreement_id, document_id):
    """A page asking to confirm (GET), then the deletion (POST, with its CSRF token)."""
    agreement = _load(agreement_id)
    document = _document(agreement, document_id)
    _gate_manager()
    if request.method == "POST":
        name = document.original_name
        services.delete_document(document, _user())
        db.session.commit()
        flash(_("%(name)s is deleted.", name=name), "success")
        return redirect(_page_url(agreement))
    return render_template("agreements/confirm_delete_document.html", agreement=agreement,
                           document=document)


@bp.route("/joint-units/<int:lab_id>")
@login_required
def show_joint_unit(lab_id):
    """A joint unit: its director, its partners and current term (from its agreement of
    kind joint unit), and the stays there the reader may see, past, present and planned."""
    lab = db.session.get(Laboratory, lab_id) if 1 <= lab_id <= MAX_ID else None
    if lab is None or lab.kind != "joint_unit":
        abort(404)
    today = date.today()
    return render_template("agreements/joint_unit.html", lab=lab, today=today,
                           term=services.joint_unit_term(lab, today),
                           stays=services.joint_unit_stays(_user(), lab, today))
