"""The OpenAI-compatible reasoner: the assembled context as numbered passages, the answer
checked against them.

Citations ``[n]`` must point at a retrieved passage; any that do not are removed and
flagged in the answer. Each kept citation quotes, verbatim, the sentence of its passage
that best supports the claim it is attached to. An answer the files do not support (the
retrieved evidence below the offline answerer's abstention threshold, or no valid citation
left) is replaced by the offline answerer's abstention. Tool calls become proposed actions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .context import Context
from .executors import KINDS
from .openai_client import OpenAIClient
from .reasoner_offline import Candidate, abstention, calibrated, citation, confidence, declines, strongest
from .types import ABSTAIN_TEXT, Citation, Draft
from .words import content_words, overlap

SYSTEM = (
    "You are Grace, an assistant that answers questions about the person's own files. "
    "Use ONLY the numbered passages and workspace facts given. Cite every claim with the number of the "
    "passage it comes from in square brackets, like [2]. If the passages do not answer the question, reply "
    f"exactly: \"{ABSTAIN_TEXT}\" Answer in 2-4 sentences. To change the workspace (create a table, add rows, "
    "ingest files, re-index, delete a table or document) or to show status or errors, call the matching "
    "tool: changes wait for the person's approval."
)
_MARK = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_PARAMS: dict[str, dict[str, Any]] = {
    "status": {}, "reindex": {},
    "show_errors": {"about": {"type": "string", "description": "a file name or word to filter by"}},
    "query": {"sql": {"type": "string", "description": "one read-only SELECT"}},
    "create_table": {"table": {"type": "string"}, "columns": {"type": "array", "items": {"type": "string"}}},
    "add_rows": {"table": {"type": "string"}, "rows": {"type": "array", "items": {"type": "object"}}},
    "ingest": {"paths": {"type": "array", "items": {"type": "string"}}},
    "delete_table": {"table": {"type": "string"}, "reason": {"type": "string"}},
    "delete_document": {"path": {"type": "string", "description": "absolute path of the document"}},
}


def tools() -> list[dict[str, Any]]:
    """The action kinds as OpenAI function tools."""
    return [{"type": "function", "function": {
        "name": kind.name, "description": kind.description,
        "parameters": {"type": "object", "properties": _PARAMS[kind.name], "required": list(kind.required)}}}
        for kind in KINDS.values()]


def context_text(ctx: Context) -> str:
    """The context as the prompt shows it: numbered passages, then tables, facts and workspace state."""
    out = ["Passages:"]
    for p in ctx.passages:
        h = p.hit
        where = ", ".join(x for x in (f"page {h.page}" if h.page else "",
                                      f"lines {h.line_start}-{h.line_end}" if h.line_start else "") if x)
        out.append(f"[{p.n}] {h.path} ({where}; trust {h.trust:.2f})\n{h.text}")
    for t in ctx.tables:
        out.append(f"Table {t['table']} (columns {', '.join(map(str, t['columns']))}): "
                   + json.dumps(t["rows"], default=str))
    if ctx.facts:
        out.append("Facts the person confirmed:\n" + "\n".join(f"- {f}" for f in ctx.facts))
    s = ctx.status
    out.append(f"Workspace: {s.get('documents', 0)} documents ({s.get('table_files', 0)} tabular files), "
               f"{s.get('memory_tables', 0)} memory tables, "
               f"{s.get('failed', 0)} failed, {ctx.pending_approvals} pending approvals.")
    if ctx.failures:
        out.append("Recent failures:\n" + "\n".join(f"- {f['path']}: {f['reason']}" for f in ctx.failures))
    return "\n\n".join(out)


def messages(ctx: Context) -> list[dict[str, Any]]:
    history = [{"role": m["role"], "content": m["text"]} for m in ctx.history if m["role"] in ("user", "assistant")]
    return [{"role": "system", "content": SYSTEM + "\n\n" + context_text(ctx)}, *history,
            {"role": "user", "content": ctx.question}]


class OpenAIReasoner:
    name = "endpoint"

    def __init__(self, client: OpenAIClient, candidates: Callable[[Context], list[Candidate]]) -> None:
        self.client = client
        self._candidates = candidates

    def answer(self, ctx: Context, threshold: float, on_token: Callable[[str], None] | None = None) -> Draft:
        """Ask the endpoint (raises EndpointError), then ground its citations in the passages.

        An answer the files do not support (evidence below ``threshold``, as for the offline
        answerer, or no valid citation left) becomes the offline answerer's abstention.
        """
        completion = self.client.complete(messages(ctx), tools(), on_token)
        ranked = self._candidates(ctx)
        draft = ground(ctx, completion.text.strip(), ranked, threshold)
        draft.proposals, refused = proposals(completion.tool_calls)
        draft.text += "".join(refused)
        evidence = strongest(ranked)
        if draft.proposals or (draft.citations and not declines(ctx, evidence, threshold)):
            return draft  # a request, or an answer the files support
        out = abstention(ctx, ranked, evidence, threshold, self.name)
        if not draft.abstained:
            out.text += "\n\nNote: the endpoint gave an answer, but your files do not support it, so it is not shown."
            if on_token:
                on_token("\n\n" + out.text)
        return out


def proposals(calls: list[dict[str, str]]) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Tool calls as proposed actions, and a sentence for each call that cannot be read."""
    out, refused = [], []
    for call in calls:
        try:
            args = json.loads(call["arguments"] or "{}")
        except (TypeError, ValueError):
            args = None
        if call["name"] in KINDS and isinstance(args, dict):
            out.append((call["name"], args))
        else:
            refused.append(f"\n\n(The endpoint asked for an action Grace cannot read: {call['name']!r}; ignored.)")
    return out, refused


