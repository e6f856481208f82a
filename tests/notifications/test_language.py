"""Messages are written in their recipient's language, whoever triggers them and whatever
language the page that triggered them spoke."""

import sqlalchemy as sa
from flask_babel import force_locale

from tracker.applications.services import transition
from tracker.auth.registration import send_confirmation
from tracker.notifications.models import Notification
from tracker.notifications.services import notify, recipient_locale


def test_a_decision_reaches_each_person_in_their_own_language(app, db, make, french):
    applicant = make.user(lab=make.lab("unit"))
    applicant.locale = "fr"
    admin = make.user(roles=("admin",))
    admin.locale = "en"  # the actor, reading English
    application = make.application(applicant=applicant, status="endorsed",
                                   title="Séjour à Kyoto")
    db.session.commit()

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        transition(application, "approve", admin, version=application.version,
                   awarded_amount=application.requested_amount)
        db.session.flush()
    [message] = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == applicant.id)
    ).all()

    assert message.subject == f"{application.reference} : approuvée"
    # The sentence and the amount both in French, though the actor reads English.
    assert message.body.replace("\u202f", " ").replace("\xa0", " ") == (
        f"{admin.full_name} a approuvé votre demande {application.reference} "
        "« Séjour à Kyoto » : 1 500,00 € accordés.")


def test_the_same_message_in_two_languages_for_two_people(app, db, make, french):
    reader_of_french = make.user()
    reader_of_french.locale = "fr"
    reader_of_english = make.user()
    reader_of_english.locale = "en"
    no_choice = make.user()
    db.session.commit()
    calls = []

    def compose():
        from flask_babel import gettext

        calls.append(1)
        return gettext("Mobility tracker"), gettext("Page not found")

    # The actor's page is French: it must not leak into the others' messages.
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french_message, english_message, default_message = notify(
            [reader_of_french, reader_of_english, no_choice], compose)

    assert (french_message.subject, french_message.body) == (
        "Suivi des mobilités", "Page introuvable")
    assert (english_message.subject, english_message.body) == (
        "Mobility tracker", "Page not found")
    assert default_message.subject == "Mobility tracker"
    assert len(calls) == 2  # once per language, not once per person


def test_the_confirmation_link_goes_out_in_the_persons_language(app, db, make, french):
    person = make.user()
    person.locale = "fr"
    db.session.commit()
    with app.test_request_context("/"):
        [message] = send_confirmation(person)
    assert message.subject == "Confirmez votre adresse pour utiliser le suivi des mobilités"


def test_recipient_locale_is_their_choice_else_the_default(app, make):
    person = make.user()
    assert recipient_locale(person) == "en"
    person.locale = "fr"
    assert recipient_locale(person) == "fr"
    with force_locale("fr"):  # what the actor reads changes nothing
        person.locale = None
        assert recipient_locale(person) == "en"
