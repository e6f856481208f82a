"""Administration of the directory: users and roles, laboratories, programmes, countries'
risk levels, requirement rules.

Every page is for administrators (countries also for security officers). Each edit view loads (404), validates the form, calls a
service from :mod:`tracker.directory.services` and commits once.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload

from tracker.auth.models import CATEGORY_LABELS, ROLE_LABELS, User, UserRole
from tracker import access
from tracker.access import login_required, role_required
from tracker.applications.models import RequirementRule
from tracker.core.errors import InvalidValues, Refused
from tracker.directory import services
from tracker.directory.forms import (
    CountryFilterForm,
    CountryForm,
    LaboratoryFilterForm,
    LaboratoryForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    RuleForm,
    RuleSwitchForm,
    UserFilterForm,
    UserForm,
    rule_in_words,
)
from tracker.directory.models import (
    DIRECTION_LABELS,
    LAB_KIND_LABELS,
    RISK_LEVEL_LABELS,
    Country,
    Laboratory,
    Programme,
)
from tracker.core.countries import country_name
from tracker.core.paging import paginate, paginate_list
from tracker.extensions import db

bp = Blueprint("directory", __name__, url_prefix="/admin")

PER_PAGE = 25


def _page(query):
    return paginate(query, per_page=PER_PAGE)


def _filters(form_class):
    """A filter form read from the query string; a filter with a bad value is ignored."""
    form = form_class(request.args)
    form.validate()
    return form, {name: value for name, value in form.data.items() if not form[name].errors}


def _labels():
    return {
        "roles": ROLE_LABELS,
        "categories": CATEGORY_LABELS,
        "kinds": LAB_KIND_LABELS,
        "directions": DIRECTION_LABELS,
    }


def _stay_signed_in(user):
    """Keep the admin's own session when a change of theirs rotated their session token."""
    if user.id == current_user.id:
        login_user(user)


def _laboratory_rows():
    """(id, name, acronym) of every laboratory, for a select: no full rows loaded."""
    return db.session.execute(
        sa.select(Laboratory.id, Laboratory.name, Laboratory.acronym).order_by(
            Laboratory.name, Laboratory.id
        )
    ).all()


