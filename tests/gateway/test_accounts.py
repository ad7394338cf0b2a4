"""Accounts on the gateway's own database: hashed passwords, protected emails, tokens, invites."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from gateway.app import MIGRATIONS
from gateway.auth.accounts import Accounts
from gateway.auth.emails import EmailVault
from gateway.auth.tokens import TokenService
from gateway.errors import Unauthenticated
from gateway.models import Role
from services.common.db import make_engine, migrate
from services.common.problems import Conflict, Invalid, NotFound

SECRET = "unit-test-secret-0123456789-abcdefghij"


@pytest.fixture
def accounts(new_database):
    engine = make_engine(new_database("sqlite", "gateway"))
    migrate(engine, MIGRATIONS)
    yield Accounts(engine, EmailVault(SECRET))
    engine.dispose()


@pytest.fixture
def accounts_on(database_url):
    """The same on SQLite and on PostgreSQL."""
    engine = make_engine(database_url)
    migrate(engine, MIGRATIONS)
    yield Accounts(engine, EmailVault(SECRET))
    engine.dispose()


@pytest.mark.postgres
def test_an_account_is_found_by_its_email_whatever_the_case_on_both_databases(accounts_on):
    created = accounts_on.create("Rosa.Lopez@Example.org", "a long password", Role.volunteer, member_id=uuid4())

    found = accounts_on.authenticate("rosa.lopez@example.org", "a long password")

    assert found.id == created.id
    assert accounts_on.public(found).email == "rosa.lopez@example.org"


def test_the_wrong_password_and_an_unknown_email_fail_alike(accounts):
    accounts.create("rosa@example.org", "a long password", Role.volunteer)

    with pytest.raises(Unauthenticated) as wrong_password:
        accounts.authenticate("rosa@example.org", "another password")
    with pytest.raises(Unauthenticated) as unknown:
        accounts.authenticate("nobody@example.org", "a long password")

    assert wrong_password.value.detail == unknown.value.detail


def test_a_disabled_account_cannot_log_in(accounts):
    user = accounts.create("rosa@example.org", "a long password", Role.volunteer)
    accounts.set_active(user.id, False)

    with pytest.raises(Unauthenticated):
        accounts.authenticate("rosa@example.org", "a long password")


def test_short_passwords_and_bad_emails_are_refused_with_the_field_named(accounts):
    with pytest.raises(Invalid) as short:
        accounts.create("rosa@example.org", "short", Role.volunteer)
    with pytest.raises(Invalid) as bad_email:
        accounts.create("not an email", "a long password", Role.volunteer)

    assert short.value.extra["errors"][0]["field"] == "password"
    assert bad_email.value.extra["errors"][0]["field"] == "email"


def test_one_email_one_account(accounts):
    accounts.create("rosa@example.org", "a long password", Role.volunteer)

    with pytest.raises(Conflict):
        accounts.create("ROSA@example.org", "a long password", Role.coordinator, organization_id=uuid4())


def test_the_email_lookup_hash_depends_on_the_secret():
    assert EmailVault("one secret").lookup("rosa@example.org") != EmailVault("another").lookup("rosa@example.org")
    assert EmailVault("one secret").decrypt(EmailVault("another").encrypt("rosa@example.org")).startswith("(unreadable")


def test_a_token_speaks_for_its_account_until_the_role_changes(accounts):
    tokens = TokenService(SECRET, ttl_seconds=600)
    user = accounts.create("rosa@example.org", "a long password", Role.coordinator, organization_id=uuid4())
    claims = tokens.read(tokens.issue(user.id, "coordinator", user.token_version).token)

    assert accounts.user_for(claims).id == user.id
    accounts.set_role(user.id, Role.admin, None)
    assert accounts.user_for(claims) is None


def test_expired_forged_and_foreign_tokens_are_refused():
    tokens = TokenService(SECRET, ttl_seconds=60)
    expired = TokenService(SECRET, ttl_seconds=60)
    expired.ttl = timedelta(seconds=-5)

    assert tokens.read(expired.issue(uuid4(), "admin", 1).token) is None
    assert (
        tokens.read(TokenService("someone else's secret, just as long as ours", 60).issue(uuid4(), "admin", 1).token)
        is None
    )
    assert tokens.read("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.") is None


def test_an_invitation_is_used_once_and_expires(accounts):
    organization = uuid4()
    invite, code = accounts.create_invite(organization, uuid4(), timedelta(hours=1))
    _, stale_code = accounts.create_invite(organization, uuid4(), timedelta(seconds=-1))

    user = accounts.redeem_invite(code, "coord@example.org", "a long password", "fr", uuid4())

    assert (user.role, user.organization_id, user.locale) == (Role.coordinator, organization, "fr")
    with pytest.raises(Invalid):
        accounts.redeem_invite(code, "other@example.org", "a long password", "en", uuid4())
    with pytest.raises(Invalid):
        accounts.valid_invite(stale_code)
    assert len(code) >= 20 and code not in invite.code_hash


def test_only_supported_languages_are_remembered(accounts):
    user = accounts.create("rosa@example.org", "a long password", Role.volunteer)

    assert accounts.set_locale(user.id, "fr").locale == "fr"
    with pytest.raises(Invalid):
        accounts.set_locale(user.id, "xx")


def test_erasing_a_login_the_erasure_consumer_already_removed_is_not_an_error(accounts):
    """The member's tombstone can reach the gateway's consumer before the eraseMe request that
    caused it gets to the login: the second removal must simply find nothing to do."""
    created = accounts.create("rosa@example.org", "a long password", Role.volunteer, member_id=uuid4())
    assert accounts.discard(created.id) is True
    assert accounts.discard(created.id) is False
    with pytest.raises(NotFound):
        accounts.get(created.id)
