"""Reads and writes of documents, contents and chunks in the catalog.

Chunks belong to a *content* (a file's sha256), not to a path: two files with the
same bytes share one set of chunks and embeddings, and a moved file keeps them.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from . import audit
from .chunk import Chunk, embed_prefix
from .db import meta_get, meta_set
from .extract import TABLE_FORMATS


@dataclass
class DocRow:
    id: int
    path: str
    content_hash: str | None
    size: int | None
    mtime_ns: int | None
    format: str | None
    kind: str
    status: str
    error: str | None


_DOC_COLS = "id, path, content_hash, size, mtime_ns, format, kind, status, error"


# Formats whose reader makes of the same bytes what no other reader would: their contents are
# kept apart (an empty or mislabelled .pdf is not the .txt with its bytes). Plain text, Markdown,
# reStructuredText and code share one key, so a note renamed from .txt to .md keeps its passages.
_KEYED_BY_FORMAT = frozenset({"pdf", "docx", "html", "email"})


def content_key(digest: str, fmt: str | None) -> str:
    """The catalog's key for a file's bytes (sha256 hex ``digest``) read as format ``fmt``: a
    table's content, a PDF's, a DOCX's and an HTML page's are kept apart from the same bytes
    read another way."""
    if fmt in TABLE_FORMATS:
        return f"{digest}:table"
    return f"{digest}:{fmt}" if fmt in _KEYED_BY_FORMAT else digest


def partial_key(key: str, limits_tag: str) -> str:
    """The key of ``key``'s bytes read only in part under the limits named ``limits_tag``: kept
    apart from the whole file's, and from a read under other limits, so raising a limit reads
    the file again."""
    return f"{key}@{limits_tag}"


def current_content(conn: Connection, key: str, limits_tag: str) -> str | None:
    """The stored content of the bytes keyed ``key`` that is good under today's limits: read whole,
    or read in part under these same limits; None when there is none."""
    for candidate in (key, partial_key(key, limits_tag)):
        row = conn.execute(text("SELECT partial FROM contents WHERE hash=:h"), {"h": candidate}).first()
        if row is not None and (candidate != key or row[0] is None):
            return candidate
    return None


#: Joins a chunk ``c`` to what its heading path was embedded under (``ct.context``; for contents
#: older than schema 7, the first document's ``d.title`` or ``d.path``): see ``embedded_prefix``.
EMBEDDED_FROM = ("FROM chunks c JOIN contents ct ON ct.hash = c.content_hash LEFT JOIN documents d "
                 "ON d.id = (SELECT min(id) FROM documents WHERE content_hash = c.content_hash) ")


def embedded_prefix(row: Any) -> str:
    """What a chunk's text was embedded under (``chunk.embed_text``), from a row selected
    ``EMBEDDED_FROM`` with ``c.heading``, ``ct.context``, ``d.title`` and ``d.path``. Headingless
    chunks of contents from before schema 7 went under the first document's title or file name."""
    context = row.context or row.title or (Path(row.path).stem if row.path else "")
    return embed_prefix(row.heading, context)


def text_hash(embed_text: str) -> bytes:
    """Key for reusing an embedding of identical text."""
    return hashlib.blake2b(embed_text.encode("utf-8"), digest_size=16).digest()


def doc_by_path(conn: Connection, path: str) -> DocRow | None:
    row = conn.execute(text(f"SELECT {_DOC_COLS} FROM documents WHERE path=:p"), {"p": path}).first()
    return DocRow(*row) if row else None


def docs_under(conn: Connection, root: str) -> list[DocRow]:
    """Documents whose path lies inside folder ``root`` (a range scan on the path index)."""
    base = root.rstrip(os.sep + (os.altsep or ""))  # only separators: "notes\\" is a name on POSIX
    lo, hi = base + os.sep, base + chr(ord(os.sep) + 1)  # the next character sorts right after the separator
    rows = conn.execute(text(f"SELECT {_DOC_COLS} FROM documents WHERE path >= :lo AND path < :hi"),
                        {"lo": lo, "hi": hi})
    return [DocRow(*r) for r in rows]


