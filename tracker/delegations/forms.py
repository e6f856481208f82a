"""The form that names a stand-in. The person is chosen in a list narrowed by a search
(works without scripts); :mod:`tracker.delegations.services` checks the values and its
messages are put back next to the fields."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired

from tracker.auth.models import User
from tracker.directory.forms import DirectoryForm
from tracker.extensions import db

# The list shows this many people at most: a search narrows it.
MAX_CHOICES = 50


class DelegationForm(DirectoryForm):
    # The search the list of people came from, kept so that a refused form shows it again.
    q = HiddenField()
    delegate_id = SelectField(
        _l("Stand-in"),
        description=_l("An active person; search by name or address above to find others."),
        validators=[DataRequired(_l("Choose the person who stands in for you."))],
    )
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Enter a date."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(_l("Enter a date."))])


def person_choices(user, search="", chosen=None):
    """``[(id, label)]`` for the stand-in list: the active people other than ``user`` whose
    name or address contains ``search`` (those of ``user``'s laboratories when there is no
    search), by name, at most :data:`MAX_CHOICES`; ``chosen`` (an id) always among them."""
    query = sa.select(User.id, User.full_name, User.email).where(
        User.active.is_(True), User.email_confirmed_at.is_not(None), User.id != user.id)
    search = (search or "").strip().lower()
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(sa.func.lower(User.full_name).like(pattern, escape="\\"),
                                   User.email.like(pattern, escape="\\")))
    else:
        lab_ids = [lab.id for lab in user.directed_laboratories]
        if user.home_laboratory_id is not None:
            lab_ids.append(user.home_laboratory_id)
        query = query.where(User.home_laboratory_id.in_(lab_ids))
    rows = db.session.execute(query.order_by(User.full_name, User.id).limit(MAX_CHOICES)).all()
    if chosen is not None and chosen not in {row.id for row in rows}:
        row = db.session.execute(
            sa.select(User.id, User.full_name, User.email).where(User.id == chosen)
        ).first()
        if row is not None:
            rows.append(row)
    return [("", _l("Choose a person"))] + [
        (str(row.id), f"{row.full_name} ({row.email})") for row in rows]