# People --------------------------------------------------------------------------------
@bp.route("/users")
@role_required("admin")
def list_users():
    form, filters = _filters(UserFilterForm)
    query = (
        sa.select(User)
        .options(selectinload(User.home_laboratory), lazyload(User.directed_laboratories))
        .order_by(User.full_name, User.id)
    )
    if filters.get("q"):
        text = filters["q"]
        query = query.where(
            sa.or_(
                User.full_name.icontains(text, autoescape=True),
                User.email.contains(text.lower(), autoescape=True),
            )
        )
    if filters.get("role"):
        query = query.where(
            sa.exists().where(UserRole.user_id == User.id, UserRole.role == filters["role"])
        )
    if filters.get("active"):
        query = query.where(User.active.is_(filters["active"] == "1"))
    return render_template(
        "directory/list_users.html", form=form, pagination=_page(query), labels=_labels()
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = UserForm(user, current_user, _laboratory_rows())
    if form.validate_on_submit():
        roles_before, active_before = set(user.roles), user.active
        try:
            services.update_user(
                user,
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                category=form.category.data,
                nationality=form.nationality.data,
                home_laboratory_id=form.home_laboratory_id.data,
                roles=form.roles.data,
                active=form.active.data,
            )
            db.session.commit()
        except InvalidValues as error:
            form.add_problems(error.fields)
        except IntegrityError:
            db.session.rollback()
            if not services.email_in_use(form.email.data, by_other_than=user):
                raise
            # Another admin gave this address to someone else a moment ago.
            form.email.errors.append(_("Another account already uses this email address."))
        else:
            _stay_signed_in(user)
            flash(_("%(name)s is saved.", name=user.full_name), "success")
            changed = set(user.roles) != roles_before or user.active != active_before
            if changed and user.id != current_user.id:
                flash(
                    _("Their roles or status changed: every session of theirs has ended."),
                    "info",
                )
            return redirect(url_for("directory.list_users"))
    return render_template("directory/edit_user.html", form=form, user=user)


def _edit_page(form, save, row, template, **context):
    """A new or edit page: ``save(row, form)`` a valid form (its redirect), else the form
    again, with every value typed kept and the messages next to their fields."""
    if form.validate_on_submit():
        response = save(row, form)
        if response is not None:
            return response
    return render_template(template, form=form, **context)


# Laboratories ----------------------------------------------------------------------------
@bp.route("/laboratories")
@role_required("admin")
def list_laboratories():
    form, filters = _filters(LaboratoryFilterForm)
    query = (
        sa.select(Laboratory)
        .options(selectinload(Laboratory.director).options(lazyload(User.directed_laboratories)))
        .order_by(Laboratory.name, Laboratory.id)
    )
    if filters.get("q"):
        text = filters["q"]
        query = query.where(
            sa.or_(
                *(
                    column.icontains(text, autoescape=True)
                    for column in (
                        Laboratory.name,
                        Laboratory.acronym,
                        Laboratory.city,
                        Laboratory.institution,
                    )
                )
            )
        )
    if filters.get("kind"):
        query = query.where(Laboratory.kind == filters["kind"])
    if filters.get("country"):
        query = query.where(Laboratory.country == filters["country"])
    return render_template(
        "directory/list_laboratories.html", form=form, pagination=_page(query), labels=_labels()
    )


def _save_laboratory(laboratory, form):
    """Save a valid form on ``laboratory``; a redirect, or None to show the form again."""
    try:
        granted = services.save_laboratory(laboratory, **form.values(), actor=current_user)
        db.session.commit()
    except InvalidValues as error:
        form.add_problems(error.fields)
        return None
    flash(_("The laboratory %(name)s is saved.", name=laboratory.name), "success")
    if granted:
        director = laboratory.director
        if director.id == current_user.id:
            _stay_signed_in(director)
            flash(_("You now have the director role."), "info")
        else:
            flash(
                _(
                    "%(name)s now has the director role (their sessions were ended, "
                    "so they sign in again to use it).",
                    name=director.full_name,
                ),
                "info",
            )
    return redirect(url_for("directory.list_laboratories"))


@bp.route("/laboratories/new", methods=["GET", "POST"])
@role_required("admin")
def new_laboratory():
    return _edit_page(LaboratoryForm(), _save_laboratory, Laboratory(),
                      "directory/edit_laboratory.html", laboratory=None)


@bp.route("/laboratories/<int:laboratory_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_laboratory(laboratory_id):
    laboratory = db.get_or_404(Laboratory, laboratory_id)
    return _edit_page(LaboratoryForm(laboratory), _save_laboratory, laboratory,
                      "directory/edit_laboratory.html", laboratory=laboratory)


# Programmes ------------------------------------------------------------------------------
@bp.route("/programmes")
@role_required("admin")
def list_programmes():
    form, filters = _filters(ProgrammeFilterForm)
    # Eligible categories load in one more query (the relationship is ``selectin``).
    query = sa.select(Programme).order_by(Programme.opens_on.desc(), Programme.name, Programme.id)
    if filters.get("q"):
        query = query.where(Programme.name.icontains(filters["q"], autoescape=True))
    if filters.get("direction"):
        query = query.where(Programme.direction == filters["direction"])
    if filters.get("active"):
        query = query.where(Programme.active.is_(filters["active"] == "1"))
    return render_template(
        "directory/list_programmes.html", form=form, pagination=_page(query), labels=_labels()
    )


def _save_programme(programme, form):
    """Save a valid form on ``programme``; a redirect, or None to show the form again."""
    try:
        services.save_programme(programme, **form.values(), actor=current_user)
        db.session.commit()
    except InvalidValues as error:
        form.add_problems(error.fields)
        return None
    flash(_("The programme %(name)s is saved.", name=programme.name), "success")
    return redirect(url_for("directory.list_programmes"))


@bp.route("/programmes/new", methods=["GET", "POST"])
@role_required("admin")
def new_programme():
    return _edit_page(ProgrammeForm(), _save_programme, Programme(),
                      "directory/edit_programme.html", programme=None)


@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_programme(programme_id):
    programme = db.get_or_404(Programme, programme_id)
    return _edit_page(ProgrammeForm(programme), _save_programme, programme,
                      "directory/edit_programme.html", programme=programme)


# Countries and their risk level ----------------------------------------------------------
def _country_gate():
    if not access.can_manage_countries(current_user):
        abort(403)


@bp.route("/countries")
@login_required
def list_countries():
    _country_gate()
    form, filters = _filters(CountryFilterForm)
    stored = {
        row.code: row
        for row in db.session.scalars(
            sa.select(Country).options(
                selectinload(Country.updated_by).options(lazyload(User.directed_laboratories))
            )
        )
    }
    entries = services.country_entries(filters.get("risk_level"), filters.get("q"), stored)
    return render_template(
        "directory/list_countries.html", form=form, pagination=paginate_list(entries, per_page=50),
        level_labels=RISK_LEVEL_LABELS,
    )


@bp.route("/countries/<code>", methods=["GET", "POST"])
@login_required
def edit_country(code):
    _country_gate()
    try:
        code = services.country_or_404(code)
    except Refused:
        abort(404)
    row = db.session.get(Country, code)
    form = CountryForm(obj=row)
    if row is None and not form.is_submitted():
        form.risk_level.data = "green"
    if form.validate_on_submit():
        try:
            services.set_country_level(code, form.risk_level.data, form.note.data or "",
                                       current_user)
            db.session.commit()
        except InvalidValues as error:
            db.session.rollback()
            form.add_problems(error.fields)
        else:
            flash(_("The risk level of %(country)s is now: %(level)s.",
                    country=country_name(code), level=RISK_LEVEL_LABELS[form.risk_level.data]),
                  "success")
            return redirect(url_for("directory.list_countries"))
    return render_template("directory/edit_country.html", form=form, code=code, row=row,
                           name=country_name(code))


# Requirement rules -----------------------------------------------------------------------
@bp.route("/rules")
@role_required("admin")
def list_rules():
    rules = db.session.scalars(
        sa.select(RequirementRule).order_by(RequirementRule.active.desc(),
                                            RequirementRule.code, RequirementRule.id)
    ).all()
    return render_template("directory/list_rules.html", rules=rules, words=rule_in_words,
                           switch_form=RuleSwitchForm())


def _save_rule(rule, form):
    try:
        services.save_rule(rule, **form.values(), actor=current_user)
        db.session.commit()
    except InvalidValues as error:
        db.session.rollback()
        form.add_problems(error.fields)
        return None
    flash(_("The rule %(name)s is saved.", name=rule.name), "success")
    return redirect(url_for("directory.list_rules"))


@bp.route("/rules/new", methods=["GET", "POST"])
@role_required("admin")
def new_rule():
    return _edit_page(RuleForm(), _save_rule, RequirementRule(), "directory/edit_rule.html",
                      rule=None)


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_rule(rule_id):
    rule = db.get_or_404(RequirementRule, rule_id)
    return _edit_page(RuleForm(rule), _save_rule, rule, "directory/edit_rule.html", rule=rule)


@bp.route("/rules/<int:rule_id>/switch", methods=["POST"])
@role_required("admin")
def switch_rule(rule_id):
    rule = db.get_or_404(RequirementRule, rule_id)
    form = RuleSwitchForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_rule_active(rule, not rule.active, actor=current_user)
    db.session.commit()
    if rule.active:
        flash(_("The rule %(name)s is on again: it applies to applications.", name=rule.name),
              "success")
    else:
        flash(_("The rule %(name)s is off: it no longer applies. You can switch it on again.",
                name=rule.name), "info")
    return redirect(url_for("directory.list_rules"))
