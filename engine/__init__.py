"""Grace's headless engine. It never imports Qt; ``Workspace`` is its one face."""

import os as _os

# onnxruntime (1.31 at least) reports usage to Microsoft, on Linux too, and keeps a device id
# under ~/.cache/Microsoft, unless this is set before it loads. Nothing leaves Grace's machine.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"

from .changes import Changes
from .cpu import one_blas_thread
from .errors import AuditError, Cancelled, GraceError, IngestError, ModelError, SettingError
from .ingest import IngestReport
from .search import SearchHit
from .workspace import Workspace

one_blas_thread()

__all__ = ["AuditError", "Cancelled", "Changes", "GraceError", "IngestError", "IngestReport", "ModelError",
           "SearchHit", "SettingError", "Workspace"]
