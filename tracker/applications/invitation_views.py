"""Invitations: the hosts' page (invite, and follow what was sent) and the visitor's link.

Routes on the applications blueprint. The hosts' page is for unit directors and admins
(``access.can_invite``); the link's page is public, and answers a clear page (never a 500)
for an unknown, expired or used link.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.access import login_required
from tracker.applications.invitation_forms import (
    AcceptInvitationForm,
    ContinueInvitationForm,
    InvitationForm,
)
from tracker.applications.invitations import (
    STATE_LABELS,
    accept_invitation,
    invitation_state,
    invite,
    needs_password,
    read_invitation,
)
from tracker.applications.models import Invitation
from tracker.auth.services import fresh_session
from tracker.applications.views import bp
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.core.models import utcnow
from tracker.core.paging import paginate
from tracker.extensions import db


def _gate():
    if not access.can_invite(current_user):
        abort(403)


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
def invitations():
    _gate()
    inviter = current_user._get_current_object()
    form = InvitationForm(inviter)
    if form.validate_on_submit():
        try:
            invitation, _link = invite(inviter, **form.values())
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            form.host_laboratory_id.errors = list(form.host_laboratory_id.errors) + [
                _("You may invite visitors only to the units you direct.")]
        except InvalidValues as error:
            db.session.rollback()
            form.add_problems({name: messages for name, messages in error.fields.items()
                               if name in form})
            # A rule about a value the form does not ask for (the draft's own): said above it.
            for name, messages in error.fields.items():
                if name not in form:
                    for message in messages:
                        flash(str(message), "danger")
        else:
            flash(_("%(name)s is invited: the message with the link is on its way, and the "
                    "draft %(reference)s waits for them.", name=invitation.user.full_name,
                    reference=invitation.application.reference), "success")
            return redirect(url_for("applications.invitations"))
    query = (
        access.own_invitations(inviter)
        .options(selectinload(Invitation.user), selectinload(Invitation.application),
                 selectinload(Invitation.host_laboratory))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return render_template(
        "applications/invitations.html", form=form, pagination=paginate(query, per_page=25),
        state_of=invitation_state, state_labels=STATE_LABELS, now=utcnow(),
    )


@bp.route("/invitations/accept/<token>", methods=["GET", "POST"])
def accept_invitation_link(token):
    outcome, invitation = read_invitation(token)
    if outcome != "valid":
        status = {"used": 410, "expired": 410, "invalid": 404}[outcome]
        return render_template("applications/invitation_link.html", outcome=outcome), status
    draft = url_for("applications.show", application_id=invitation.application_id) \
        if invitation.application_id else url_for("applications.list_mine")
    if needs_password(invitation):
        form = AcceptInvitationForm(invitation.user)
        if form.validate_on_submit():
            try:
                visitor = accept_invitation(invitation, form.password.data, form.confirm.data)
                db.session.commit()
            except InvalidValues as error:
                db.session.rollback()
                form.add_problems(error.fields)
            else:
                if current_user.is_authenticated:
                    logout_user()
                fresh_session()
                login_user(visitor)
                flash(_("Welcome, %(name)s. Complete your application, then submit it.",
                        name=visitor.full_name), "success")
                return redirect(draft)
        return render_template("applications/accept_invitation.html", form=form,
                               invitation=invitation, new_account=True)
    form = ContinueInvitationForm()
    if form.validate_on_submit():
        accept_invitation(invitation)
        db.session.commit()
        flash(_("Sign in to complete your application, then submit it."), "info")
        return redirect(url_for("auth.login", next=draft))
    return render_template("applications/accept_invitation.html", form=form,
                           invitation=invitation, new_account=False)
