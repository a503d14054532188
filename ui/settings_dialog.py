"""The settings dialog, generated from the one declaration in ``engine.settings.SETTINGS``:
a spin box for each number, a check box for each flag, the help text beside and as tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.chat.openai_client import check_base_url
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
    QVBoxLayout,
    QWidget,
)

from .theme import colors

if TYPE_CHECKING:
    from grace_desktop.runner import Runner

_INT_MAX = 2**31 - 1
# Settings whose text the dialog checks before it closes (the check gives the reason a value
# cannot be used, or None), with what to do about it.
CHECKS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "llm_base_url": (check_base_url, "Correct it, or leave it empty to answer offline from your files."),
}
_WORDS = {"mb": "(MB)", "ms": "(ms)", "s": "(seconds)", "minutes": "(minutes)", "chars": "characters",
          "llm": "LLM", "html": "HTML", "url": "URL", "k": "results"}


def title(name: str) -> str:
    """``max_file_mb`` -> ``Max file (MB)``: a setting's name as a label."""
    text = " ".join(_WORDS.get(word, word) for word in name.split("_"))
    return text[0].upper() + text[1:]


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
        widget = QDoubleSpinBox()
        widget.setDecimals(3 if decl.minimum is not None and 0 < decl.minimum < 0.01 else 2)
        widget.setRange(decl.minimum if decl.minimum is not None else -1e12,
                        decl.maximum if decl.maximum is not None else 1e12)
        widget.setValue(float(value))
    else:
        widget = QLineEdit(str(value))
    widget.setToolTip(decl.help)
    widget.setObjectName(decl.name)
    return widget


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


class SettingsDialog(QDialog):
    """Edits the workspace's settings; ``changed()`` says what the person changed."""

    def __init__(self, values: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Grace — Settings")
        self.initial = dict(values)
        self.editors: dict[str, QWidget] = {}
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        form.setVerticalSpacing(4)
        for name, decl in SETTINGS.items():
            editor = self.editors[name] = editor_for(decl, values.get(name, decl.default))
            label = QLabel(title(name))
            label.setToolTip(decl.help)
            label.setBuddy(editor)
            form.addRow(label, editor)
            form.addRow("", _help_label(decl.help))
        scroll = QScrollArea()
        scroll.setWidget(form_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self.scroll_area = scroll
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {colors()['error']}")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("These settings belong to this workspace. Hover over one to read what it does."))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def problems(self) -> dict[str, str]:
        """The settings whose value cannot be used, each with a sentence saying why."""
        out = {}
        for name, (check, advice) in CHECKS.items():
            editor = self.editors.get(name)
            problem = check(str(value_of(editor))) if editor is not None else None
            if problem:
                out[name] = f"{title(name)}: {problem}. {advice}"
        return out

    def accept(self) -> None:
        """Close and save only when every value can be used; else say why and stay open."""
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
        return {name: value for name, value in self.values().items() if value != self.initial.get(name)}

    def restore_defaults(self) -> None:
        """Put every editor back to its declared default (saved only on OK)."""
        for name, decl in SETTINGS.items():
            set_value(self.editors[name], decl.default)


def _help_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {colors()['muted']}; font-size: small; margin-bottom: 6px")
    return label


def edit_settings(runner: Runner, parent: QWidget | None = None) -> None:
    """Read the settings, open the dialog (without blocking) and save what the person changes."""

    def show(values: dict[str, Any]) -> None:
        dialog = SettingsDialog(values, parent)
        dialog.accepted.connect(lambda: save_settings(runner, dialog.changed()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    runner.fetch("settings", lambda ws: ws.settings(), show)


def save_settings(runner: Runner, changed: dict[str, Any]) -> None:
    """Store ``changed`` settings in the workspace (in a worker); each change is audited."""
    if not changed:
        return

    def work(ws: Any) -> Any:
        out = None
        for name, value in changed.items():
            out = ws.set_setting(name, value) if out is None else out | ws.set_setting(name, value)
        return out

    runner.run_op(work, "saving the settings")
