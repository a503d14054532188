"""The governance policy: validated, copied into the workspace, versioned and audited.

The shipped default is ``resources/policies.yaml``. A workspace keeps the policy in
force at ``policies/policy.yaml`` and every version under ``policies/history/``
and in the ``policy_versions`` table; a change made by editing the file by hand is
picked up, checked and versioned like one made through ``set_policy``.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, text

from .. import audit
from ..errors import TableError
from ..paths import resources_dir
from .proposals import now
from .readers import NESTED_CHOICES

DEFAULTS: dict[str, Any] = {
    "auto_approve_threshold": 0.90,
    "protected_tables": [],
    "edits_need_approval": False,
    "edits_need_approval_for": [],
    "nested_json": "flatten",
    "min_classification_similarity": 0.25,
}


def default_policy() -> dict[str, Any]:
    """The shipped policy (the built-in defaults where the file leaves something out)."""
    path = resources_dir() / "policies.yaml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return validate(loaded or {})


def validate(policy: Any) -> dict[str, Any]:
    """A complete, checked copy of ``policy``; raises ``TableError`` saying what is wrong."""
    if not isinstance(policy, dict):
        raise TableError("The policy must be a mapping of settings to values.")
    unknown = sorted(set(policy) - set(DEFAULTS))
    if unknown:
        raise TableError(f"The policy has unknown settings: {', '.join(map(str, unknown))}.")
    out = {**DEFAULTS, **policy}
    for key in ("auto_approve_threshold", "min_classification_similarity"):
        value = out[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise TableError(f"The policy's {key} must be a number from 0 to 1, not {value!r}.")
        out[key] = float(value)
    for key in ("protected_tables", "edits_need_approval_for"):
        value = out[key] or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TableError(f"The policy's {key} must be a list of table names.")
        out[key] = sorted(set(value))
    if not isinstance(out["edits_need_approval"], bool):
        raise TableError("The policy's edits_need_approval must be true or false.")
    if out["nested_json"] not in NESTED_CHOICES:
        raise TableError(f"The policy's nested_json must be one of {', '.join(NESTED_CHOICES)}.")
    return out


def _body(policy: dict[str, Any]) -> str:
    return audit.canonical_json(policy)


class PolicyStore:
    """The policy in force in one workspace."""

    def __init__(self, folder: Path, write_engine: Engine, read_engine: Engine, write_lock: Any) -> None:
        self.folder = folder / "policies"
        self.file = self.folder / "policy.yaml"
        self._write, self._read, self._write_lock = write_engine, read_engine, write_lock
        self._lock = threading.Lock()
        self._cached: dict[str, Any] | None = None
        self._stamp: tuple[int, int] | None = None
        self.warning: str | None = None

    def current(self) -> dict[str, Any]:
        """The policy in force (a hand edit of the file is checked and versioned first)."""
        with self._lock:
            stamp = self._file_stamp()
            if self._cached is not None and stamp == self._stamp:
                return dict(self._cached)
            latest = self._latest()
            if latest is None:
                start = self._read_file() if self.file.exists() else None
                self._cached = self._record(start or default_policy(), "install")
            else:
                self._cached = self._adopt_file(latest)
            self._stamp = self._file_stamp()
            return dict(self._cached)

    def set(self, policy: dict[str, Any], actor: str = "user") -> dict[str, Any]:
        """Check ``policy``, make it the one in force as a new version, and audit the change."""
        checked = validate(policy)
        with self._lock:
            self._cached = self._record(checked, actor)
            self._stamp = self._file_stamp()
            return dict(self._cached)

    # -- helpers ---------------------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.file.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _latest(self) -> tuple[int, dict[str, Any]] | None:
        import json

        with self._read.connect() as conn:
            row = conn.execute(text("SELECT version, body FROM policy_versions ORDER BY version DESC LIMIT 1")).first()
        return (int(row[0]), json.loads(row[1])) if row else None

    def _read_file(self) -> dict[str, Any] | None:
        try:
            return validate(yaml.safe_load(self.file.read_text(encoding="utf-8")) or {})
        except (OSError, yaml.YAMLError, TableError) as exc:
            self.warning = f"The policy file {self.file} was not used: {exc}"
            return None

    def _adopt_file(self, latest: tuple[int, dict[str, Any]]) -> dict[str, Any]:
        """Version a valid hand edit of the file; otherwise keep (and rewrite) the last version."""
        on_disk = self._read_file() if self.file.exists() else None
        if on_disk is not None and _body(on_disk) != _body(latest[1]):
            return self._record(on_disk, "file")
        if on_disk is None:
            self._write_files(latest[1], latest[0], history=False)
        return latest[1]

    def _record(self, policy: dict[str, Any], actor: str) -> dict[str, Any]:
        body = _body(policy)
        with self._write_lock, self._write.begin() as conn:
            version = self._next_version(conn)
            conn.execute(text("INSERT INTO policy_versions(version, body, sha256, actor, created_at) "
                              "VALUES (:v, :b, :h, :a, :t)"),
                         {"v": version, "b": body, "h": hashlib.sha256(body.encode()).hexdigest(), "a": actor,
                          "t": now()})
            audit.append(conn, "policy", f"policy v{version}", {"policy": policy, "by": actor}, actor=actor)
            self._write_files(policy, version, history=True)
        return policy

    @staticmethod
    def _next_version(conn: Connection) -> int:
        return int(conn.execute(text("SELECT coalesce(max(version), 0) + 1 FROM policy_versions")).scalar_one())

    def _write_files(self, policy: dict[str, Any], version: int, history: bool) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        header = f"# Grace table policy, version {version}. Edit and save; Grace checks and versions changes.\n"
        content = header + yaml.safe_dump(policy, sort_keys=True)
        if history:
            (self.folder / "history").mkdir(exist_ok=True)
            (self.folder / "history" / f"policy-v{version:04d}.yaml").write_text(content, encoding="utf-8")
        tmp = self.file.with_suffix(".yaml.tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(self.file)
