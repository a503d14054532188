"""The catalog database (``grace.sqlite``): connection setup, schema and migrations.

The schema is plain SQL run through SQLAlchemy 2.0 Core. ``PRAGMA user_version``
holds the schema version; ``MIGRATIONS[i]`` takes a workspace from version ``i`` to
``i + 1``, so an older workspace opens in a newer build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import QueuePool

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE contents (
    hash TEXT PRIMARY KEY,
    chunk_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    root TEXT,
    content_hash TEXT REFERENCES contents(hash),
    size INTEGER,
    mtime_ns INTEGER,
    format TEXT,
    kind TEXT NOT NULL DEFAULT 'text',
    status TEXT NOT NULL,
    error TEXT,
    title TEXT,
    ingested_at REAL,
    updated_at REAL
);
CREATE INDEX documents_content ON documents(content_hash);
CREATE INDEX documents_root ON documents(root);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: ids are the vector index's keys
    content_hash TEXT NOT NULL REFERENCES contents(hash) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    page INTEGER,
    line_start INTEGER,
    line_end INTEGER,
    text_hash BLOB NOT NULL,
    embedding BLOB,
    model TEXT,
    UNIQUE (content_hash, ordinal)
);
CREATE INDEX chunks_text_hash ON chunks(text_hash);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    heading, text, content='chunks', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, heading, text) VALUES (new.id, new.heading, new.text);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, heading, text) VALUES ('delete', old.id, old.heading, old.text);
END;
CREATE TABLE queue (
    path TEXT PRIMARY KEY,
    root TEXT,
    enqueued_at REAL NOT NULL
);
CREATE TABLE roots (path TEXT PRIMARY KEY, added_at REAL NOT NULL);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO meta(key, value) VALUES ('chunk_generation', '0');
"""

_V2 = """
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE watches (path TEXT PRIMARY KEY, added_at REAL NOT NULL);
"""


def _script(sql: str) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        raw = conn.connection.driver_connection
        for statement in _statements(sql):
            raw.execute(statement)  # type: ignore[union-attr]

    return run


def _statements(sql: str) -> list[str]:
    """Split a script at top-level semicolons (trigger bodies keep theirs)."""
    out, buf, depth = [], [], 0
    for line in sql.strip().splitlines():
        buf.append(line)
        upper = line.strip().upper()
        if upper.endswith("BEGIN"):
            depth += 1
        if upper.startswith("END;"):
            depth -= 1
        if line.rstrip().endswith(";") and depth == 0:
            out.append("\n".join(buf))
            buf = []
    return out


