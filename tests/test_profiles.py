"""Profiles: validation, the profiles file (atomic, 0600, never silently overwritten), env overrides.

Also covers :mod:`kproducer.local.atomic`, which the profiles file is written with.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from kproducer import paths
from kproducer.local import atomic, redact
from kproducer.local.account_profile import (
    DEFAULT_SERVICE_URL,
    ENVIRONMENT_PROFILE,
    Profile,
    ProfileError,
    connection_settings,
)
from kproducer.local.profiles import (
    FORMAT_VERSION,
    ProfileFileError,
    ProfileNotFoundError,
    ProfileStore,
)

KS_V2 = "djJ8MTIzNDU2fGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJwYXJ0bmVySWQiOjF9.c2lnbmF0dXJlLXZhbHVl"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def prod(**changes: object) -> Profile:
    values: dict[str, object] = {
        "name": "Production",
        "partner_id": 12345,
        "admin_user_id": "admin@example.com",
    }
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


# --- Profile ---------------------------------------------------------------------------------


def test_defaults_and_normalisation() -> None:
    p = Profile(
        name="  Production ",
        partner_id="12345",  # type: ignore[arg-type]  # text fields of a form are accepted
        service_url="https://eu.kaltura.com/ ",
        player_uiconf_id=" 555 ",  # type: ignore[arg-type]
        cnc_uiconf_id="",  # type: ignore[arg-type]
        cnc_service_url="https://chat.example.com/",
    )
    assert p.name == "Production"
    assert p.partner_id == 12345
    assert p.service_url == "https://eu.kaltura.com"
    assert p.player_uiconf_id == 555
    assert p.cnc_uiconf_id is None
    assert p.cnc_service_url == "https://chat.example.com"
    assert Profile(name="x", partner_id=1).service_url == DEFAULT_SERVICE_URL
    assert Profile(name="x", partner_id=1).sandbox is False


def test_round_trip_through_dict() -> None:
    p = prod(kme_launch_url="https://kme.example.com/lti", kme_key="consumer-key", sandbox=True)
    assert Profile.from_dict(p.to_dict()) == p


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": "   "}, "The profile name must not be empty."),
        ({"name": "x" * 65}, "The profile name must be at most 64 characters."),
        ({"name": "bad\nname"}, "The profile name must not contain control characters."),
        ({"name": 7}, "The profile name must be text, not 7."),
        ({"partner_id": 0}, "The partner ID must be a positive whole number, not 0."),
        ({"partner_id": -5}, "The partner ID must be a positive whole number, not -5."),
        ({"partner_id": "abc"}, "The partner ID must be a positive whole number, not 'abc'."),
        ({"partner_id": True}, "The partner ID must be a positive whole number, not True."),
        ({"partner_id": 1.5}, "The partner ID must be a positive whole number, not 1.5."),
        ({"partner_id": None}, "The partner ID must be a positive whole number, not None."),
        ({"player_uiconf_id": -1}, "The player uiconf ID must be a positive whole number, not -1."),
        (
            {"service_url": "ftp://x.com"},
            "The service URL must be an http:// or https:// address, not 'ftp://x.com'.",
        ),
        (
            {"service_url": "https://"},
            "The service URL must be an http:// or https:// address, not 'https://'.",
        ),
        ({"service_url": ""}, "The service URL must not be empty."),
        (
            {"cnc_service_url": "chat.example.com"},
            "The CnC chat service URL must be an http:// or https:// address",
        ),
        (
            {"kme_launch_url": "javascript:alert(1)"},
            "The KME launch URL must be an http:// or https:// address",
        ),
        ({"sandbox": "yes"}, "The sandbox flag must be true or false, not 'yes'."),
    ],
)
def test_invalid_values_are_refused_with_a_sentence(
    changes: dict[str, object], sentence: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        prod(**changes)
    assert str(caught.value).startswith(sentence)
    assert "Traceback" not in str(caught.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"admin_user_id": KS_V2},
        {"kme_key": JWT},
        {"kme_launch_url": f"https://kme.example.com/launch?ks={KS_V2[:10]}"},
    ],
)
def test_secret_looking_values_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ProfileError, match="looks like a secret"):
        prod(**changes)


def test_a_known_secret_pasted_into_a_field_is_refused() -> None:
    secret = "0123456789abcdef0123456789abcdef-profile-test"
    redact.register_secret(secret)
    try:
        with pytest.raises(ProfileError, match="The KME key looks like a secret"):
            prod(kme_key=secret)
    finally:
        redact.forget_secret(secret)


@pytest.mark.parametrize(
    "field", ["admin_secret", "cnc_app_token", "kme_secret", "password", "token", "ks"]
)
def test_secret_fields_are_refused(field: str) -> None:
    data = {**prod().to_dict(), field: "whatever"}
    with pytest.raises(ProfileError) as caught:
        Profile.from_dict(data)
    assert str(caught.value) == (
        f"Profiles never hold secrets, so the setting {field!r} is not accepted; "
        "kproducer keeps secrets in the system keyring."
    )


def test_unknown_missing_and_malformed_settings() -> None:
    with pytest.raises(ProfileError, match="'colour' is not a profile setting"):
        Profile.from_dict({**prod().to_dict(), "colour": "blue"})
    with pytest.raises(ProfileError, match="The partner ID is missing"):
        Profile.from_dict({"name": "x"})
    with pytest.raises(ProfileError, match="The profile name is missing"):
        Profile.from_dict({"partner_id": 1})
    with pytest.raises(ProfileError, match="A profile must be a set of named settings"):
        Profile.from_dict(["name", "x"])  # type: ignore[arg-type]


# --- ProfileStore ----------------------------------------------------------------------------


def test_store_add_get_replace_remove(kproducer_home: Path) -> None:
    store = ProfileStore()
    assert store.path == paths.config_dir() / "profiles.json"
    assert store.path.is_relative_to(kproducer_home)
    assert store.all() == []
    assert store.save(prod()) is False
    assert store.save(prod(name="staging", partner_id=2)) is False
    assert store.names() == ["Production", "staging"]
    assert store.save(prod(player_uiconf_id=42)) is True
    assert ProfileStore().get("Production").player_uiconf_id == 42  # a fresh store reads the file
    assert store.remove("staging").partner_id == 2
    assert store.names() == ["Production"]


def test_missing_profiles_are_named(kproducer_home: Path) -> None:
    store = ProfileStore()
    with pytest.raises(
        ProfileNotFoundError, match=r"There is no profile named 'nope' \(profiles: none yet\)."
    ):
        store.get("nope")
    store.save(prod())
    with pytest.raises(ProfileNotFoundError, match=r"\(profiles: Production\)"):
        store.get("nope")
    with pytest.raises(ProfileNotFoundError, match="There is no profile named 'nope'"):
        store.remove("nope")


def test_file_format_permissions_and_no_leftovers(kproducer_home: Path) -> None:
    store = ProfileStore()
    store.save(prod())
    data = json.loads(store.path.read_text())
    assert data["version"] == FORMAT_VERSION
    assert data["profiles"] == [prod().to_dict()]
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700
    assert sorted(p.name for p in store.path.parent.iterdir()) == [
        ".profiles.json.lock",
        "profiles.json",
    ]


def test_an_existing_world_readable_file_becomes_owner_only(kproducer_home: Path) -> None:
    store = ProfileStore()
    store.path.write_text(json.dumps({"version": 1, "profiles": []}))
    store.path.chmod(0o644)
    store.save(prod())
    assert mode(store.path) == 0o600


CORRUPT_CASES = [
    (b'{"version": 1, "profiles": [', "is not valid JSON (line 1, column 29)"),
    (b"\xff\xfe garbage", "is not UTF-8 text"),
    (b"[1, 2]", "is not a kproducer profiles file (it has no format version)"),
    (b'{"profiles": []}', "is not a kproducer profiles file (it has no format version)"),
    (b'{"version": 0, "profiles": []}', "is not a kproducer profiles file (no list of profiles)"),
    (b'{"version": 1, "profiles": {}}', "is not a kproducer profiles file (no list of profiles)"),
    (
        b'{"version": 99, "profiles": []}',
        "was written by a newer kproducer (format 99; this version reads up to 1)",
    ),
    (
        b'{"version": 1, "profiles": [{"name": "a", "partner_id": -1}]}',
        "has an invalid profile (number 1): The partner ID must be a positive whole number, not -1; kproducer left it untouched.",  # never ".;"
    ),
    (
        b'{"version": 1, "profiles": [{"name": "a", "partner_id": 1, "admin_secret": "x"}]}',
        "has an invalid profile (number 1): Profiles never hold secrets",
    ),
    (
        b'{"version": 1, "profiles": [{"name": "a", "partner_id": 1}, {"name": "a", "partner_id": 2}]}',
        "has two profiles named 'a'",
    ),
]


@pytest.mark.parametrize(("content", "problem"), CORRUPT_CASES)
def test_a_bad_file_is_reported_and_never_overwritten(
    kproducer_home: Path, content: bytes, problem: str
) -> None:
    store = ProfileStore()
    store.path.write_bytes(content)
    for attempt in (
        store.all,
        lambda: store.get("a"),
        lambda: store.save(prod()),
        lambda: store.remove("a"),
    ):
        with pytest.raises(ProfileFileError) as caught:
            attempt()
        message = str(caught.value)
        assert message.startswith(f"The profiles file {store.path} {problem}")
        assert message.endswith("kproducer left it untouched.")
        assert caught.value.path == store.path
    assert store.path.read_bytes() == content


def test_an_unreadable_file_is_reported(kproducer_home: Path) -> None:
    store = ProfileStore()
    store.path.mkdir()  # a folder where the file should be: reading fails like a permission error
    with pytest.raises(
        ProfileFileError,
        match=r"could not be read \(Is a directory\); kproducer left it untouched.",
    ):
        store.all()


def test_move_aside_is_explicit_and_keeps_the_old_file(kproducer_home: Path) -> None:
    store = ProfileStore()
    assert store.move_aside() is None  # nothing to move
    store.path.write_bytes(b"{oops")
    moved = store.move_aside()
    assert moved is not None
    assert moved.name.startswith("profiles.json.corrupt-")
    assert moved.read_bytes() == b"{oops"
    assert store.all() == []
    store.save(prod())
    store.path.write_bytes(b"{oops again")
    again = store.move_aside()  # same second: a distinct name, nothing lost
    assert again is not None and again != moved
    assert again.read_bytes() == b"{oops again"
    assert moved.read_bytes() == b"{oops"


def test_move_aside_failure_is_a_sentence(
    kproducer_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProfileStore()
    store.path.write_bytes(b"{oops")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ProfileFileError, match=r"could not be moved aside \(Permission denied\)."):
        store.move_aside()
    assert store.path.read_bytes() == b"{oops"


def test_a_missing_folder_is_a_sentence(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "gone" / "profiles.json")
    with pytest.raises(ProfileFileError) as caught:  # the lock file cannot be created either
        store.save(prod())
    assert "could not be locked for writing (No such file or directory)" in str(caught.value)


def test_a_failed_write_is_a_sentence(
    kproducer_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProfileStore()
    store.save(prod())
    before = store.path.read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_text", full_disk)
    with pytest.raises(ProfileFileError) as caught:
        store.save(prod(name="other", partner_id=9))
    assert str(caught.value) == (
        f"The profiles file {store.path} could not be saved (No space left on device); "
        "the previous version is unchanged."
    )
    assert store.path.read_bytes() == before


def test_concurrent_saves_lose_nothing(kproducer_home: Path) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            ProfileStore().save(prod(name=f"p{n}", partner_id=n + 1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ProfileStore().all()) == 12


# --- environment overrides -------------------------------------------------------------------

ENV = {
    "KALTURA_URL": "https://sandbox.example.com/",
    "KALTURA_PARTNER_ID": "999",
    "KALTURA_ADMIN_USER_ID": "ops@example.com",
    "KALTURA_PLAYER_UICONF_ID": "11",
    "KALTURA_CNC_UICONF_ID": "22",
    "KALTURA_CNC_SERVICE_URL": "https://chat.example.com",
    "KALTURA_KME_URL": "https://kme.example.com/lti",
    "KALTURA_KME_KEY": "kme-consumer",
}


def test_environment_overrides_every_field() -> None:
    settings = connection_settings(prod(), ENV)
    p = settings.profile
    assert (p.service_url, p.partner_id, p.admin_user_id) == (
        "https://sandbox.example.com",
        999,
        "ops@example.com",
    )
    assert (p.player_uiconf_id, p.cnc_uiconf_id) == (11, 22)
    assert (p.cnc_service_url, p.kme_launch_url, p.kme_key) == (
        "https://chat.example.com",
        "https://kme.example.com/lti",
        "kme-consumer",
    )
    assert p.name == "Production"
    assert settings.profile_name == "Production"
    assert settings.from_environment == tuple(ENV)


def test_blank_variables_do_not_override() -> None:
    settings = connection_settings(
        prod(player_uiconf_id=5), {"KALTURA_PARTNER_ID": "  ", "KALTURA_PLAYER_UICONF_ID": ""}
    )
    assert settings.profile == prod(player_uiconf_id=5)
    assert settings.from_environment == ()


def test_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KALTURA_PARTNER_ID", "4321")
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "not-read-here")
    settings = connection_settings(None)  # os.environ by default
    assert settings.profile.partner_id == 4321
    assert settings.profile.name == ENVIRONMENT_PROFILE
    assert settings.profile.service_url == DEFAULT_SERVICE_URL
    assert settings.profile_name is None
    assert "KALTURA_ADMIN_SECRET" not in settings.from_environment


def test_no_account_at_all() -> None:
    with pytest.raises(
        ProfileError,
        match=r"No account is chosen: pick a profile \(--profile NAME\) or set KALTURA_PARTNER_ID",
    ):
        connection_settings(None, {})


@pytest.mark.parametrize(
    ("var", "value", "sentence"),
    [
        (
            "KALTURA_PARTNER_ID",
            "abc",
            "KALTURA_PARTNER_ID must be a positive whole number, not 'abc'.",
        ),
        (
            "KALTURA_PLAYER_UICONF_ID",
            "-3",
            "KALTURA_PLAYER_UICONF_ID must be a positive whole number, not '-3'.",
        ),
        (
            "KALTURA_URL",
            "kaltura.com",
            "KALTURA_URL must be an http:// or https:// address, not 'kaltura.com'.",
        ),
        ("KALTURA_KME_KEY", JWT, "KALTURA_KME_KEY looks like a secret"),
    ],
)
def test_invalid_environment_values_name_the_variable(var: str, value: str, sentence: str) -> None:
    with pytest.raises(ProfileError) as caught:
        connection_settings(prod(), {var: value})
    assert str(caught.value).startswith(sentence)


# --- atomic writes ---------------------------------------------------------------------------


def test_atomic_write_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        atomic.write_text(tmp_path / "a.txt", "héllo")
        atomic.write_bytes(tmp_path / "b.bin", b"\x00\x01")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert mode(tmp_path / "a.txt") == mode(tmp_path / "b.bin") == 0o600


def test_atomic_writer_streams_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with atomic.atomic_writer(target, newline="") as handle:
        handle.write("a,b\r\n")
        assert target.read_text() == "old"  # not visible until the block ends
    assert target.read_bytes() == b"a,b\r\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_a_failure_inside_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic.atomic_writer(target) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_a_missing_folder_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic.write_text(tmp_path / "missing" / "x", "data")
