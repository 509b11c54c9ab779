"""Login throttling that cannot be turned against others: per (account, address) lockout,
growing delays per account, a higher ceiling per address. Time moves on a fake clock."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import form_post

WRONG = "senha-errada-000"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(app.extensions["athenas.throttle"], "clock", fake)
    return fake


def _login(client, email, password, ip):
    return form_post(
        client, "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_attacker_at_one_address_does_not_stop_the_user_at_another(client, db, clock):
    user = factories.user(db)
    for _ in range(5):
        assert _login(client, user.email, WRONG, "203.0.113.66").status_code == 401
    blocked = _login(client, user.email, factories.PASSWORD, "203.0.113.66")
    assert blocked.status_code == 429 and "Muitas tentativas" in blocked.get_data(as_text=True)
    assert _login(client, user.email, factories.PASSWORD, "198.51.100.10").status_code == 302


def test_one_colleague_typing_wrong_does_not_block_the_office_behind_the_nat(client, db, clock):
    typo_prone, colleague = factories.user(db), factories.user(db)
    for _ in range(5):
        _login(client, typo_prone.email, WRONG, "192.0.2.1")
    assert _login(client, typo_prone.email, factories.PASSWORD, "192.0.2.1").status_code == 429
    assert _login(client, colleague.email, factories.PASSWORD, "192.0.2.1").status_code == 302


def test_the_pair_lockout_is_short(client, db, clock):
    user = factories.user(db)
    for _ in range(5):
        _login(client, user.email, WRONG, "203.0.113.66")
    clock.now += 4 * 60
    response = _login(client, user.email, factories.PASSWORD, "203.0.113.66")
    assert response.status_code == 429 and "Aguarde 60 s" in response.get_data(as_text=True)
    clock.now += 60
    assert _login(client, user.email, factories.PASSWORD, "203.0.113.66").status_code == 302


def test_failures_from_many_addresses_slow_the_account_down_with_growing_delays(client, db, clock):
    user = factories.user(db)
    for n in range(7):  # seven addresses, one wrong password each, a second apart
        assert _login(client, user.email, WRONG, f"203.0.113.{n + 1}").status_code == 401
        clock.now += 1
    clock.now -= 1  # right after the 7th failure: the 6th cost 1 s, the 7th costs 2 s
    slowed = _login(client, user.email, factories.PASSWORD, "198.51.100.10")
    assert slowed.status_code == 429 and "Aguarde 2 s" in slowed.get_data(as_text=True)
    clock.now += 2  # a delay, not a lock: after it the right password works
    assert _login(client, user.email, factories.PASSWORD, "198.51.100.10").status_code == 302


def test_an_address_spraying_many_accounts_hits_the_higher_ceiling(app, client, db, clock):
    user = factories.user(db)
    for n in range(49):
        _login(client, f"alvo{n}@empresa.com", WRONG, "203.0.113.99")
    assert _login(app.test_client(), user.email, factories.PASSWORD, "203.0.113.99").status_code == 302
    _login(client, "alvo-final@empresa.com", WRONG, "203.0.113.99")  # the 50th failure
    other = factories.user(db)
    assert _login(client, other.email, factories.PASSWORD, "203.0.113.99").status_code == 429
    assert _login(client, other.email, factories.PASSWORD, "198.51.100.10").status_code == 302


def test_wrong_second_factor_codes_count_as_failures(client, db, clock):
    import pyotp

    from portal.core.db import utcnow

    user = factories.user(db, role="finance", mfa_secret=pyotp.random_base32(), mfa_enabled_at=utcnow())
    _login(client, user.email, factories.PASSWORD, "203.0.113.7")
    env = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(5):
        assert (
            form_post(
                client, "/login/mfa", {"code": "000000"}, token_page="/login/mfa", environ_base=env
            ).status_code
            == 401
        )
    last = form_post(
        client,
        "/login/mfa",
        {"code": pyotp.TOTP(user.mfa_secret).now()},
        token_page="/login/mfa",
        environ_base=env,
    )
    assert last.status_code == 429