def docs_with_content(conn: Connection, content_hash: str) -> list[DocRow]:
    rows = conn.execute(text(f"SELECT {_DOC_COLS} FROM documents WHERE content_hash=:h ORDER BY id"),
                        {"h": content_hash})
    return [DocRow(*r) for r in rows]


def content_exists(conn: Connection, content_hash: str) -> bool:
    return conn.execute(text("SELECT 1 FROM contents WHERE hash=:h"), {"h": content_hash}).first() is not None


def reusable_embeddings(conn: Connection, hashes: list[bytes], model: str
                        ) -> dict[bytes, tuple[bytes, bytes | None]]:
    """Stored embeddings (and token bits, where there are any) of texts already embedded by
    ``model``, keyed by text hash."""
    out: dict[bytes, tuple[bytes, bytes | None]] = {}
    for start in range(0, len(hashes), 500):
        part = hashes[start:start + 500]
        marks = ",".join(f":h{i}" for i in range(len(part)))
        params: dict[str, Any] = {f"h{i}": h for i, h in enumerate(part)}
        params["m"] = model
        rows = conn.execute(text(f"SELECT c.text_hash, c.embedding, t.bits FROM chunks c "
                                 f"LEFT JOIN chunk_tokens t ON t.chunk_id = c.id WHERE c.model=:m AND "
                                 f"c.text_hash IN ({marks})"), params)
        for r in rows:
            if r[2] is not None or bytes(r[0]) not in out:  # one with bits, where a copy has them
                out[bytes(r[0])] = (bytes(r[1]), bytes(r[2]) if r[2] is not None else None)
    return out


def insert_content(conn: Connection, content_hash: str, chunks: list[Chunk], vectors: np.ndarray,
                   model: str, context: str | None = None, partial: str | None = None,
                   token_bits: Sequence[bytes | None] | None = None) -> list[int]:
    """Store a new content with its chunks, float16 embeddings and token bits (``engine/late.py``;
    None where a chunk has none); returns the chunk ids. ``context`` is what its headingless
    chunks were embedded under; ``partial`` what of the file was not read into them, and why."""
    conn.execute(text("INSERT INTO contents(hash, chunk_count, context, partial) VALUES (:h, :n, :c, :p)"),
                 {"h": content_hash, "n": len(chunks), "c": context, "p": partial})
    ids = []
    blobs = vectors.astype(np.float16)
    for ordinal, (chunk, vec) in enumerate(zip(chunks, blobs, strict=True)):
        result = conn.execute(
            text("INSERT INTO chunks(content_hash, ordinal, text, heading, page, line_start, line_end, "
                 "text_hash, embedding, model) VALUES (:c, :o, :t, :hd, :pg, :ls, :le, :th, :e, :m)"),
            {"c": content_hash, "o": ordinal, "t": chunk.text, "hd": chunk.heading, "pg": chunk.page,
             "ls": chunk.line_start, "le": chunk.line_end, "th": text_hash(chunk.embed_text),
             "e": vec.tobytes(), "m": model},
        )
        ids.append(int(result.lastrowid))
    bits = [{"i": i, "b": b} for i, b in zip(ids, token_bits or (), strict=False) if b]
    if bits:
        conn.execute(text("INSERT INTO chunk_tokens(chunk_id, bits) VALUES (:i, :b)"), bits)
    if chunks:
        bump_generation(conn)
    return ids


def content_partial(conn: Connection, content_hash: str | None) -> str | None:
    """What of a content's file was not read into passages, and why (None: all of it was)."""
    row = conn.execute(text("SELECT partial FROM contents WHERE hash=:h"), {"h": content_hash}).first()
    return row[0] if row else None


