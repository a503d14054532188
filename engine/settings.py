"""Settings, declared once: the same declaration drives the engine, the settings
dialog and the documentation (``grace settings``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import SettingError

_KIND = {int: "a whole number", float: "a number", bool: "true or false (yes/no, on/off, 1/0)", str: "text"}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(value: Any) -> bool:
    """A yes/no setting from a bool or its usual spellings; anything else is refused (not taken as no)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError(word)
    return word in _TRUE


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    on_read: bool = False  # read only when a file is read: files already read keep what it gave them
    limit: bool = False  # a reading limit: a file it cut short is read again once the limits change

    @property
    def type(self) -> type:
        return type(self.default)

    def coerce(self, value: Any) -> Any:
        """Turn ``value`` (possibly text from a CLI or dialog) into this setting's type."""
        try:
            out: Any = _flag(value) if self.type is bool else self.type(value)
        except (TypeError, ValueError) as exc:
            raise SettingError(f"Setting {self.name!r} needs {_KIND.get(self.type, 'a value of its kind')}, "
                               f"not {value!r}.") from exc
        if self.minimum is not None and out < self.minimum:
            raise SettingError(f"Setting {self.name!r} must be at least {self.minimum}.")
        if self.maximum is not None and out > self.maximum:
            raise SettingError(f"Setting {self.name!r} must be at most {self.maximum}.")
        return out


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("max_file_mb", 25.0, "Files larger than this many megabytes are not read.", 0.001, 10_000,
                on_read=True, limit=True),
        Setting("max_decompressed_mb", 200.0,
                "DOCX/XLSX archives that would expand beyond this many megabytes are refused.", 1, 100_000,
                on_read=True, limit=True),
        Setting("max_line_chars", 1_000_000,
                "A text line longer than this many characters marks a file as not prose.", 1000, 100_000_000,
                on_read=True, limit=True),
        Setting("max_html_depth", 512, "HTML nested deeper than this is flattened.", 16, 100_000, on_read=True,
                limit=True),
        Setting("max_pages", 5000, "PDF pages beyond this count are not read.", 1, 1_000_000, on_read=True,
                limit=True),
        Setting("max_chars", 8_000_000, "At most this many characters of text are kept per file.", 1000,
                1_000_000_000, on_read=True, limit=True),
        Setting("chunk_tokens", 200, "Target chunk size in model tokens.", 32, 250, on_read=True),
        Setting("chunk_overlap_tokens", 24, "Tokens repeated between neighbouring chunks.", 0, 100, on_read=True),
        Setting("search_k", 10, "How many results a search returns by default.", 1, 200),
        Setting("watch_debounce_ms", 300, "Quiet time after a change before a watched file is read.", 0, 60_000),
        Setting("reconcile_minutes", 10.0, "How often watched folders are rescanned in case events were missed.",
                0.1, 10_000),
        # -- chat --
        Setting("llm_base_url", "",
                "OpenAI-compatible endpoint for chat answers (e.g. http://127.0.0.1:8080/v1); empty: answer "
                "offline from your files. The API key is kept in the system keyring, never here."),
        Setting("llm_model", "", "Model name sent to the chat endpoint."),
        Setting("llm_timeout_s", 30.0, "Seconds to wait for the chat endpoint before answering offline.", 1, 600),
        Setting("abstain_threshold", 0.40,
                "Evidence below this strength (0-1) makes chat say it could not find the answer.", 0, 1),
        Setting("action_tiers", "",
                "Raise actions' governance tiers, e.g. 'ingest=3, add_rows=3' (never below an action's own)."),
    ]
}


def get_setting(name: str) -> Setting:
    """The declaration of ``name``; raises ``SettingError`` for an unknown name."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise SettingError(f"There is no setting called {name!r}.") from None
