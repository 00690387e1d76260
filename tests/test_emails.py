"""Email addresses are checked as emails (issue 16 item 5), fast enough for a big import."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from kproducer.kaltura.errors import InvalidInput
from kproducer.services import emails


def library_accepts(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize("address", [
    "bob.kumar@example", "not-an-email", "a..b@example.com", ".a@example.com",
    "a@example.test", "a@localhost", "name@exa mple.com", "a@-example.com", "@example.com",
    "a@", "a@" + "bcdefghij." * 25 + "com",
])
def test_what_is_not_an_email_is_refused_with_the_reason(address):
    problem = emails.email_problem(address)
    assert problem and not problem.endswith(".") and problem[0].islower()
    with pytest.raises(InvalidInput) as raised:
        emails.check_email(address)
    assert str(raised.value) == f'"{address}" is not a valid email address: {problem}.'
    assert raised.value.exit_code == 2


@pytest.mark.parametrize("address", [
    "person1@example.com", "jane+tag@sub.example.org", "o'brien@example.ie",
    "héllo@exämple.com", "UPPER@EXAMPLE.COM", "a@b.co",
])
def test_an_email_passes(address):
    assert emails.email_problem(address) == ""
    assert emails.check_email(address) == address


def test_the_library_names_what_is_wrong():
    assert emails.email_problem("not-an-email") == "an email address must have an @-sign"
    assert "period" in emails.email_problem("bob.kumar@example")


ATOMS = st.text(alphabet="abcXYZ019.+-_'@ é!#", min_size=0, max_size=12)
DOMAINS = st.sampled_from(["example.com", "example", "EXAMPLE.COM", "ex..com", "-x.com",
                           "x-.com", "example.test", "localhost", "b.co", "xn--bcher-kva.ch",
                           "exämple.com", "1.2.3.4", "[1.2.3.4]", "a_b.com", ""])


@settings(max_examples=600, deadline=None)
@given(local=ATOMS, domain=DOMAINS)
def test_the_fast_path_agrees_with_the_library(local, domain):
    address = f"{local}@{domain}"
    assert (emails.email_problem(address) == "") == library_accepts(address), address


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_agrees_with_the_library(text):
    assert (emails.email_problem(text) == "") == library_accepts(text), text
