"""Demo organisation: the promised shape, linked logins, and a second run changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.core.audit import AuditEntry
from portal.demo import seed
from portal.people import certifications, collaborators
from portal.people.constants import CertState
from portal.people.models import Certification, Collaborator, OperatorCode, OrgUnit
from portal.people.scope import visible_collaborator_ids
from portal.people.services import find_by_email


def _counts(db) -> tuple[int, ...]:
    return tuple(
        db.scalar(select(func.count()).select_from(model))
        for model in (OrgUnit, Collaborator, Certification, OperatorCode, AuditEntry)
    )


def test_demo_people_shape_and_idempotence(db):
    seed(db)
    first = _counts(db)
    seed(db)
    assert _counts(db) == first

    kinds = dict(db.execute(select(OrgUnit.kind, func.count()).group_by(OrgUnit.kind)).all())
    assert kinds == {"company": 1, "regional": 2, "store": 3, "team": 7, "sub_correspondent": 1}
    people = db.scalars(select(Collaborator)).all()
    assert len(people) == 20
    states = [certifications.certification_state(p, date.today()) for p in people]
    assert states.count(CertState.EXPIRING) == 3
    assert states.count(CertState.EXPIRED) == 2
    assert states.count(CertState.MISSING) == 1

    agent = collaborators.collaborator_for_user(db, find_by_email(db, "agente@demo.athenas"))
    assert certifications.certification_state(agent, date.today()) is CertState.EXPIRING
    supervisor_user = find_by_email(db, "supervisor@demo.athenas")
    team = set(db.scalars(visible_collaborator_ids(db, supervisor_user)))
    assert agent.id in team and 3 < len(team) < 20
    assert visible_collaborator_ids(db, find_by_email(db, "gerente@demo.athenas")) is None
