"""The endpoint's API key lives in the OS keyring, or for the session only; never in a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from engine import Workspace
from engine.chat.secrets import SERVICE, KeyStore, keyring_available

URL = "http://127.0.0.1:9/v1"
KEY = "sk-test-0123456789abcdef"


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")


@pytest.fixture
def backend() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(before)


@pytest.fixture
def no_backend() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_key_goes_to_the_keyring_under_the_base_url(backend: MemoryKeyring) -> None:
    store = KeyStore()
    note = store.set(URL, KEY)
    assert "system keyring" in note and keyring_available()
    assert backend.store == {(SERVICE, URL): KEY}
    assert KeyStore().get(URL) == KEY  # a new session finds it
    store.delete(URL)
    assert backend.store == {} and store.get(URL) is None


def test_without_a_keyring_the_key_is_kept_for_the_session_only(no_backend: None) -> None:
    store = KeyStore()
    note = store.set(URL, KEY)
    assert not keyring_available() and "session only" in note
    assert store.get(URL) == KEY
    assert KeyStore().get(URL) is None  # gone with the session


def test_a_keyring_that_refuses_keeps_the_key_for_the_session(backend: MemoryKeyring) -> None:
    keyring.set_keyring(BrokenKeyring())
    store = KeyStore()
    assert "session only" in store.set(URL, KEY) and store.get(URL) == KEY


def test_key_is_never_written_to_the_workspace_or_settings(ws: Workspace, backend: MemoryKeyring) -> None:
    ws.set_setting("llm_base_url", URL)
    ws.chat.set_api_key(KEY)
    assert backend.store[(SERVICE, URL)] == KEY
    assert KEY not in str(ws.settings())
    ws.close()
    for path in Path(ws.folder).rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


NEW_URL = "http://127.0.0.1:18082/v1"


def test_a_key_moves_to_a_corrected_url_and_leaves_the_old_one(backend: MemoryKeyring) -> None:
    store = KeyStore()
    store.set(URL, KEY)
    assert store.has(URL) and not store.has(NEW_URL) and not store.has("  ")
    note = store.move(URL, NEW_URL + " ")
    assert note == f"Moved the API key to {NEW_URL}." and "system keyring" in store.note
    assert backend.store == {(SERVICE, NEW_URL): KEY}  # one copy of the secret, under the URL in use
    assert store.has(NEW_URL) and not store.has(URL)


def test_a_move_never_overwrites_the_new_urls_own_key_and_says_when_there_was_none(no_backend: None) -> None:
    store = KeyStore()
    store.set(URL, KEY)
    store.set(NEW_URL, "sk-its-own")
    assert "already stored" in store.move(URL, NEW_URL)
    assert store.get(NEW_URL) == "sk-its-own" and store.get(URL) == KEY
    assert store.move("http://elsewhere/v1", "http://other/v1") == ("No API key was stored for http://elsewhere/v1, "
                                                                    "so none was moved.")
