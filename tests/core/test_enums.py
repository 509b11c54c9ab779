"""Enums with labels share one base, and every member has its Portuguese label."""

from __future__ import annotations

import pytest

import portal.model_registry  # noqa: F401  (imports every enum-defining model module)
from portal.core.enums import LabeledEnum
from portal.people.constants import CertState
from portal.people.permissions import Role
from portal.proposals.models import EventSource, Origin
from portal.proposals.pipeline_models import PendencyOwner
from portal.proposals.statuses import Status


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


@pytest.mark.parametrize(
    ("member", "label"),
    [
        (Status.PAID, "Paga"),
        (Role.ADMIN, "Administrador"),
        (Origin.IMPORT, "Importada"),
        (EventSource.WEBHOOK, "Notificação do banco"),
        (PendencyOwner.OPERATIONS, "Operações"),
        (CertState.MISSING, "Sem certificação"),
    ],
)
def test_labels_read_from_the_class_mapping(member, label):
    assert isinstance(member, LabeledEnum)
    assert member.label == label
    assert member == member.value  # still a plain string in the database and forms


def test_every_labelled_enum_labels_every_member():
    enums = _all_subclasses(LabeledEnum)
    assert len(enums) >= 15
    missing = [f"{enum.__name__}.{m.name}" for enum in enums for m in enum if m not in enum.__labels__]
    assert missing == []