# Filled in by the tables (memory tables, proposals, policies) and chat (conversations,
# actions, facts) work; no workspace has been released with them empty.
_V3_TABLES = """
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                      -- new, append, schema_change, row, edit
    target TEXT NOT NULL,                    -- the table it changes
    status TEXT NOT NULL,                    -- pending, approved, rejected, applied
    confidence REAL NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',      -- JSON list of sentences
    row_count INTEGER NOT NULL DEFAULT 0,
    columns TEXT NOT NULL DEFAULT '[]',      -- JSON [{name, source_name, type}]
    sample TEXT NOT NULL DEFAULT '[]',       -- JSON rows
    source TEXT NOT NULL DEFAULT '',
    source_hash TEXT,
    plan TEXT NOT NULL DEFAULT '{}',         -- JSON: how to apply it (staging table, values, edit)
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    applied_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX proposals_status ON proposals(status, id);
CREATE INDEX proposals_source ON proposals(source);
CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL,                      -- canonical JSON of the policy
    sha256 TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

_V4_CHAT = """
CREATE TABLE chat_sessions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    role TEXT NOT NULL,                      -- 'user' or 'assistant'
    text TEXT NOT NULL,
    trace_id TEXT,
    confidence REAL,
    abstained INTEGER NOT NULL DEFAULT 0,
    reasoner TEXT,
    citations TEXT NOT NULL DEFAULT '[]',    -- JSON list of citations
    created_at REAL NOT NULL
);
CREATE INDEX chat_messages_session ON chat_messages(session_id, id);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES chat_sessions(id) ON DELETE SET NULL,
    message_id INTEGER REFERENCES chat_messages(id) ON DELETE SET NULL,
    type TEXT NOT NULL,
    params TEXT NOT NULL,                    -- JSON
    tier INTEGER NOT NULL,
    status TEXT NOT NULL,                    -- pending, approved, rejected, executed, failed
    summary TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    reason TEXT,
    result TEXT,
    error TEXT,
    created_at REAL NOT NULL,
    decided_at REAL,
    executed_at REAL
);
CREATE INDEX actions_status ON actions(status);
CREATE TABLE chat_feedback (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES chat_messages(id) ON DELETE CASCADE,
    rating INTEGER NOT NULL,                 -- +1 or -1
    chunk_id INTEGER,                        -- NULL: the answer as a whole
    path TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX chat_feedback_chunk ON chat_feedback(chunk_id);
CREATE TABLE facts (
    id INTEGER PRIMARY KEY,
    statement TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL DEFAULT '',
    confirmed_at REAL NOT NULL
);
"""

# How many chunks hold each (stemmed) term: lets search leave out words so common that
# scoring their postings costs more than they tell.
_V5_VOCAB = """
CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');
"""

# Work the tables owe committed documents (propose a table, file a catalog row, follow a
# move), written in the same transaction as the document, so neither a crash nor a
# cancel between the ingest and the tables step loses it.
_V6_FOLLOW_UP = """
CREATE TABLE follow_up (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,          -- 'table', 'text' or 'move'
    path TEXT NOT NULL,
    content_hash TEXT,
    title TEXT,
    format TEXT,
    moved_from TEXT
);
"""

# What a content's headingless chunks were embedded under (the file's title, else its name),
# so re-embedding after a model change rebuilds exactly what the ingest embedded.
_V7_CONTEXT = """
ALTER TABLE contents ADD COLUMN context TEXT;
"""

# A table file's content is keyed "<sha256>:table" (a table has no passages), so the same bytes
# as a .csv and as a .txt are two contents, each read its own way. Documents whose kind does
# not match their extension (a copy that took another kind's content) are read again.
_TABLE_SUFFIXES = ("csv", "tsv", "tab", "json", "jsonl", "ndjson", "xlsx", "xlsm", "parquet")
_IS_TABLE_FILE = "(" + " OR ".join(f"lower(path) LIKE '%.{s}'" for s in _TABLE_SUFFIXES) + ")"
_V8_TABLE_CONTENTS = f"""
INSERT OR IGNORE INTO contents(hash, chunk_count)
    SELECT DISTINCT content_hash || ':table', 0 FROM documents
    WHERE kind = 'table' AND content_hash IS NOT NULL AND content_hash NOT LIKE '%:table';
UPDATE documents SET content_hash = content_hash || ':table'
    WHERE kind = 'table' AND content_hash IS NOT NULL AND content_hash NOT LIKE '%:table';
UPDATE follow_up SET content_hash = content_hash || ':table'
    WHERE kind = 'table' AND content_hash IS NOT NULL AND content_hash NOT LIKE '%:table';
UPDATE documents SET size = NULL, mtime_ns = NULL WHERE (kind = 'table') != {_IS_TABLE_FILE};
DELETE FROM contents WHERE chunk_count = 0
    AND hash NOT IN (SELECT content_hash FROM documents WHERE content_hash IS NOT NULL);
"""

def _v9_closest(conn: Connection) -> None:
    """An answer that declines keeps the closest passages it found (JSON, like its citations)."""
    raw = conn.connection.driver_connection
    if "closest" not in {row[1] for row in raw.execute("PRAGMA table_info(chat_messages)")}:  # type: ignore[union-attr]
        raw.execute("ALTER TABLE chat_messages ADD COLUMN closest TEXT NOT NULL DEFAULT '[]'")  # type: ignore[union-attr]


def _v10_partial(conn: Connection) -> None:
    """What of a content's file was not read into passages, and why ("read the first 5,000 of
    7,200 pages (the max_pages setting)"); NULL when all of it was."""
    raw = conn.connection.driver_connection
    if "partial" not in {row[1] for row in raw.execute("PRAGMA table_info(contents)")}:  # type: ignore[union-attr]
        raw.execute("ALTER TABLE contents ADD COLUMN partial TEXT")  # type: ignore[union-attr]

# Each passage's token states from the model run that embedded it, one sign bit per dimension
# (engine/late.py); they leave with their chunk. Older chunks have none until re-embedded.
_V11_TOKENS = """
CREATE TABLE IF NOT EXISTS chunk_tokens (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    bits BLOB NOT NULL
);
"""


def _v12_deleted_chats(conn: Connection) -> None:
    """A deleted chat is kept, with the time it was deleted, until it is purged for good: deleting
    it can be undone (``Conversations.restore``). NULL: not deleted."""
    raw = conn.connection.driver_connection
    if "deleted_at" not in {row[1] for row in raw.execute("PRAGMA table_info(chat_sessions)")}:  # type: ignore[union-attr]
        raw.execute("ALTER TABLE chat_sessions ADD COLUMN deleted_at REAL")  # type: ignore[union-attr]


MIGRATIONS: list[Callable[[Connection], None]] = [
    _script(_V1), _script(_V2), _script(_V3_TABLES), _script(_V4_CHAT), _script(_V5_VOCAB), _script(_V6_FOLLOW_UP),
    _script(_V7_CONTEXT), _script(_V8_TABLE_CONTENTS), _v9_closest, _v10_partial, _script(_V11_TOKENS),
    _v12_deleted_chats,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    # casefold(x): SQLite's LIKE and lower() fold ASCII only ("über" never finds "Über").
    dbapi_conn.create_function("casefold", 1, lambda x: x.casefold() if isinstance(x, str) else x,
                               deterministic=True)


def open_engine(path: Path, write: bool = False) -> Engine:
    """A SQLAlchemy engine on ``path`` with WAL and foreign keys.

    The write engine holds one connection whose transactions take SQLite's write
    lock at BEGIN (one writer at a time); the read engine pools connections for
    readers, which WAL lets run while a write is under way.
    """
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=1 if write else 4,
        max_overflow=0 if write else 8,
        pool_timeout=600,
        connect_args={"check_same_thread": False, "isolation_level": None},
    )
    event.listen(engine, "connect", _on_connect)
    begin_sql = "BEGIN IMMEDIATE" if write else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # The driver runs in autocommit; SQLAlchemy's begin() issues BEGIN itself
        # (the pattern the SQLAlchemy SQLite dialect docs give for pysqlite).
        conn.exec_driver_sql(begin_sql)

    return engine


def schema_version(conn: Connection) -> int:
    """The workspace's schema version."""
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target``; returns the version it started at."""
    with engine.connect() as conn:
        start = schema_version(conn)
        conn.rollback()  # end the read transaction so each migration gets its own
        if start > SCHEMA_VERSION:
            from .errors import GraceError

            raise GraceError(
                f"This workspace was made by a newer Grace (schema {start}); this build reads up to {SCHEMA_VERSION}."
            )
        for version in range(start, target):
            with conn.begin():
                MIGRATIONS[version](conn)
                conn.exec_driver_sql(f"PRAGMA user_version={version + 1}")
    return start


def meta_get(conn: Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute(text("SELECT value FROM meta WHERE key=:k"), {"k": key}).first()
    return row[0] if row else default


def meta_set(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        text("INSERT INTO meta(key, value) VALUES (:k, :v) ON CONFLICT(key) DO UPDATE SET value=excluded.value"),
        {"k": key, "v": value},
    )
