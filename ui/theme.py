"""Light and dark palettes on the Fusion style, following the system's colour scheme."""

from __future__ import annotations

from grace_desktop.qt import QApplication, QColor, QEvent, QObject, QPalette, QStyleFactory, Qt, QWidget

_LIGHT = {
    "Window": "#f3f4f6", "WindowText": "#1f2328", "Base": "#ffffff", "AlternateBase": "#f6f8fa",
    "ToolTipBase": "#ffffe1", "ToolTipText": "#1f2328", "Text": "#1f2328", "Button": "#eceef1",
    "ButtonText": "#1f2328", "BrightText": "#d1242f", "Highlight": "#2f6fde", "HighlightedText": "#ffffff",
    "Link": "#0b5cc7", "PlaceholderText": "#6e7781", "Mid": "#c9ced6", "Dark": "#a0a7b1", "Light": "#ffffff",
}
_DARK = {
    "Window": "#23262b", "WindowText": "#e6e8eb", "Base": "#1b1d21", "AlternateBase": "#25282d",
    "ToolTipBase": "#2d3138", "ToolTipText": "#e6e8eb", "Text": "#e6e8eb", "Button": "#2f333a",
    "ButtonText": "#e6e8eb", "BrightText": "#ff7b72", "Highlight": "#3b7ddd", "HighlightedText": "#ffffff",
    "Link": "#6cb0ff", "PlaceholderText": "#8b949e", "Mid": "#3d424a", "Dark": "#15171a", "Light": "#3d424a",
}

# Colours panes use for meaning (not decoration); read through ``colors()``.
_SEMANTIC = {
    False: {"error": "#b42318", "ok": "#1a7f37", "muted": "#6e7781", "banner": "#e8f0fe", "overlay": "#2f6fde",
            "warning": "#9a6700"},
    True: {"error": "#ff7b72", "ok": "#56d364", "muted": "#8b949e", "banner": "#1f2f4a", "overlay": "#3b7ddd",
           "warning": "#d29922"},
}


def is_dark() -> bool:
    """True when the system asks for a dark colour scheme (Qt 6.5+)."""
    app = QApplication.instance()
    if app is None:
        return False
    return QApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def colors() -> dict[str, str]:
    """Semantic colours (error, ok, muted, warning, banner, overlay) for the current scheme."""
    return _SEMANTIC[is_dark()]


def tint(widget: QWidget, role: str) -> None:
    """Write ``widget``'s text in the semantic colour ``role``, now and after every switch
    between light and dark (the palette change a switch brings re-applies it). Tinting a widget
    again changes its role (a note that was muted and now says an error)."""
    current = next((c for c in widget.children() if isinstance(c, _Tint)), None)
    if current is None:
        _Tint(widget, role)
    else:
        current.role = role
        current.apply()


class _Tint(QObject):
    def __init__(self, widget: QWidget, role: str) -> None:
        super().__init__(widget)
        self.widget, self.role = widget, role
        widget.installEventFilter(self)
        self.apply()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.PaletteChange:
            self.apply()
        return False

    def apply(self) -> None:
        color, pal = QColor(colors()[self.role]), self.widget.palette()
        if pal.color(QPalette.ColorRole.WindowText) != color:  # setting it sends a PaletteChange of its own
            pal.setColor(QPalette.ColorRole.WindowText, color)
            pal.setColor(QPalette.ColorRole.Text, color)
            self.widget.setPalette(pal)


def palette(dark: bool) -> QPalette:
    """The palette for a light or dark scheme."""
    pal = QPalette()
    for name, value in (_DARK if dark else _LIGHT).items():
        pal.setColor(getattr(QPalette.ColorRole, name), QColor(value))
    muted = QColor("#6b7079" if dark else "#9aa0a8")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, muted)
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor("#4a4f57" if dark else "#b8bec7"))
    return pal


def apply_theme(app: QApplication) -> None:
    """Use Fusion with the palette for the system's scheme, and follow the scheme when it changes."""
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(palette(is_dark()))
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: app.setPalette(palette(is_dark())))
