"""An applicant deletes their own draft, after confirming; its files go with it."""


import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, post_form
from tracker import access
from tracker.applications.models import Application, Document, Event
from tracker.applications.services import delete_draft
from tracker.applications.workflow import InvalidTransition
from tracker.core.errors import NotAllowed
from tracker.core.storage import storage
from tracker.notifications.models import Notification


def count(db, model, **where):
    query = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_the_applicant_confirms_then_the_draft_and_its_files_are_gone(client, db, login, make):
    draft = make.application(title="Field trip")
    draft_id = draft.id
    document = make.document(draft)
    key = document.stored_name
    make.notification(draft.applicant, application_id=draft.id)
    assert storage().exists(key)
    login(draft.applicant)

    page = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert f'href="/applications/{draft.id}/delete"' in page
    confirm = client.get(f"/applications/{draft.id}/delete")
    assert confirm.status_code == 200
    assert "Delete the draft" in confirm.get_data(as_text=True)
    assert 'method="post"' in confirm.get_data(as_text=True)
    # Nothing is deleted by looking at the confirmation page.
    assert count(db, Application, id=draft.id) == 1

    response = post_form(client, f"/applications/{draft.id}/delete", {},
                         page=f"/applications/{draft.id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/applications/")
    db.session.expunge_all()
    assert count(db, Application, id=draft_id) == 0
    assert count(db, Document, application_id=draft_id) == 0
    assert count(db, Event, application_id=draft_id) == 0
    assert count(db, Notification) == 0
    assert not storage().exists(key)


def test_deleting_without_the_csrf_token_is_refused(client, db, login, make):
    draft = make.application()
    login(draft.applicant)
    assert client.post(f"/applications/{draft.id}/delete").status_code == 400
    assert count(db, Application, id=draft.id) == 1


@pytest.mark.parametrize("status", ["submitted", "returned", "approved", "withdrawn"])
def test_only_a_draft_can_be_deleted(client, db, login, make, status):
    application = make.application(status=status)
    login(application.applicant)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "/delete" not in page
    assert client.get(f"/applications/{application.id}/delete").status_code == 409
    token = csrf_token(client, f"/applications/{application.id}")
    response = client.post(f"/applications/{application.id}/delete", data={"csrf_token": token})
    assert response.status_code == 409
    assert count(db, Application, id=application.id) == 1


def test_others_are_refused_before_the_state_is_looked_at(client, db, login, make):
    draft = make.application()
    admin = make.user(roles=("admin",))
    login(admin)
    assert client.get(f"/applications/{draft.id}/delete").status_code == 403
    with pytest.raises(NotAllowed):
        access.check_delete(admin, make.application(status="submitted"))
    assert access.can_delete(draft.applicant, draft)
    assert not access.can_delete(admin, draft)


def test_a_rolled_back_deletion_keeps_the_file(db, make):
    draft = make.application()
    document = make.document(draft)
    key = document.stored_name
    delete_draft(draft, draft.applicant)
    db.session.rollback()
    assert storage().exists(key)
    assert count(db, Application, id=draft.id) == 1


def test_the_service_refuses_a_submitted_application(db, make):
    application = make.application(status="submitted")
    with pytest.raises(InvalidTransition):
        delete_draft(application, application.applicant)
