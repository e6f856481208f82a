"""The daily command that announces the delegations starting today."""

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.notifications.models import Notification


def test_announce_delegations_tells_both_once(app, make):
    unit = make.lab("unit")
    director = make.director_of(unit, full_name="Dana Director")
    stand_in = make.user(lab=unit, full_name="Sid Standin")
    make.delegation(director, stand_in)  # starts today, written directly: not yet announced
    make.delegation(director, stand_in, date.today() + timedelta(days=10))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["announce-delegations"])
    assert result.exit_code == 0 and "1 delegation(s) announced." in result.output
    notices = db.session.execute(
        sa.select(Notification.user_id, Notification.subject).order_by(Notification.id)).all()
    assert notices == [(stand_in.id, "You stand in for Dana Director"),
                       (director.id, "Sid Standin stands in for you")]
    again = runner.invoke(args=["announce-delegations"])
    assert "0 delegation(s) announced." in again.output
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


def test_stand_ins_for_names_who_else_acts_today(make):
    from tracker import access

    unit = make.lab("unit")
    director = make.director_of(unit)
    stand_in = make.user(lab=unit)
    make.delegation(director, stand_in)
    later = make.user(lab=unit)
    make.delegation(director, later, date.today() + timedelta(days=30))
    assert access.stand_ins_for([director]) == {director.id: [stand_in]}
    assert access.stand_ins_for([director], date.today() + timedelta(days=30)) == {
        director.id: [later]}
    assert access.stand_ins_for([stand_in]) == {}
