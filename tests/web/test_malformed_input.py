"""Malformed input found in review gets a clear answer (4xx, or the first page), never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from portal.banks.models import BankSimulation
from portal.proposals.pipeline_models import PendencyType
from sandbox_bank.scenarios import CPF_MARGIN_OK
from tests import factories
from tests.banks.portal_fixtures import hx_post, make_seller
from tests.conftest import form_post


def _cursor(values: object) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


TAMPERED_CURSORS = [
    _cursor([None]),
    _cursor([None, None]),
    _cursor([{"a": 1}]),
    _cursor([{}, {}]),
    _cursor(["abc"]),
    _cursor([10**22]),
    _cursor([True, 1]),
    _cursor([[1], 2]),
    "garbage!!",
    "%2500",  # "%00" as text (a NUL itself is refused at the door: see the last test)
]

PAGINATED = [
    ("agent", "/sales/clients"),
    ("agent", "/jobs/"),
    ("operations", "/operations/proposals"),
    ("admin", "/admin/users"),
    ("admin", "/admin/collaborators"),
    ("admin", "/admin/audit"),
    ("admin", "/admin/banks"),
    ("admin", "/admin/parameters"),
    ("admin", "/admin/privacy/retention"),
]


@pytest.mark.parametrize(("role", "path"), PAGINATED)
def test_tampered_cursors_restart_at_the_first_page(client, db, login_as, role, path):
    login_as(role)
    for cursor in TAMPERED_CURSORS:
        response = client.get(f"{path}?after={cursor}")
        assert response.status_code == 200, (path, cursor, response.status_code)


@pytest.fixture
def seller(db, login_as):
    return make_seller(db, login_as)


def test_simulation_with_a_benefit_link_that_is_not_an_id_is_refused(client, db, seller):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    page = f"/sales/clients/{customer.id}/simulate"
    base = {"product": "new", "mode": "amount", "requested_amount": "5.000,00", "term_months": "84"}
    for bad in ("abc", "-1", "9" * 23, "²"):
        response = hx_post(client, page, {**base, "benefit_link_id": bad, "banks": ["facta"]}, page)
        assert response.status_code == 422, (bad, response.status_code)
        assert "Escolha um benefício ou vínculo da lista." in response.get_data(as_text=True)
    assert db.scalar(select(BankSimulation).where(BankSimulation.client_id == customer.id)) is None


@pytest.mark.parametrize(
    ("simulation_id", "option"),
    [("abc", "0"), ("1", "abc"), ("9" * 23, "0"), ("1", "9" * 23), ("-1", "0"), ("1", "-1")],
)
def test_submission_with_ids_that_are_not_ids_is_refused(client, db, seller, simulation_id, option):
    customer = factories.selling_client(db, seller.collaborator, CPF_MARGIN_OK)
    response = hx_post(
        client,
        f"/sales/clients/{customer.id}/proposals",
        {"simulation_id": simulation_id, "option": option},
        token_page=f"/sales/clients/{customer.id}",
    )
    assert response.status_code in (404, 422), response.status_code


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        # Exact copy: SQLite's lower() kept the Í, so the insert hit the unique constraint.
        ("SELFIE ILEGÍVEL", "SELFIE ILEGÍVEL"),
        ("Contracheque ilegível", "CONTRACHEQUE ILEGIVEL"),
        ("Endereço divergente", "endereco  divergente"),
    ],
)
def test_pendency_type_named_like_an_existing_one_is_refused(client, db, login_as, existing, typed):
    login_as("operations")
    page = "/operations/pendency-types"
    assert form_post(client, page, {"name": existing}, page).status_code == 303

    response = form_post(client, page, {"name": typed}, page)

    assert response.status_code == 422
    assert "Já existe um tipo de pendência com esse nome." in response.get_data(as_text=True)
    names = [t.name for t in db.scalars(select(PendencyType))]
    assert names.count(existing) == 1 and (typed == existing or typed not in names)


def test_pendency_type_like_a_default_one_is_refused(client, db, login_as):
    login_as("operations")
    page = "/operations/pendency-types"
    response = form_post(client, page, {"name": "CPF INVÁLIDO"}, page)  # default: "CPF inválido"
    assert response.status_code == 422
    assert "Já existe um tipo de pendência com esse nome." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/sales/proposals?number=a%00b", None),
        ("get", "/jobs/?kind=%00", None),
        ("post", "/operations/pendency-types", {"name": "Selfie\x00ilegível"}),
    ],
)
def test_nul_characters_are_refused_before_any_view(client, db, login_as, method, path, data):
    """PostgreSQL refuses NUL in text: it used to surface as a 500 on every list and form."""
    login_as("operations")
    if method == "get":
        response = client.get(path)
    else:
        response = form_post(client, path, data, "/operations/pendency-types")
    assert response.status_code == 400
    assert "O pedido contém caracteres inválidos." in response.get_data(as_text=True)
    assert db.scalar(select(PendencyType).where(PendencyType.name.like("Selfie%"))) is None