def drop_content_if_orphan(conn: Connection, content_hash: str | None) -> list[int]:
    """Delete a content no document points at; returns the chunk ids that went with it."""
    if content_hash is None:
        return []
    if conn.execute(text("SELECT 1 FROM documents WHERE content_hash=:h LIMIT 1"), {"h": content_hash}).first():
        return []
    ids = [r[0] for r in conn.execute(text("SELECT id FROM chunks WHERE content_hash=:h"), {"h": content_hash})]
    conn.execute(text("DELETE FROM chunks WHERE content_hash=:h"), {"h": content_hash})
    conn.execute(text("DELETE FROM contents WHERE hash=:h"), {"h": content_hash})
    if ids:
        bump_generation(conn)
    return ids


def fail_content(conn: Connection, content_hash: str, reason: str) -> list[str]:
    """Record every document holding ``content_hash`` as failed with ``reason`` (a table file
    whose import failed after the ingest had read it), and drop the content; returns their paths."""
    paths = [r[0] for r in conn.execute(text("SELECT path FROM documents WHERE content_hash=:h AND status='ok' "
                                             "ORDER BY path"), {"h": content_hash})]
    conn.execute(text("UPDATE documents SET status='failed', error=:e, content_hash=NULL, updated_at=:t "
                      "WHERE content_hash=:h AND status='ok'"), {"e": reason, "t": time.time(), "h": content_hash})
    drop_content_if_orphan(conn, content_hash)
    return paths


def save_document(conn: Connection, path: str, *, content_hash: str | None, size: int | None,
                  mtime_ns: int | None, fmt: str | None, kind: str, status: str, error: str | None,
                  title: str | None = None) -> str | None:
    """Insert or update the document at ``path``; returns the content it pointed at before."""
    before = doc_by_path(conn, path)
    now = time.time()
    params = {"p": path, "c": content_hash, "s": size, "m": mtime_ns, "f": fmt, "k": kind, "st": status,
              "e": error, "t": title, "now": now}
    if before is None:
        conn.execute(text("INSERT INTO documents(path, content_hash, size, mtime_ns, format, kind, status, error, "
                          "title, ingested_at, updated_at) VALUES (:p, :c, :s, :m, :f, :k, :st, :e, :t, :now, :now)"),
                     params)
        return None
    conn.execute(text("UPDATE documents SET content_hash=:c, size=:s, mtime_ns=:m, format=:f, kind=:k, status=:st, "
                      "error=:e, title=COALESCE(:t, title), updated_at=:now WHERE path=:p"), params)
    return before.content_hash


def touch_document(conn: Connection, path: str, size: int, mtime_ns: int) -> None:
    """Record a new size/mtime for a file whose content did not change."""
    conn.execute(text("UPDATE documents SET size=:s, mtime_ns=:m WHERE path=:p"),
                 {"s": size, "m": mtime_ns, "p": path})


def move_document(conn: Connection, old: str, new: str, size: int, mtime_ns: int) -> None:
    conn.execute(text("UPDATE documents SET path=:n, size=:s, mtime_ns=:m, updated_at=:t WHERE path=:o"),
                 {"n": new, "o": old, "s": size, "m": mtime_ns, "t": time.time()})


def forget_document(conn: Connection, path: str) -> str | None:
    """Remove a document's row, keeping its content; returns the content it pointed at."""
    doc = doc_by_path(conn, path)
    if doc is None:
        return None
    conn.execute(text("DELETE FROM documents WHERE id=:i"), {"i": doc.id})
    heir = _copy_of(conn, doc)
    if heir is None:
        _withdraw_proposals(conn, path)
    else:
        _hand_over(conn, path, heir)
    return doc.content_hash


WITHDRAWN = "its document was removed"  # why a proposal waiting on a document that went away was rejected


def _copy_of(conn: Connection, doc: DocRow) -> str | None:
    """Another document read whole with ``doc``'s content (a copy of its file), one whose file is
    still there first; None when there is none."""
    if doc.content_hash is None:
        return None
    copies = [d.path for d in docs_with_content(conn, doc.content_hash) if d.status == "ok" and d.path != doc.path]
    return next((p for p in copies if os.path.exists(p)), copies[0] if copies else None)


