"""Collaborator, org unit and operator code services: validation, encryption, history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from portal.core.audit import SYSTEM, AuditEntry
from portal.core.documents import generate_cnpj, generate_cpf
from portal.core.errors import DomainError
from portal.people import collaborators, operator_codes, org
from portal.people.collaborators import CollaboratorInput
from portal.people.models import Membership
from portal.people.scope import visible_collaborator_ids
from tests import factories

CPF = "529.982.247-25"


def _raw(db, sql: str, **params):
    return db.execute(text(sql), params).one()


def test_create_encrypts_cpf_and_phone_and_keeps_names_exactly(db):
    team = factories.org_unit(db, "team")
    person = collaborators.create_collaborator(
        db,
        SYSTEM,
        CollaboratorInput(
            name="  Maria  D'Ávila   Conceição ",
            cpf=CPF,
            role_group="agent",
            email="Maria@Empresa.COM.br",
            phone="+55 (11) 91234-5678",
            hired_on=date(2026, 2, 1),
        ),
        unit_id=team.id,
    )
    assert person.name == "Maria D'Ávila Conceição"
    assert person.cpf == "52998224725" and person.phone == "11912345678"
    assert person.email == "maria@empresa.com.br"
    cpf_raw, phone_raw = _raw(db, "SELECT cpf, phone FROM collaborators WHERE id = :id", id=person.id)
    for raw in (cpf_raw, phone_raw):
        assert "52998224725" not in raw and "529.982" not in raw and "91234" not in raw
    assert collaborators.find_by_cpf(db, "52998224725").id == person.id
    membership = db.scalar(select(Membership).where(Membership.collaborator_id == person.id))
    assert (membership.org_unit_id, membership.valid_from, membership.valid_to) == (
        team.id,
        date(2026, 2, 1),
        None,
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.target == f"collaborator:{person.id}"))
    assert "52998224725" not in str(entry.details) and "Maria" not in str(entry.details)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cpf", "123.456.789-00", "CPF inválido."),
        ("cpf", "111.111.111-11", "CPF inválido."),
        ("cpf", "529a982b247c25", "CPF inválido."),
        ("cpf", "５２９９８２２４７２５", "CPF inválido."),
        ("name", "Col\x07aborador", "Caracteres inválidos."),
        ("email", "sem-arroba", "Informe um e-mail válido."),
        ("phone", "(20) 91234-5678", "Telefone inválido: DDD 20 não existe."),
        ("phone", "1234", "Telefone inválido: informe DDD e número, com 10 ou 11 dígitos."),
        ("name", "X" * 121, "Máximo de 120 caracteres."),
        ("role_group", "dono", "Grupo inválido."),
        ("user_email", "ninguem@teste.athenas", "Nenhum usuário com este e-mail."),
    ],
)
def test_bad_input_is_a_field_error(db, field, value, message):
    data = {"name": "Fulano", "cpf": CPF, "role_group": "agent", field: value}
    with pytest.raises(DomainError) as error:
        collaborators.create_collaborator(db, SYSTEM, CollaboratorInput(**data))
    assert (error.value.field, error.value.message) == (field, message)


def test_duplicate_cpf_is_refused_through_the_blind_index(db):
    collaborators.create_collaborator(
        db, SYSTEM, CollaboratorInput(name="Primeiro", cpf=CPF, role_group="agent")
    )
    with pytest.raises(DomainError) as error:
        collaborators.create_collaborator(
            db, SYSTEM, CollaboratorInput(name="Segundo", cpf="52998224725", role_group="agent")
        )
    assert (error.value.field, error.value.message) == ("cpf", "Já existe um colaborador com este CPF.")


def test_move_keeps_history_and_scoping_follows_dates(db):
    store = factories.org_unit(db, "store")
    team_a = factories.org_unit(db, "team", "Equipe A", store)
    team_b = factories.org_unit(db, "team", "Equipe B", store)
    sup_user = factories.user(db, role="supervisor")
    factories.collaborator(db, sup_user, team_a, role_group="supervisor")
    mover = factories.collaborator(db, None, team_a, since=date(2026, 1, 1))

    collaborators.move_collaborator(db, SYSTEM, mover, team_b.id, date(2026, 4, 1))

    history = collaborators.membership_history(db, mover)
    assert [(m.org_unit_id, m.valid_from, m.valid_to) for m in history] == [
        (team_b.id, date(2026, 4, 1), None),
        (team_a.id, date(2026, 1, 1), date(2026, 4, 1)),
    ]

    def visible(on):
        return set(db.scalars(visible_collaborator_ids(db, sup_user, on)))

    assert mover.id in visible(date(2026, 3, 15))
    assert mover.id not in visible(date(2026, 4, 1))
    with pytest.raises(DomainError, match="já está nesta unidade"):
        collaborators.move_collaborator(db, SYSTEM, mover, team_b.id, date(2026, 5, 1))
    with pytest.raises(DomainError, match="depois desta data"):
        collaborators.move_collaborator(db, SYSTEM, mover, team_a.id, date(2026, 3, 1))


def test_deactivate_closes_membership(db):
    team = factories.org_unit(db, "team")
    person = factories.collaborator(db, None, team, since=date(2025, 1, 1))
    collaborators.deactivate_collaborator(db, SYSTEM, person, date(2026, 6, 30))
    assert person.status == "inactive" and person.left_on == date(2026, 6, 30)
    assert collaborators.current_membership(db, person, date(2026, 6, 30)) is None
    assert collaborators.current_membership(db, person, date(2026, 6, 29)).org_unit_id == team.id
    with pytest.raises(DomainError, match="já está inativo"):
        collaborators.deactivate_collaborator(db, SYSTEM, person, date(2026, 7, 1))


def test_org_units_validate_cnpj_cep_and_hierarchy(db):
    company = org.create_unit(db, SYSTEM, kind="company", name="Promotora", cnpj=generate_cnpj())
    cases = [
        ({"kind": "company", "name": "Outra", "cnpj": "11.222.333/0001-00"}, "cnpj", "CNPJ inválido."),
        ({"kind": "sub_correspondent", "name": "Sub", "parent_id": company.id}, "cnpj", "CNPJ inválido."),
        (
            {"kind": "company", "name": "Dup", "cnpj": company.cnpj},
            "cnpj",
            "Já existe uma unidade com este CNPJ.",
        ),
        ({"kind": "team", "name": "Solta", "parent_id": company.id}, "parent_id", None),
        ({"kind": "store", "name": "Loja", "parent_id": company.id, "cep": "123"}, "cep", "CEP inválido."),
        ({"kind": "store", "name": "Loja", "parent_id": company.id, "state": "XX"}, "state", "UF inválida."),
        ({"kind": "store", "name": "L" * 121, "parent_id": company.id}, "name", "Máximo de 120 caracteres."),
    ]
    for data, field, message in cases:
        with pytest.raises(DomainError) as error:
            org.create_unit(db, SYSTEM, **data)
        assert error.value.field == field, data
        if message:
            assert error.value.message == message
    store = org.create_unit(
        db,
        SYSTEM,
        kind="store",
        name="Loja Sé",
        parent_id=company.id,
        cep="1310100",
        city="São Paulo",
        state="sp",
    )
    assert (store.cep, store.state) == ("01310100", "SP")
    team = org.create_unit(db, SYSTEM, kind="team", name="Equipe 1", parent_id=store.id)
    factories.collaborator(db, None, team)
    with pytest.raises(DomainError, match="transfira"):
        org.update_unit(db, SYSTEM, team, name="Equipe 1", parent_id=store.id, active=False)
    tree = org.org_tree(db)
    root = next(n for n in tree if n.unit.id == company.id)
    assert root.children[0].unit.id == store.id and root.children[0].children[0].members == 1


BANKS = {"facta", "daycoval"}  # what the caller reads from the bank registry


def test_operator_codes_unique_and_secret_encrypted(db):
    ana = factories.collaborator(db)
    bia = factories.collaborator(db)
    code = operator_codes.set_operator_code(
        db, SYSTEM, ana, bank_code="facta", operator_code=" AF123 ", secret="s3nh@-do-banco", banks=BANKS
    )
    assert code.operator_code == "AF123" and code.secret_set_at is not None
    raw = _raw(db, "SELECT secret FROM operator_codes WHERE id = :id", id=code.id)[0]
    assert "s3nh@" not in raw
    assert operator_codes.collaborator_by_operator_code(db, "facta", "AF123 ").id == ana.id
    assert operator_codes.operator_code_for(db, ana.id, "facta").id == code.id
    assert operator_codes.operator_code_for(db, ana.id, "pan") is None
    with pytest.raises(DomainError, match="outro colaborador"):
        operator_codes.set_operator_code(
            db, SYSTEM, bia, bank_code="facta", operator_code="AF123", banks=BANKS
        )
    with pytest.raises(DomainError, match="Banco desconhecido"):
        operator_codes.set_operator_code(db, SYSTEM, bia, bank_code="itau", operator_code="X", banks=BANKS)
    # Updating without a new secret keeps the stored one; clearing removes it.
    operator_codes.set_operator_code(db, SYSTEM, ana, bank_code="facta", operator_code="AF124", banks=BANKS)
    assert code.secret == "s3nh@-do-banco" and code.operator_code == "AF124"
    operator_codes.set_operator_code(
        db, SYSTEM, ana, bank_code="facta", operator_code="AF124", clear_secret=True, banks=BANKS
    )
    assert code.secret is None and code.secret_set_at is None


def test_user_link_is_one_to_one(db):
    login = factories.user(db, role="agent")
    collaborators.create_collaborator(
        db,
        SYSTEM,
        CollaboratorInput(
            name="Com Login", cpf=generate_cpf(), role_group="agent", user_email=login.email.upper()
        ),
    )
    with pytest.raises(DomainError, match="vinculado a outro"):
        collaborators.create_collaborator(
            db,
            SYSTEM,
            CollaboratorInput(name="Outro", cpf=generate_cpf(), role_group="agent", user_email=login.email),
        )
