"""Creating and editing clients through the service: validation, duplicates, owners."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.clients import services
from portal.clients.models import BenefitLink, Client, ClientEvent
from portal.clients.queries import ClientFilters, clients_page
from portal.clients.services import ClientInput, DuplicateClient, LinkInput
from portal.core.audit import Actor, AuditEntry
from portal.core.errors import DomainError
from tests import factories

CPF = "529.982.247-25"


def actor_of(user) -> Actor:
    return Actor(id=user.id, label=user.email)


def valid_input(**overrides: str) -> ClientInput:
    values = {
        "cpf": CPF,
        "name": "  Maria  D'Ávila   Conceição ",
        "birth_date": "15/03/1958",
        "email": "Maria@Exemplo.com.br",
        "phone": "(11) 98765-4321",
        "cep": "01310-100",
        "street": "Av. Paulista",
        "number": "1000",
        "city": "São Paulo",
        "state": "sp",
        "provenance": "agent",
    }
    values.update(overrides)
    return ClientInput(**values)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_agent_creates_client_owned_by_themself(db, org):
    client = services.create_client(db, actor_of(org.agent_user), org.agent_user, valid_input())
    assert client.owner_id == org.agent.id
    assert client.cpf == "52998224725"
    assert client.name == "Maria D'Ávila Conceição"  # accents and apostrophe kept
    assert client.name_search == "maria davila conceicao"
    assert client.birth_date == date(1958, 3, 15)
    assert client.email == "maria@exemplo.com.br"
    assert client.phone == "11987654321" and client.cep == "01310100" and client.state == "SP"
    assert db.scalar(select(ClientEvent.kind).where(ClientEvent.client_id == client.id)) == "client.created"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.target == f"client:{client.id}"))
    assert entry.action == "client.created" and "52998224725" not in str(entry.details)


def test_same_cpf_never_creates_a_second_record(db, org):
    first = services.create_client(db, actor_of(org.agent_user), org.agent_user, valid_input())
    with pytest.raises(DuplicateClient) as own:
        services.create_client(
            db, actor_of(org.agent_user), org.agent_user, valid_input(cpf="52998224725", name="Outra")
        )
    assert own.value.existing_id == first.id and own.value.visible
    assert own.value.message == "Este CPF já está cadastrado."
    with pytest.raises(DuplicateClient) as other:
        services.create_client(db, actor_of(org.peer_user), org.peer_user, valid_input())
    assert not other.value.visible
    assert "outro corretor" in other.value.message
    assert _count(db, Client) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cpf", "123.456.789-00", "CPF inválido"),
        ("cpf", "111.111.111-11", "CPF inválido"),
        ("cpf", "", "Informe o CPF"),
        ("name", "", "Nome: campo obrigatório."),
        ("name", "A" * 121, "máximo de 120"),
        ("email", "maria@", "e-mail válido"),
        ("phone", "(20) 91234-5678", "DDD 20"),
        ("phone", "11 1234", "Telefone inválido"),
        ("cep", "1234", "CEP inválido"),
        ("cep", "00000-000", "CEP inválido"),
        ("birth_date", "31/02/1960", "Data de nascimento inválida"),
        ("birth_date", "01/01/2999", "fora do intervalo"),
        ("state", "XX", "UF inválida"),
        ("provenance", "", "origem"),
        ("street", "R" * 201, "máximo de 200"),
    ],
)
def test_bad_input_is_refused_with_a_field_message_and_nothing_saved(db, org, field, value, message):
    with pytest.raises(DomainError) as error:
        services.create_client(db, actor_of(org.agent_user), org.agent_user, valid_input(**{field: value}))
    assert error.value.field == field
    assert message in error.value.message
    assert _count(db, Client) == 0


def test_import_provenance_needs_the_file_name(db, org):
    with pytest.raises(DomainError) as error:
        services.create_client(db, actor_of(org.agent_user), org.agent_user, valid_input(provenance="import"))
    assert error.value.field == "provenance_detail"
    client = services.create_client(
        db,
        actor_of(org.agent_user),
        org.agent_user,
        valid_input(provenance="import", provenance_detail="carteira-2025.xlsx"),
    )
    assert client.provenance_label == "Arquivo importado"


def test_owner_rules(db, org):
    lonely = factories.user(db, role="agent")
    with pytest.raises(DomainError, match="não está vinculado a um colaborador"):
        services.create_client(db, actor_of(lonely), lonely, valid_input())
    # An agent cannot hand the client to someone else.
    client = services.create_client(
        db, actor_of(org.agent_user), org.agent_user, valid_input(), owner_id=org.peer.id
    )
    assert client.owner_id == org.agent.id
    # A supervisor picks among the team; someone from another store is refused.
    with pytest.raises(DomainError, match="Corretor responsável inválido"):
        services.create_client(
            db,
            actor_of(org.supervisor_user),
            org.supervisor_user,
            valid_input(cpf="11144477735"),
            owner_id=org.other_store_agent.id,
        )
    mine = services.create_client(
        db,
        actor_of(org.supervisor_user),
        org.supervisor_user,
        valid_input(cpf="11144477735"),
        owner_id=org.peer.id,
    )
    assert mine.owner_id == org.peer.id
    # Back office may pick anyone, but must pick.
    with pytest.raises(DomainError, match="Escolha o corretor"):
        services.create_client(
            db, actor_of(org.operations_user), org.operations_user, valid_input(cpf="39053344705")
        )
    far = services.create_client(
        db,
        actor_of(org.operations_user),
        org.operations_user,
        valid_input(cpf="39053344705"),
        owner_id=org.other_store_agent.id,
    )
    assert far.owner_id == org.other_store_agent.id


def test_update_records_changed_fields_without_values(db, org):
    actor = actor_of(org.agent_user)
    client = services.create_client(db, actor, org.agent_user, valid_input())
    changed = services.update_client(
        db, actor, org.agent_user, client, valid_input(phone="(21) 99999-0000", name="Maria Conceição")
    )
    assert set(changed) == {"phone", "name"}
    assert client.phone == "21999990000" and client.name_search == "maria conceicao"
    event = db.scalar(select(ClientEvent).where(ClientEvent.kind == "client.updated"))
    assert "telefone" in event.summary and "99999" not in event.summary
    assert (
        services.update_client(
            db, actor, org.agent_user, client, valid_input(phone="(21) 99999-0000", name="Maria Conceição")
        )
        == []
    )


def test_benefit_links(db, org):
    actor = actor_of(org.agent_user)
    client = services.create_client(db, actor, org.agent_user, valid_input())
    link = services.add_link(
        db,
        actor,
        client,
        LinkInput(
            agreement="inss",
            benefit_number="123.456.789-0",
            benefit_kind="41",
            monthly_income="R$ 2.345,67",
            payout_bank="001",
            payout_agency="1234-5",
            payout_account="98765-x",
        ),
    )
    assert link.agreement == "INSS" and link.benefit_number == "1234567890"
    assert link.monthly_income == Decimal("2345.67") and link.payout_account == "98765-X"
    services.add_link(db, actor, client, LinkInput(agreement="GOV-SP", benefit_number="7788"))
    with pytest.raises(DomainError, match="já está vinculado"):
        services.add_link(db, actor, client, LinkInput(agreement="SIAPE", benefit_number="1234567890"))
    for bad, field in [
        (LinkInput(agreement="BANCO", benefit_number="1"), "agreement"),
        (LinkInput(agreement="INSS", benefit_number=""), "benefit_number"),
        (LinkInput(agreement="INSS", benefit_number="1", monthly_income="abc"), "monthly_income"),
        (LinkInput(agreement="INSS", benefit_number="1", payout_bank="1"), "payout_bank"),
    ]:
        with pytest.raises(DomainError) as error:
            services.add_link(db, actor, client, bad)
        assert error.value.field == field
    services.remove_link(db, actor, client, link.id)
    assert _count(db, BenefitLink) == 1


def test_list_searches_by_cpf_name_prefix_phone_and_benefit(db, org):
    actor = actor_of(org.agent_user)
    maria = services.create_client(db, actor, org.agent_user, valid_input())
    services.add_link(db, actor, maria, LinkInput(agreement="INSS", benefit_number="1234567890"))
    services.create_client(
        db, actor, org.agent_user, valid_input(cpf="11144477735", name="Mariana Souza", phone="")
    )
    services.create_client(
        db, actor, org.agent_user, valid_input(cpf="39053344705", name="José Maria", phone="")
    )

    def names(q):
        page = clients_page(db, org.agent_user, ClientFilters(q=q), None)
        return [c.name for c in page.items]

    assert names("529.982.247-25") == ["Maria D'Ávila Conceição"]
    assert names("52998224725") == ["Maria D'Ávila Conceição"]
    assert names("mari") == ["Maria D'Ávila Conceição", "Mariana Souza"]
    assert names("MARÍA D") == ["Maria D'Ávila Conceição"]
    assert names("jose") == ["José Maria"]
    assert names("maria") == ["Maria D'Ávila Conceição", "Mariana Souza"]  # prefix, not substring
    assert names("11 98765-4321") == ["Maria D'Ávila Conceição"]
    assert names("1234567890") == ["Maria D'Ávila Conceição"]
    assert names("99999") == []
    assert names("%") == []
    # Someone else's agent finds nothing, even by exact CPF.
    assert [c.name for c in clients_page(db, org.peer_user, ClientFilters(q=CPF), None).items] == []