def _hand_over(conn: Connection, path: str, heir: str) -> None:
    """A document removed while a copy of it stays: the copy takes over what was proposed or loaded
    from it (a copy's rows are those very rows), as a moved file does; the tables' rows follow in
    the ingest's follow-up. Nothing is handed over when nothing came of the file."""
    from .tables import proposals  # noqa: PLC0415 - the tables package imports this module

    if not proposals.of_file(conn, path):
        return
    proposals.rename_source(conn, path, heir)
    add_follow_up(conn, "move", heir, moved_from=path)
    audit.append(conn, "hand_over", heir, {"from": path}, actor="system")


def _withdraw_proposals(conn: Connection, path: str) -> list[int]:
    """Reject the table proposals still waiting on a document that is gone (its sheets' too):
    approving one later would load rows from a file Grace no longer holds. Returns their ids."""
    from .tables import proposals  # noqa: PLC0415 - the tables package imports this module

    withdrawn = proposals.of_file(conn, path, "pending")
    for pid in withdrawn:
        proposals.decide(conn, pid, "rejected", "system", WITHDRAWN)
        audit.append(conn, "reject", f"proposal {pid}", {"reason": WITHDRAWN}, actor="system")
    return withdrawn


def delete_document(conn: Connection, path: str) -> list[int]:
    """Remove a document; returns chunk ids that are no longer needed by any document."""
    return drop_content_if_orphan(conn, forget_document(conn, path))


def generation(conn: Connection) -> int:
    return int(meta_get(conn, "chunk_generation", "0") or 0)


def bump_generation(conn: Connection) -> None:
    meta_set(conn, "chunk_generation", str(generation(conn) + 1))


def embeddings_for(conn: Connection, ids: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, float32 vectors) of stored embeddings: all of them, or those of ``ids``."""
    if ids is None:
        rows = conn.execute(text("SELECT id, embedding FROM chunks WHERE embedding IS NOT NULL ORDER BY id")).all()
    else:
        rows = []
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ",".join(str(int(i)) for i in part)
            rows += conn.execute(text(f"SELECT id, embedding FROM chunks WHERE id IN ({marks}) "
                                      "AND embedding IS NOT NULL")).all()
    if not rows:
        return np.empty(0, np.int64), np.empty((0, 384), np.float32)
    keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1)
    return keys, vecs.astype(np.float32)


def embedding_count(conn: Connection) -> int:
    """How many passages the catalog holds, each stored with its embedding (summed per content:
    counting the chunks table itself reads all of it, 0.15 s at 100k passages)."""
    return int(conn.execute(text("SELECT COALESCE(sum(chunk_count), 0) FROM contents")).scalar_one())


def stored_chunk_ids(conn: Connection) -> np.ndarray:
    rows = conn.execute(text("SELECT id FROM chunks WHERE embedding IS NOT NULL")).all()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


# -- follow-up work for the tables (written with the document, done after the ingest) ------

def add_follow_up(conn: Connection, kind: str, path: str, content_hash: str | None = None, title: str | None = None,
                  fmt: str | None = None, moved_from: str | None = None) -> None:
    conn.execute(text("INSERT INTO follow_up(kind, path, content_hash, title, format, moved_from) "
                      "VALUES (:k, :p, :h, :t, :f, :m)"),
                 {"k": kind, "p": path, "h": content_hash, "t": title, "f": fmt, "m": moved_from})


def follow_ups(conn: Connection) -> list[dict[str, Any]]:
    """Follow-up work not done yet, oldest first."""
    rows = conn.execute(text("SELECT id, kind, path, content_hash, title, format, moved_from FROM follow_up "
                             "ORDER BY id"))
    return [dict(r._mapping) for r in rows]


def follow_up_done(conn: Connection, follow_up_id: int) -> None:
    conn.execute(text("DELETE FROM follow_up WHERE id = :i"), {"i": follow_up_id})
