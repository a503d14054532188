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
    label: str = ""  # the setting in a person's words, for the settings dialog

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
                on_read=True, limit=True, label="Largest file (MB)"),
        Setting("max_decompressed_mb", 200.0,
                "DOCX/XLSX archives that would expand beyond this many megabytes are refused.", 1, 100_000,
                on_read=True, limit=True, label="Largest unpacked DOCX/XLSX (MB)"),
        Setting("max_line_chars", 1_000_000,
                "A text line longer than this many characters marks a file as not prose.", 1000, 100_000_000,
                on_read=True, limit=True, label="Longest line of prose (characters)"),
        Setting("max_html_depth", 512, "HTML nested deeper than this is flattened.", 16, 100_000, on_read=True,
                limit=True, label="Deepest HTML nesting"),
        Setting("max_pages", 5000, "PDF pages beyond this count are not read.", 1, 1_000_000, on_read=True,
                limit=True, label="Most PDF pages read"),
        Setting("max_chars", 8_000_000, "At most this many characters of text are kept per file.", 1000,
                1_000_000_000, on_read=True, limit=True, label="Most characters kept per file"),
        Setting("chunk_tokens", 200, "How long a passage is, in the model's word pieces (tokens).", 32, 250,
                on_read=True, label="Passage size (model tokens)"),
        Setting("chunk_overlap_tokens", 24,
                "Tokens that neighbouring passages share, so words at a boundary keep their context.", 0, 100,
                on_read=True, label="Overlap between passages (tokens)"),
        Setting("search_k", 10, "How many results a search returns by default.", 1, 200, label="Search results"),
        Setting("watch_debounce_ms", 300, "How long a watched file must stay unchanged before it is read again.",
                0, 60_000, label="Wait after a change (ms)"),
        Setting("reconcile_minutes", 10.0, "How often watched folders are rescanned in case events were missed.",
                0.1, 10_000, label="Rescan watched folders every (minutes)"),
        # -- chat --
        Setting("llm_base_url", "",
                "OpenAI-compatible endpoint for chat answers (e.g. http://127.0.0.1:8080/v1); empty: answer "
                "offline from your files. The API key is kept in the system keyring, never here: enter it in "
                "Chat ▸ Endpoint API key….",
                label="Chat endpoint URL"),
        Setting("llm_model", "", "Model name sent to the chat endpoint.", label="Endpoint model name"),
        Setting("llm_timeout_s", 30.0, "Seconds to wait for the chat endpoint before answering offline.", 1, 600,
                label="Endpoint timeout (seconds)"),
        Setting("abstain_threshold", 0.40,
                "Chat says it could not find the answer when its best evidence is weaker than this (0 to 1).",
                0, 1, label="Least evidence to answer"),
        Setting("action_tiers", "",
                "Make kinds of action wait for more than they do by default: tier 2 waits for your approval, "
                "tier 3 for a confirmation with a typed reason. For example 'ingest=3, add_rows=3'. Nothing "
                "can need less than its kind's own tier.", label="Stricter approval for actions"),
    ]
}


def get_setting(name: str) -> Setting:
    """The declaration of ``name``; raises ``SettingError`` for an unknown name."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise SettingError(f"There is no setting called {name!r}.") from None
