"""Password policy: the most common passwords and ones built from the user's own name or
e-mail are refused wherever a password is chosen (CLI, own change); messages in Portuguese."""

from __future__ import annotations

import pytest

from portal.core import passwords
from portal.core.errors import DomainError
from tests import factories
from tests.conftest import form_post

COMMON = ["1234567890", "password123", "qwertyuiop", "Password123!", "QWERTYUIOP"]


def test_the_bundled_list_has_at_least_ten_thousand_passwords():
    assert len(passwords.common_passwords()) >= 10_000


@pytest.mark.parametrize("candidate", COMMON)
def test_common_passwords_are_refused(candidate):
    with pytest.raises(DomainError, match="mais usadas"):
        passwords.check_policy(candidate, "maria@empresa.com", "Maria Souza")


@pytest.mark.parametrize(
    ("candidate", "email", "name"),
    [
        ("conceicao2024!", "jdavila@empresa.com", "João D'Ávila Conceição"),  # accents ignored
        ("CONCEIÇÃO-forte-9", "jdavila@empresa.com", "João D'Ávila Conceição"),
        ("Jdavila#2024x", "jdavila@empresa.com", "João D'Ávila Conceição"),  # e-mail local part
        ("silva.prado-77", "marina.prado@empresa.com", "Marina Silva"),
    ],
)
def test_passwords_built_from_name_or_email_are_refused(candidate, email, name):
    with pytest.raises(DomainError, match="nome ou pelo seu e-mail"):
        passwords.check_policy(candidate, email, name)


def test_an_unrelated_long_password_is_accepted():
    passwords.check_policy("cavalo-bateria-grampo", "joao.davila@empresa.com", "João D'Ávila Conceição")


def test_own_password_change_refuses_common_and_personal(client, db, login_as):
    user = login_as("agent", name="Rosângela Figueiredo")
    for candidate, message in [
        ("qwertyuiop", "mais usadas"),
        ("rosangela-2025", "nome ou pelo seu e-mail"),
    ]:
        response = form_post(
            client,
            "/account/password",
            {"current_password": factories.PASSWORD, "password": candidate, "confirm": candidate},
            token_page="/account/password",
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert passwords.verify_password(user.password_hash, factories.PASSWORD)


def test_cli_create_user_refuses_a_common_password(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "nova@empresa.com", "--name", "Nova", "--role", "agent",
              "--password", "password123"]
    )  # fmt: skip
    assert result.exit_code != 0 and "mais usadas" in result.output
