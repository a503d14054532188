"""Grace's headless engine. It never imports Qt; ``Workspace`` is its one face."""

from .changes import Changes
from .errors import AuditError, Cancelled, GraceError, IngestError, ModelError, SettingError
from .ingest import IngestReport
from .search import SearchHit
from .workspace import Workspace

__all__ = ["AuditError", "Cancelled", "Changes", "GraceError", "IngestError", "IngestReport", "ModelError",
           "SearchHit", "SettingError", "Workspace"]
