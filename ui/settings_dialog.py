"""The settings dialog, generated from the one declaration in ``engine.settings.SETTINGS``:
a spin box for each number, a check box for each flag, the help text beside and as tooltip."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.chat.actions import check_setting
from engine.chat.openai_client import check_base_url
from engine.errors import PolicyViolation, SettingError
from engine.settings import SETTINGS, Setting
from grace_desktop.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)

from . import breakable
from .theme import colors, tint

if TYPE_CHECKING:
    from grace_desktop.runner import Runner

_INT_MAX = 2**31 - 1


class FittedLabel(QLabel):
    """A word-wrapped label exactly as tall as its text at the width it is given. A form layout
    sizes a wrapped label by its size hint, worked out at a guessed width, so a one-line help
    text got two lines' height and the gaps between settings were uneven."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setWordWrap(True)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        height = self.heightForWidth(self.width())
        if height > 0 and height != self.height():
            self.setFixedHeight(height)


class NumberBox(QDoubleSpinBox):
    """A spin box for a number that shows it as briefly as it is: "25" and "0.5", not "25.000"
    (three decimals for the smallest size a setting allows), which reads as twenty-five thousand
    where "." groups thousands."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        shown = self.locale().toString(float(value), "f", self.decimals())
        point = self.locale().decimalPoint()
        return shown.rstrip("0").rstrip(point) if point in shown else shown

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        return float(super().valueFromText(decimal_mark_as_point(text, self.locale().decimalPoint())))


def decimal_mark_as_point(text: str, point: str) -> str:
    """``text`` with the other decimal mark read as ``point`` where it cannot be grouping thousands:
    "2,5" is 2.5 where "." is the point (Qt would drop the comma and read 25); "2,500" stays."""
    other = "," if point == "." else "."
    mark = re.fullmatch(rf"\s*([-+]?\d+){re.escape(other)}(\d*)\s*", text)
    if mark is None or len(mark.group(2)) == 3:
        return text
    return f"{mark.group(1)}{point}{mark.group(2)}"


def check_tiers(text: str) -> str | None:
    """Why ``text`` cannot be the action policy (the engine's own reading of it), or None."""
    try:
        check_setting("action_tiers", text)
    except PolicyViolation as exc:
        return str(exc)
    return None


# Settings whose text the dialog checks before it closes (the check gives the reason a value
# cannot be used, or None), with what to do about it.
CHECKS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "llm_base_url": (check_base_url, "Correct it, or leave it empty to answer offline from your files."),
    "action_tiers": (check_tiers, "Correct it, or leave it empty to keep every action's own tier."),
}
KEY_MENU = "Chat ▸ Endpoint API key…"  # where the endpoint's API key is entered
LATER_NOTE = "Applies only to files read from now on."
LIMIT_NOTE = ("Applies to files read from now on; a file it cut short or refused is read again at the next "
              "ingest or rescan.")
_WORDS = {"mb": "(MB)", "ms": "(ms)", "s": "(seconds)", "minutes": "(minutes)", "chars": "characters",
          "llm": "LLM", "html": "HTML", "url": "URL", "k": "results"}


def title(name: str) -> str:
    """``max_file_mb`` -> ``Max file (MB)``: a setting's name as a label."""
    text = " ".join(_WORDS.get(word, word) for word in name.split("_"))
    return text[0].upper() + text[1:]


def label_of(name: str) -> str:
    """Setting ``name``'s label in words (its declared one, else one made from its name)."""
    return SETTINGS[name].label or title(name)


def editor_for(decl: Setting, value: Any) -> QWidget:
    """The widget that edits one setting, holding ``value``."""
    widget: QWidget
    if decl.type is bool:
        widget = QCheckBox()
        widget.setChecked(bool(value))
    elif decl.type is int:
        widget = QSpinBox()
        widget.setRange(int(decl.minimum if decl.minimum is not None else -_INT_MAX),
                        int(min(decl.maximum if decl.maximum is not None else _INT_MAX, _INT_MAX)))
        widget.setGroupSeparatorShown(True)
        widget.setValue(int(value))
    elif decl.type is float:
        widget = NumberBox()
        widget.setDecimals(decimals(decl, value))
        widget.setRange(decl.minimum if decl.minimum is not None else -1e12,
                        decl.maximum if decl.maximum is not None else 1e12)
        widget.setValue(float(value))
    else:
        widget = QLineEdit(str(value))
    widget.setToolTip(decl.help)
    widget.setObjectName(decl.name)
    return widget


def decimals(decl: Setting, value: Any) -> int:
    """Enough decimals to show ``value``, the default and the minimum as they are (2 to 6)."""
    numbers = [n for n in (value, decl.default, decl.minimum) if isinstance(n, int | float)]
    return max([2] + [len(f"{abs(n):.6f}".rstrip("0").partition(".")[2]) for n in numbers])


