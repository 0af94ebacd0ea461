"""The preference store: prompts, candidate answers and people's judgements, in SQLite.

Every judgement is a new row, never an update, so annotators in several browser tabs never
overwrite each other; when data is built, each annotator's latest judgement of a prompt counts.
Writes are committed at once in WAL mode with full sync, so a ranking that the page confirmed
survives a killed process.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import StudioError
from ..paths import database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS prompts (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, reference TEXT, source TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY, prompt_id INTEGER NOT NULL REFERENCES prompts(id), text TEXT NOT NULL,
    origin TEXT NOT NULL, sampling TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS judgements (
    id INTEGER PRIMARY KEY, prompt_id INTEGER NOT NULL REFERENCES prompts(id), annotator TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ranking', 'thumbs', 'skip')), marks TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS candidates_by_prompt ON candidates(prompt_id);
CREATE INDEX IF NOT EXISTS judgements_by_prompt ON judgements(prompt_id, annotator);
"""

MAX_TEXT = 100_000  # characters in one prompt or answer


@dataclass
class Candidate:
    id: int
    prompt_id: int
    text: str
    origin: str


@dataclass
class Judgement:
    prompt_id: int
    annotator: str
    kind: str          # ranking | thumbs | skip
    marks: dict        # ranking: {candidate_id: rank, 1 = best, equal ranks = tie}; thumbs: {id: bool}
    created: float