def ground(ctx: Context, text: str, ranked: list[Candidate], threshold: float) -> Draft:
    """Renumber the answer's valid citations 1..m with verbatim quotes; drop and flag the rest."""
    numbers: dict[int, int] = {}
    dropped: list[int] = []
    claims: dict[int, str] = {}

    def renumber(m: re.Match[str]) -> str:
        kept = []
        for n in (int(x) for x in m.group(1).split(",")):
            if ctx.passage(n) is None:
                dropped.append(n)
                continue
            numbers.setdefault(n, len(numbers) + 1)
            claims.setdefault(n, _claim(text, m.start()))
            kept.append(numbers[n])
        return "".join(f"[{k}]" for k in dict.fromkeys(kept))

    body = _MARK.sub(renumber, text).replace(" .", ".")
    chosen = [_best_sentence(ranked, n, claims[n]) for n in numbers]
    citations = [citation(numbers[n], c) if c else _whole(ctx, n, numbers[n]) for n, c in zip(numbers, chosen,
                                                                                               strict=True)]
    if dropped:
        body += ("\n\n(Removed citation" + ("s" if len(dropped) > 1 else "") + " to passages that were not "
                 "retrieved: " + ", ".join(f"[{n}]" for n in dict.fromkeys(dropped)) + ".)")
    abstained = not citations and ABSTAIN_TEXT.lower().rstrip(".") in body.lower()
    if not citations and not abstained:
        body += "\n\n(This answer cites none of your files.)"
    good = [c for c in chosen if c]
    evidence = max((c.evidence for c in good), default=0.0)
    conf = confidence(evidence, threshold, good, ctx) if good else round(0.3 * calibrated(evidence, threshold), 3)
    return Draft(body, citations, conf, abstained, "endpoint", evidence=evidence)


def _claim(text: str, pos: int) -> str:
    """The sentence of the answer that ends at a citation mark."""
    start = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos)) + 1
    return text[start:pos]


def _best_sentence(ranked: list[Candidate], n: int, claim: str) -> Candidate | None:
    words = content_words(claim)
    mine = [c for c in ranked if c.passage.n == n]
    return max(mine, key=lambda c: c.score + overlap(words, c.sentence.text), default=None)


def _whole(ctx: Context, n: int, number: int) -> Citation:
    """A passage with no quotable sentence: cite its first line, verbatim."""
    passage = ctx.passage(n)
    assert passage is not None, "n was checked against the context"
    h = passage.hit
    quote = h.text.strip().split("\n", 1)[0]
    return Citation(number, h.path, h.page, h.line_start, h.line_start, quote, h.chunk_id, h.trust)
