"""The chat endpoint's API key: kept in the OS keyring, or for this session only.

The key is never written to a file, a setting or a log. Where no keyring backend
exists (keyring's ``fail.Keyring``, or a backend that raises), the key is held in
memory until Grace quits, and ``KeyStore.note`` says so in a sentence.
"""

from __future__ import annotations

import threading

SERVICE = "Grace Desktop"


def _keyring():
    """The keyring module, or None when it is not installed."""
    try:
        import keyring
    except ImportError:  # pragma: no cover - keyring is a dependency, but a frozen app may lack a backend
        return None
    return keyring


def keyring_available() -> bool:
    """True when a real keyring backend (not keyring's fail backend) is configured."""
    kr = _keyring()
    if kr is None:
        return False
    try:
        from keyring.backends import fail

        backend = kr.get_keyring()
        return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0
    except Exception:  # noqa: BLE001 - any failure to find a backend means "no keyring"
        return False


class KeyStore:
    """API keys by endpoint base URL."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}
        self._lock = threading.Lock()
        self.note = ""

    def set(self, base_url: str, key: str) -> str:
        """Store ``key`` for ``base_url``; returns a sentence saying where it went."""
        base_url = base_url.strip()
        if keyring_available():
            try:
                _keyring().set_password(SERVICE, base_url, key)
                with self._lock:
                    self._session.pop(base_url, None)
                self.note = "The API key is stored in the system keyring."
                return self.note
            except Exception as exc:  # noqa: BLE001 - the key must not be lost; keep it for the session
                self.note = (f"The system keyring refused the API key ({type(exc).__name__}); it is kept for "
                             "this session only and will be asked for again next time.")
        else:
            self.note = ("No system keyring is available, so the API key is kept for this session only "
                         "and will be asked for again next time.")
        with self._lock:
            self._session[base_url] = key
        return self.note

    def get(self, base_url: str) -> str | None:
        """The key for ``base_url`` (the session's copy first, then the keyring), or None."""
        base_url = base_url.strip()
        with self._lock:
            if base_url in self._session:
                return self._session[base_url]
        if not keyring_available():
            return None
        try:
            return _keyring().get_password(SERVICE, base_url)
        except Exception:  # noqa: BLE001
            return None

    def has(self, base_url: str) -> bool:
        """True when a key is kept for ``base_url`` (exactly that URL: a key is kept per URL)."""
        return bool(base_url.strip()) and bool(self.get(base_url))

    def move(self, old_url: str, new_url: str) -> str:
        """Keep the key of ``old_url`` for ``new_url`` instead (the URL was corrected), unless
        ``new_url`` has a key of its own; returns a sentence saying what became of it."""
        old_url, new_url = old_url.strip(), new_url.strip()
        if self.has(new_url):
            return f"An API key was already stored for {new_url}; Grace uses that one."
        key = self.get(old_url)
        if not key:
            return f"No API key was stored for {old_url}, so none was moved."
        self.set(new_url, key)  # where it went (keyring or session) is as it was: ``note`` says it again
        self.delete(old_url)
        return f"Moved the API key to {new_url}."

    def delete(self, base_url: str) -> None:
        """Forget the key for ``base_url`` everywhere it was kept."""
        base_url = base_url.strip()
        with self._lock:
            self._session.pop(base_url, None)
        if keyring_available():
            try:
                _keyring().delete_password(SERVICE, base_url)
            except Exception:  # noqa: BLE001 - nothing stored is fine
                pass
