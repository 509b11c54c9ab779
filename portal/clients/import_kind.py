"""The "clients" import kind: a spreadsheet of clients through the import hub.

Every row goes through the same rules as the client form (`services.create_client`):
CPF check digits, name, birth date, e-mail, phone, CEP and state; personal data is stored
encrypted with its blind indexes; the provenance is "Arquivo importado" with the file's
name (LGPD accountability). A CPF already registered is never a second client: the row is
skipped, naming the existing client. No consent is invented: consents need their own
evidence and are recorded on the client's page. The owner is the collaborator named in
the "Corretor" column (e-mail or name), else the import's default owner, else the
importing user's own collaborator. "Desfazer" deletes the clients the import created,
unless they already have proposals, links, consents or simulations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from portal.clients.models import Client, ClientEvent, Provenance
from portal.clients.queries import clients_for
from portal.clients.services import ClientInput, assignable_owners, create_client
from portal.core.crypto import get_keyring
from portal.core.documents import mask_cpf
from portal.core.errors import DomainError, FieldErrors
from portal.core.imports import records, values
from portal.core.imports.kinds import Field, Kind, Record, register_kind
from portal.people.import_user import import_user
from portal.people.models import Collaborator, User

NAME = "clients"
FIELDS = (
    Field("cpf", "CPF", ("CPF do cliente", "CPF_CLIENTE", "DOCUMENTO"), required=True),
    Field("name", "Nome", ("Nome do cliente", "NOME_CLIENTE", "CLIENTE"), required=True),
    Field("birth_date", "Data de nascimento", ("Nascimento", "DT_NASCIMENTO", "DATA NASCIMENTO")),
    Field("email", "E-mail", ("EMAIL",)),
    Field("phone", "Telefone", ("Celular", "FONE", "TELEFONE 1")),
    Field("phone_alt", "Telefone alternativo", ("Telefone 2", "FONE 2")),
    Field("cep", "CEP", ()),
    Field("street", "Logradouro", ("Endereço", "Endereco", "Rua")),
    Field("number", "Número", ("Numero", "Nº")),
    Field("complement", "Complemento", ()),
    Field("district", "Bairro", ()),
    Field("city", "Cidade", ("Município", "Municipio")),
    Field("state", "UF", ("Estado",)),
    Field("owner", "Corretor", ("Corretor responsável", "Vendedor", "E-mail do corretor")),
)
_TEXT = ("name", "email", "phone", "phone_alt", "cep", "street", "number", "complement", "district", "city")


def convert(cells: dict[str, Any], _bank: str) -> Record:
    cpf = values.cpf(cells.get("cpf"))
    row: Record = {key: values.text(cells.get(key)) for key in _TEXT}
    if not row["name"]:
        raise values.RowError("Nome em branco.")
    born = values.text(cells.get("birth_date"))
    row["birth_date"] = values.day(cells.get("birth_date"), "Data de nascimento") if born else None
    row["state"] = values.text(cells.get("state")).upper()
    row["owner"] = values.text(cells.get("owner"))
    row["cpf"] = cpf
    row["cpf_shown"] = mask_cpf(cpf)  # the preview never shows the whole CPF
    return row


def _owner(
    session: Session, user: User, named: str, default: int | None, known: dict[str, int]
) -> int | None:
    """The collaborator a row names (e-mail or name, among those the user may assign);
    `known` remembers the names already found in this batch."""
    if not named:
        return default
    key = named.strip().lower()
    if key in known:
        return known[key]
    stmt = assignable_owners(session, user).where(
        or_(func.lower(Collaborator.email) == key, func.lower(Collaborator.name) == key)
    )
    found = list(session.scalars(stmt.limit(2)))
    if len(found) != 1:
        raise DomainError(f"Corretor “{named[:40]}” não encontrado (use o e-mail ou o nome completo).")
    known[key] = found[0].id
    return found[0].id


def _registered(session: Session, cpfs: list[str]) -> dict[str, int]:
    """CPF → id of the clients already registered, in one query per chunk (blind index)."""
    ring = get_keyring()
    by_index = {ring.blind_index(cpf, "cpf"): cpf for cpf in cpfs}
    found: dict[str, int] = {}
    indexes = list(by_index)
    for start in range(0, len(indexes), records.LOOKUP_CHUNK):
        chunk = indexes[start : start + records.LOOKUP_CHUNK]
        stmt = select(Client.cpf_index, Client.id).where(Client.cpf_index.in_(chunk))
        for index, client_id in session.execute(stmt).tuples():
            if index is not None:
                found[by_index[index]] = client_id
    return found


def persist(
    session: Session, import_id: int, _bank: str, batch: Sequence[tuple[int, Record]]
) -> list[tuple[Any, ...]]:
    """Each row in a SAVEPOINT: created, skipped (CPF already registered) or refused."""
    actor, user = import_user(session, import_id)
    record = records.import_record(session, import_id)
    default_owner = (record.options or {}).get("owner_id")
    refused: list[tuple[Any, ...]] = []
    seen: dict[str, int] = {}
    owners: dict[str, int] = {}
    registered = _registered(session, [row["cpf"] for _, row in batch])
    for line, row in batch:
        cpf = row["cpf"]
        if cpf in seen:
            refused.append((line, f"CPF repetido (igual ao da linha {seen[cpf]})."))
            continue
        seen[cpf] = line
        existing_id = registered.get(cpf)
        if existing_id is not None:
            visible = session.scalar(clients_for(session, user).where(Client.id == existing_id))
            where = f"cliente nº {existing_id}" if visible is not None else "na carteira de outro corretor"
            refused.append((line, f"CPF já cadastrado ({where}): o cadastro existente foi mantido."))
            continue
        data = ClientInput(
            cpf=cpf,
            **{key: row[key] for key in _TEXT},
            birth_date=row["birth_date"].strftime("%d/%m/%Y") if isinstance(row["birth_date"], date) else "",
            state=row["state"],
            provenance=Provenance.IMPORT.value,
            provenance_detail=f"{record.filename} (importação nº {record.id})"[:200],
        )
        try:
            with session.begin_nested():
                owner_id = _owner(session, user, row["owner"], default_owner, owners)
                client = create_client(session, actor, user, data, owner_id=owner_id)
        except FieldErrors as errors:
            refused.append((line, " ".join(e.message for e in errors.errors), "error"))
            continue
        except DomainError as error:
            refused.append((line, error.message, "error"))
            continue
        records.link(session, record, client.cpf_index or "", client.id, line)  # keyed, no CPF hash
    session.flush()
    return refused


def revert(session: Session, import_id: int) -> int:
    """Delete the import's clients (and their timeline), unless one has moved on since."""
    ids = records.revertible_ids(session, import_id, "clients", ("client_events",), "clientes")
    session.execute(delete(ClientEvent).where(ClientEvent.client_id.in_(ids)))
    deleted = session.execute(delete(Client).where(Client.id.in_(ids)))
    records.forget(session, import_id)
    session.flush()
    return int(deleted.rowcount or 0)  # type: ignore[attr-defined]


KIND = register_kind(
    Kind(
        name=NAME,
        label="Planilha de clientes",
        fields=FIELDS,
        convert=convert,
        persist=persist,
        revert=revert,
        preview_columns=(("cpf_shown", "CPF"), ("name", "Nome"), ("city", "Cidade"), ("state", "UF")),
        needs_bank=False,
        standard_layout=True,
        audience="operations",
        batch_rows=200,
    )
)