def unchanged(widget: QWidget, value: Any, initial: Any) -> bool:
    """True when ``value`` is what ``widget`` showed of ``initial`` (a spin box rounds to its decimals)."""
    if isinstance(widget, QDoubleSpinBox) and isinstance(initial, int | float):
        return abs(value - initial) <= 0.5 * 10 ** -widget.decimals() + 1e-12
    return bool(value == initial)


def problem_with(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be stored as setting ``name``, as a sentence; None when it can."""
    try:
        SETTINGS[name].coerce(value)
    except SettingError as exc:
        return str(exc)
    check, advice = CHECKS.get(name, (None, ""))
    problem = check(str(value)) if check is not None else None
    return f"{label_of(name)}: {problem.rstrip('.')}. {advice}" if problem else None


def value_of(widget: QWidget) -> Any:
    """What an editor from ``editor_for`` holds now."""
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    return widget.text()  # type: ignore[attr-defined]


def set_value(widget: QWidget, value: Any) -> None:
    """Make an editor from ``editor_for`` hold ``value``."""
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.setValue(value)
    else:
        widget.setText(str(value))  # type: ignore[attr-defined]


def sections() -> list[tuple[str, str, list[str]]]:
    """The settings in groups, each with its heading and what a change does to files already read
    (said once for the group, not under every setting): (heading, note, setting names)."""
    # What a person comes to change (the chat endpoint, answers, search) first; the reading limits last.
    groups = [("Search, answers and watched folders", "", [n for n, d in SETTINGS.items() if not d.on_read]),
              ("How files are cut into passages", LATER_NOTE,
               [n for n, d in SETTINGS.items() if d.on_read and not d.limit]),
              ("Limits on what Grace reads", LIMIT_NOTE, [n for n, d in SETTINGS.items() if d.limit])]
    return [g for g in groups if g[2]]


def _section_label(heading: str, note: str) -> QLabel:
    said = f"<br><span style='color: {colors()['muted']}'>{note}</span>" if note else ""
    label = FittedLabel(f"<b>{heading}</b>{said}")
    label.setStyleSheet("margin-top: 8px")
    return label


class KeyNote(QWidget):
    """Under the endpoint's URL: whether an API key is kept for it and where one is entered; when
    the URL is changed from one that has a key, a check box that moves the key along. A key is kept
    for one exact URL: a corrected URL went out with no key, and no word."""

    def __init__(self, editor: QLineEdit, url: str, keyed: bool) -> None:
        super().__init__()
        self.url, self.keyed = url.strip(), keyed
        self.carry = QCheckBox("Move the API key to the new URL")
        self.carry.setChecked(True)
        self.label = _help_label("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.carry)
        layout.addWidget(self.label)
        editor.textChanged.connect(self.show_for)
        self.show_for(editor.text())

    def show_for(self, url: str) -> None:
        """Say what becomes of the key with ``url`` in the box."""
        url = url.strip()
        moving = bool(url) and url != self.url and self.keyed
        self.carry.setVisible(moving)
        self.label.setText(self.sentence(url, moving))
        self.label.setVisible(bool(url))

    def sentence(self, url: str, moving: bool) -> str:
        """What the note says with ``url`` in the box (``moving``: the check box is offered)."""
        if moving:  # the old URL may be long: it breaks at its / and . rather than widening the dialog
            return (f"The API key stored for {breakable(self.url)} is kept for that exact URL: unless it is moved, "
                    f"Grace asks the new URL without a key (or enter another in {KEY_MENU} after saving).")
        if url == self.url and self.keyed:
            return f"An API key is stored for this URL; {KEY_MENU} replaces it."
        return f"If the endpoint needs an API key, enter it in {KEY_MENU} after saving."

    def moved_from(self) -> str | None:
        """The URL whose key goes to the new URL when the settings are saved, or None."""
        return self.url if not self.carry.isHidden() and self.carry.isChecked() else None


class SettingsDialog(QDialog):
    """Edits the workspace's settings; ``changed()`` says what the person changed."""

    def __init__(self, values: dict[str, Any], parent: QWidget | None = None, key_stored: bool = False) -> None:
        """``key_stored``: an API key is kept for the endpoint URL in ``values``."""
        super().__init__(parent)
        self.setWindowTitle("Grace — Settings")
        self.initial = dict(values)
        self.editors: dict[str, QWidget] = {}
        self.key_note: KeyNote | None = None
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        form.setVerticalSpacing(4)
        for heading, note, names in sections():
            form.addRow(_section_label(heading, note))
            for name in names:
                decl = SETTINGS[name]
                editor = self.editors[name] = editor_for(decl, values.get(name, decl.default))
                label = QLabel(label_of(name))
                label.setToolTip(decl.help)
                label.setBuddy(editor)
                form.addRow(label, editor)
                form.addRow("", _help_label(decl.help))
                if name == "llm_base_url" and isinstance(editor, QLineEdit):
                    self.key_note = KeyNote(editor, str(values.get(name, "")), key_stored)
                    form.addRow("", self.key_note)
        scroll = QScrollArea()
        scroll.setWidget(form_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard starts in the first field, not on the scroller
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self.scroll_area = scroll
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        tint(self.problem, "error")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These settings belong to this workspace."))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def problems(self) -> dict[str, str]:
        """The changed settings whose value cannot be used, each with a sentence saying why."""
        found = {name: problem_with(name, value) for name, value in self.changed().items()}
        return {name: problem for name, problem in found.items() if problem}

    def accept(self) -> None:
        """Close (and save) only when every changed value can be used; else say why and stay open."""
        problems = self.problems()
        if problems:
            name = next(iter(problems))
            self.problem.setText(" ".join(problems.values()))
            self.problem.show()
            self.scroll_area.ensureWidgetVisible(self.editors[name])
            self.editors[name].setFocus()
            return
        self.problem.hide()
        super().accept()

    def values(self) -> dict[str, Any]:
        return {name: value_of(editor) for name, editor in self.editors.items()}

    def changed(self) -> dict[str, Any]:
        """The settings whose value differs from when the dialog opened."""
        return {name: value for name, value in self.values().items()
                if not unchanged(self.editors[name], value, self.initial.get(name))}

    def key_from(self) -> str | None:
        """The endpoint URL whose API key moves to the new one on saving, or None."""
        return self.key_note.moved_from() if self.key_note is not None else None

    def restore_defaults(self) -> None:
        """Put every editor back to its declared default (saved only on OK)."""
        for name, decl in SETTINGS.items():
            set_value(self.editors[name], decl.default)


def _help_label(text: str) -> QLabel:
    """The help under a setting."""
    label = FittedLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # any spare height goes below
    label.setStyleSheet(f"color: {colors()['muted']}; font-size: small; margin-bottom: 6px")
    return label


def edit_settings(runner: Runner, parent: QWidget | None = None) -> None:
    """Read the settings, open the dialog (without blocking) and save what the person changes."""

    def read(ws: Any) -> tuple[dict[str, Any], bool]:
        values = ws.settings()
        return values, ws.chat.keys.has(str(values.get("llm_base_url", "")))  # the keyring: off the GUI thread

    def show(found: tuple[dict[str, Any], bool]) -> None:
        dialog = SettingsDialog(found[0], parent, key_stored=found[1])
        dialog.accepted.connect(lambda: save_settings(runner, dialog.changed(), getattr(parent, "flash", None),
                                                      dialog.key_from()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    runner.fetch("settings", read, show)


def save_settings(runner: Runner, changed: dict[str, Any], said: Callable[[str], None] | None = None,
                  key_from: str | None = None) -> None:
    """Store ``changed`` settings in the workspace (in a worker); each change is audited. With a
    changed endpoint URL, the API key of ``key_from`` moves to it. ``said`` (the status bar's note)
    hears which were saved, and what became of the key."""
    if not changed:
        return
    labels = [label_of(name) for name in changed]
    saved = f"Saved: {', '.join(labels[:3])}" + (f" and {len(labels) - 3} more" if len(labels) > 3 else "") + "."
    heard = [saved]

    def work(ws: Any) -> Any:
        problem = next(filter(None, (problem_with(name, value) for name, value in changed.items())), None)
        if problem:  # all or nothing: no value is stored unless every one can be
            raise SettingError(problem)
        changes = ws.set_settings(changed)  # one transaction: the dialog's OK saves all or nothing
        if "llm_base_url" in changed:
            heard.append(key_after_url_change(ws.chat.keys, key_from, str(changed["llm_base_url"])))
        return changes

    runner.run_op(work, "saving the settings", (lambda _changes: said(" ".join(filter(None, heard)))) if said else None)


def key_after_url_change(keys: Any, key_from: str | None, url: str) -> str:
    """Move the API key of ``key_from`` (if any) to the endpoint's new ``url`` (a ``KeyStore``'s
    keys); returns a sentence on the key the new URL goes with, empty when there is nothing to say."""
    url = url.strip()
    if key_from:
        return keys.move(key_from, url)
    if url and not keys.has(url):
        return f"No API key is stored for {url}; if the endpoint needs one, enter it in {KEY_MENU}"
    return ""