class FeedbackStore:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else database("feedback.sqlite")
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self):
        with self._lock, closing(sqlite3.connect(self.path, timeout=30)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            with conn:  # one transaction, committed on leaving
                yield conn

    # --- prompts and candidates ------------------------------------------------------------
    def add_prompts(self, texts: list[str], source: str = "typed", references: list[str | None] | None = None
                    ) -> list[int]:
        references = references or [None] * len(texts)
        ids = []
        with self._connect() as conn:
            for text, reference in zip(texts, references):
                text = _checked_text(text, "prompt")
                cur = conn.execute("INSERT INTO prompts (text, reference, source, created) VALUES (?,?,?,?)",
                                   (text, reference, source, time.time()))
                ids.append(cur.lastrowid)
        return ids

    def add_candidates(self, prompt_id: int, texts: list[str], origin: str, sampling: dict | None = None
                       ) -> list[int]:
        """Store answers to a prompt; an answer already there for it is not stored twice."""
        known = {c.text for c in self.candidates(prompt_id)}
        ids = []
        with self._connect() as conn:
            for text in texts:
                text = _checked_text(text, "answer", allow_empty=True)
                if text in known:
                    continue
                known.add(text)
                cur = conn.execute(
                    "INSERT INTO candidates (prompt_id, text, origin, sampling, created) VALUES (?,?,?,?,?)",
                    (prompt_id, text, origin, json.dumps(sampling or {}), time.time()))
                ids.append(cur.lastrowid)
        return ids

    def prompts(self) -> list[dict]:
        with self._connect() as conn:
            rows = conn.execute("SELECT id, text, reference, source FROM prompts ORDER BY id").fetchall()
        return [{"id": r[0], "text": r[1], "reference": r[2], "source": r[3]} for r in rows]

    def prompt(self, prompt_id: int) -> dict:
        with self._connect() as conn:
            row = conn.execute("SELECT id, text, reference, source FROM prompts WHERE id = ?", (prompt_id,)).fetchone()
        if row is None:
            raise StudioError("feedback.err.no_prompt", id=prompt_id)
        return {"id": row[0], "text": row[1], "reference": row[2], "source": row[3]}

    def candidates(self, prompt_id: int) -> list[Candidate]:
        with self._connect() as conn:
            rows = conn.execute("SELECT id, prompt_id, text, origin FROM candidates WHERE prompt_id = ? ORDER BY id",
                                (prompt_id,)).fetchall()
        return [Candidate(*row) for row in rows]

    # --- judgements ------------------------------------------------------------------------
    def save_ranking(self, prompt_id: int, annotator: str, ranks: dict[int, int],
                     better_answer: str | None = None) -> int:
        """Record one annotator's order of a prompt's candidates (1 = best; equal numbers tie;
        candidates left out are unranked). A written better answer ranks above everything."""
        annotator = _checked_annotator(annotator)
        ranks = {int(k): int(v) for k, v in ranks.items()}
        known = {c.id for c in self.candidates(prompt_id)}
        unknown = set(ranks) - known
        if unknown:
            raise StudioError("feedback.err.unknown_candidate", ids=", ".join(map(str, sorted(unknown))))
        if any(rank < 1 for rank in ranks.values()):
            raise StudioError("feedback.err.bad_rank")
        if better_answer and better_answer.strip():
            ids = self.add_candidates(prompt_id, [better_answer.strip()], origin=f"human:{annotator}")
            best = ids[0] if ids else next(c.id for c in self.candidates(prompt_id) if c.text == better_answer.strip())
            ranks = {cid: rank + 1 for cid, rank in ranks.items() if cid != best}
            ranks[best] = 1
        if len(ranks) < 2:
            raise StudioError("feedback.err.too_few_ranked")
        return self._judge(prompt_id, annotator, "ranking", ranks)

    def save_thumbs(self, prompt_id: int, annotator: str, thumbs: dict[int, bool]) -> int:
        annotator = _checked_annotator(annotator)
        if not thumbs:
            raise StudioError("feedback.err.too_few_ranked")
        return self._judge(prompt_id, annotator, "thumbs", {int(k): bool(v) for k, v in thumbs.items()})

    def skip(self, prompt_id: int, annotator: str) -> int:
        return self._judge(prompt_id, _checked_annotator(annotator), "skip", {})

    def _judge(self, prompt_id: int, annotator: str, kind: str, marks: dict) -> int:
        self.prompt(prompt_id)
        with self._connect() as conn:
            cur = conn.execute("INSERT INTO judgements (prompt_id, annotator, kind, marks, created) VALUES (?,?,?,?,?)",
                               (prompt_id, annotator, kind, json.dumps(marks), time.time()))
            return cur.lastrowid

    def judgements(self, latest_only: bool = True) -> list[Judgement]:
        """All judgements, or (default) each annotator's latest one per prompt."""
        with self._connect() as conn:
            rows = conn.execute("SELECT prompt_id, annotator, kind, marks, created FROM judgements ORDER BY id").fetchall()
        found = [Judgement(p, a, k, {int(c): v for c, v in json.loads(m).items()}, t) for p, a, k, m, t in rows]
        if not latest_only:
            return found
        latest = {}
        for j in found:
            latest[(j.prompt_id, j.annotator)] = j
        return list(latest.values())

    # --- progress and queue ----------------------------------------------------------------
    _RANKABLE = "SELECT prompt_id FROM candidates GROUP BY prompt_id HAVING COUNT(*) >= 2"

    def next_prompt(self, annotator: str, after: int = 0) -> int | None:
        """The next prompt with at least two candidates that `annotator` has not judged yet."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT id FROM prompts WHERE id > ? AND id IN ({self._RANKABLE}) AND id NOT IN "
                "(SELECT prompt_id FROM judgements WHERE annotator = ?) ORDER BY id LIMIT 1",
                (after or 0, annotator)).fetchone()
        return row[0] if row else None

    def progress(self, annotator: str | None = None) -> dict:
        with self._connect() as conn:
            prompts = conn.execute("SELECT COUNT(*) FROM prompts").fetchone()[0]
            rankable = conn.execute(f"SELECT COUNT(*) FROM ({self._RANKABLE})").fetchone()[0]
        judged = [j for j in self.judgements() if annotator is None or j.annotator == annotator]
        return {"prompts": prompts, "rankable": rankable,
                "ranked": len({j.prompt_id for j in judged if j.kind != "skip"}),
                "skipped": len({j.prompt_id for j in judged if j.kind == "skip"}),
                "annotators": sorted({j.annotator for j in self.judgements()})}

    # --- guidelines ------------------------------------------------------------------------
    def guidelines(self) -> str:
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = 'guidelines'").fetchone()
        return row[0] if row else ""

    def set_guidelines(self, text: str) -> None:
        with self._connect() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('guidelines', ?)", (text,))


def _checked_text(text, what: str, allow_empty: bool = False) -> str:
    """`what` is "prompt" or "answer"; each has its own messages (they read differently in Chinese)."""
    if not isinstance(text, str):
        raise StudioError(f"feedback.err.{what}_not_text", value=repr(text)[:60])
    text = text.strip()
    if not text and not allow_empty:
        raise StudioError(f"feedback.err.{what}_empty")
    if len(text) > MAX_TEXT:
        raise StudioError(f"feedback.err.{what}_too_long", size=len(text), limit=MAX_TEXT)
    return text


def _checked_annotator(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise StudioError("feedback.err.no_annotator")
    return name[:80]
