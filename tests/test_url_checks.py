"""Service URLs with credentials or a broken host name are refused in one sentence (issue 15.10).

Everywhere a URL comes in: a profile's fields, the KALTURA_* variables, ``profile add``'s
options, and the accounts dialog. The password is never repeated in the sentence.
"""

from __future__ import annotations

import pytest
from cli_support import run_process, sandbox_env
from test_ui_accounts import dialog, fill  # noqa: F401 - the dialog fixture

from kproducer.local.account_profile import Profile, ProfileError, connection_settings

PASSWORD = "hunter2-Pa55"


def _profile(**changes: object) -> Profile:
    values: dict[str, object] = {"name": "prod", "partner_id": 1} | changes
    return Profile(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["service_url", "cnc_service_url", "kme_launch_url"])
@pytest.mark.parametrize("url", [f"http://user:{PASSWORD}@example.com",
                                 f"https://:{PASSWORD}@example.com/x", "https://user@example.com"])
def test_credentials_in_a_url_are_refused(field: str, url: str) -> None:
    with pytest.raises(ProfileError) as caught:
        _profile(**{field: url})
    sentence = str(caught.value)
    assert "must not carry a user name or password" in sentence
    assert "…@example.com" in sentence and "every link" in sentence
    assert PASSWORD not in sentence and "user" not in sentence.split("(")[1]


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("http://ex ample.com", "The service URL must not contain spaces, not 'http://ex ample.com'."),
        ("http://example.com/a b", "The service URL must not contain spaces"),
        ("http://exa<mple.com", "The service URL has an invalid host name 'exa<mple.com'."),
        ("http://-bad-.example.com", "The service URL has an invalid host name"),
        ("http://a..b.com", "The service URL has an invalid host name 'a..b.com'."),
    ],
)
def test_malformed_host_names_are_refused(url: str, sentence: str) -> None:
    with pytest.raises(ProfileError) as caught:
        _profile(service_url=url)
    assert str(caught.value).startswith(sentence)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "https://www.kaltura.com/",
                                 "http://localhost", "https://bücher.example", "http://[::1]:80",
                                 "https://my_host.internal/api"])
def test_ordinary_urls_still_pass(url: str) -> None:
    assert _profile(service_url=url).service_url == url.rstrip("/")


def test_the_environment_variable_is_named() -> None:
    with pytest.raises(ProfileError) as caught:
        connection_settings(_profile(), {"KALTURA_URL": f"http://u:{PASSWORD}@example.com"})
    assert str(caught.value).startswith("KALTURA_URL must not carry a user name or password")
    assert PASSWORD not in str(caught.value)


def test_profile_add_and_a_command_refuse_it_with_exit_2(info) -> None:
    bad = f"http://admin:{PASSWORD}@127.0.0.1:1"
    added = run_process("profile", "add", "creds", "--url", bad, env=sandbox_env(info))
    assert added.code == 2
    assert added.sentence.startswith("The service URL must not carry a user name or password")
    assert PASSWORD not in added.err + added.out
    spaced = run_process("profile", "add", "spaced", "--url", "http://ex ample.com",
                         env=sandbox_env(info))
    assert spaced.code == 2
    assert spaced.sentence == "The service URL must not contain spaces, not 'http://ex ample.com'."
    listed = run_process("events", "list", env=sandbox_env(info, KALTURA_URL=bad))
    assert listed.code == 2
    assert listed.sentence.startswith("KALTURA_URL must not carry a user name or password")
    assert PASSWORD not in listed.err + listed.out


def test_the_accounts_dialog_refuses_it(dialog, info) -> None:  # noqa: F811
    fill(dialog, info, name="Creds")
    url = f"http://u:{PASSWORD}@example.com"
    dialog.form.service_url.setText(url)
    dialog.form.service_url.textEdited.emit(url)
    dialog.save()
    text = dialog.outcome.text()
    assert text.startswith("⚠ The service URL must not carry a user name or password")
    assert PASSWORD not in text
