"""What the window remembers between runs (geometry, pane, column widths), kept with
QSettings under organization "Grace", application "Grace Desktop".

Workspace settings (chunk size, limits, …) are not here: they live in the workspace and
are declared in ``engine.settings``.
"""

from __future__ import annotations

from typing import Any

from .qt import QCoreApplication, QSettings

ORGANIZATION = "Grace"
APPLICATION = "Grace Desktop"


def set_application_names() -> None:
    """Name the application so QSettings finds its file (the app calls this at startup)."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)


def app_settings() -> QSettings:
    """The QSettings for this user, organization and application (in the default format,
    which tests set to an INI file in a temporary folder, under names of their own)."""
    if not QCoreApplication.organizationName():
        set_application_names()
    return QSettings()


def load(key: str, default: Any = None) -> Any:
    """A remembered value, or ``default``."""
    value = app_settings().value(key)
    return default if value is None else value


def save(key: str, value: Any) -> None:
    """Remember ``value`` under ``key``."""
    settings = app_settings()
    settings.setValue(key, value)
    settings.sync()


def load_bool(key: str, default: bool = False) -> bool:
    """A remembered flag (INI files give back text, so it is read leniently)."""
    value = load(key)
    if value is None:
        return default
    return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
