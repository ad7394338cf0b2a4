"""Answer-link tokens: only the signing key makes them, any change breaks them, they expire."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.common import answer_links
from services.common.answer_links import AnswerLink, ExpiredLink, InvalidLink

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def a_link(**changes) -> AnswerLink:
    values = dict(
        offer_id=uuid.uuid4(),
        member_id=uuid.uuid4(),
        action="accept",
        expires_at=NOW + timedelta(hours=1),
        language="fr",
    )
    return AnswerLink(**(values | changes))


def test_a_signed_link_reads_back_as_made():
    private, public = answer_links.new_key_pair()
    link = a_link()
    token = answer_links.sign(link, answer_links.private_key(private))
    assert answer_links.verify(token, answer_links.public_key(public), now=NOW) == link


def test_another_key_a_changed_claim_or_garbage_is_not_a_valid_link():
    private, public = answer_links.new_key_pair()
    other_private, _ = answer_links.new_key_pair()
    link = a_link()
    token = answer_links.sign(link, answer_links.private_key(private))
    payload, signature = token.split(".")
    as_decline = answer_links._b64(answer_links._unb64(payload).replace(b'"accept"', b'"decline"'))
    for bad in (
        answer_links.sign(link, answer_links.private_key(other_private)),
        f"{as_decline}.{signature}",
        f"{payload}.",
        "",
        "a.b.c",
        "%%%.%%%",
        token.replace(".", ""),
    ):
        with pytest.raises(InvalidLink):
            answer_links.verify(bad, answer_links.public_key(public), now=NOW)


def test_a_link_for_an_unknown_action_is_refused_even_when_signed():
    private, public = answer_links.new_key_pair()
    token = answer_links.sign(a_link(action="withdraw"), answer_links.private_key(private))
    with pytest.raises(InvalidLink):
        answer_links.verify(token, answer_links.public_key(public), now=NOW)


def test_an_expired_link_says_so_and_which_link_it_was():
    private, public = answer_links.new_key_pair()
    link = a_link(expires_at=NOW - timedelta(seconds=1))
    with pytest.raises(ExpiredLink) as expired:
        answer_links.verify(
            answer_links.sign(link, answer_links.private_key(private)), answer_links.public_key(public), now=NOW
        )
    assert expired.value.link.language == "fr"


def test_the_development_placeholder_gives_a_matching_pair_and_real_keys_must_be_keys():
    token = answer_links.sign(a_link(), answer_links.private_key("dev-only-insecure-secret"))
    answer_links.verify(token, answer_links.public_key("dev-only-insecure-secret"), now=NOW)
    with pytest.raises(ValueError):
        answer_links.public_key("not-a-key")


def test_an_unsubscribe_link_reads_back_and_is_never_an_answer_link():
    private, public = answer_links.new_key_pair()
    key, checker = answer_links.private_key(private), answer_links.public_key(public)
    link = answer_links.UnsubscribeLink(member_id=uuid.uuid4(), issued_at=NOW, language="fr")
    token = answer_links.sign_unsubscribe(link, key)
    assert answer_links.verify_unsubscribe(token, checker, now=NOW + timedelta(days=30)) == link
    with pytest.raises(InvalidLink):
        answer_links.verify(token, checker, now=NOW)
    with pytest.raises(InvalidLink):
        answer_links.verify_unsubscribe(answer_links.sign(a_link(), key), checker, now=NOW)
    with pytest.raises(InvalidLink):
        answer_links.verify_unsubscribe(token, checker, now=NOW + timedelta(days=answer_links.UNSUBSCRIBE_LINK_DAYS))
