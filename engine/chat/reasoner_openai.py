"""The OpenAI-compatible reasoner: the assembled context as numbered passages, the answer
checked against them.

Citations ``[n]`` must point at a retrieved passage; any that do not are removed and
flagged in the answer. Each kept citation quotes, verbatim, the sentence of its passage
that best supports the claim it is attached to. An answer the files do not support (the
retrieved evidence below the offline answerer's abstention threshold) is replaced by the
offline answerer's abstention; one with no valid citation left when the files do answer gives
way to the offline answer. Tool calls become proposed actions
once their parameters match the declared schema; any other call is left out with a note.

While the endpoint streams, only text that is already grounded is passed on (the marks
renumbered, from the first valid citation on), and nothing when the evidence is too weak
for any answer to be shown: what streams is always the start of the answer given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .context import Context
from .executors import KINDS
from .openai_client import EndpointError, OpenAIClient
from .reasoner_offline import Candidate, abstention, calibrated, citation, confidence, declines, strongest
from .types import ABSTAIN_TEXT, Citation, Draft
from .words import content_words, overlap

SYSTEM = (
    "You are Grace, an assistant that answers questions about the person's own files. "
    "Use ONLY the numbered passages and workspace facts given. Cite every claim with the number of the "
    "passage it comes from in square brackets, like [2]. If the passages do not answer the question, reply "
    f"exactly: \"{ABSTAIN_TEXT}\" Answer in 2-4 sentences. To change the workspace (create a table, add rows, "
    "ingest files, re-index, delete a table or document, change the action policy) or to show status or "
    "errors, call the matching "
    "tool: changes wait for the person's approval."
)
_MARK = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_CODE = re.compile(r"(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)")  # a code span or fenced block: marks in it are code
_PROSE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # a plain word: "week", not "argv2" or "sys.argv"
_TEXT = {"type": "string", "minLength": 1}
_SCALAR = {"type": ["string", "number", "boolean", "null"]}
_PARAMS: dict[str, dict[str, Any]] = {
    "status": {}, "reindex": {},
    "show_errors": {"about": {"type": "string", "description": "a file name or word to filter by"}},
    "query": {"sql": {"type": "string", "minLength": 1, "description": "one read-only SELECT"}},
    "create_table": {"table": _TEXT, "columns": {"type": "array", "items": _TEXT, "minItems": 1}},
    "add_rows": {"table": _TEXT, "rows": {"type": "array", "minItems": 1, "items": {
        "type": "object", "minProperties": 1, "additionalProperties": _SCALAR}}},
    "ingest": {"paths": {"type": "array", "items": _TEXT, "minItems": 1}},
    "delete_table": {"table": _TEXT, "reason": {"type": "string"}},
    "delete_document": {"path": {"type": "string", "minLength": 1, "description": "absolute path of the document"}},
    "change_policy": {"kind": {"type": "string", "enum": [k for k in KINDS if k != "change_policy"]},
                      "tier": {"type": "integer", "enum": [1, 2, 3]}},
}
_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "integer": (int,),
                                       "boolean": (bool,), "object": (dict,), "array": (list,),
                                       "null": (type(None),)}
_NAMES = {"string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
          "object": "an object", "array": "a list", "null": "null"}


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
        answerer) becomes the offline answerer's abstention; one that cites none of the passages
        when the files do answer raises EndpointError, so the offline answer is given.
        ``on_token`` receives only text that is part of the answer returned.
        """
        ranked = self._candidates(ctx)
        evidence = strongest(ranked)
        weak = declines(ctx, evidence, threshold)
        preview = _Preview(ctx, on_token, live=not weak) if on_token else None
        completion = self.client.complete(messages(ctx), tools(), preview)
        text = completion.text.strip()
        asked, refused = proposals(completion.tool_calls)
        if not text and not asked and refused:  # nothing usable at all: the offline answer says why
            raise EndpointError("the endpoint asked only for " + "; ".join(why for why, _ in refused))
        draft = ground(ctx, text, ranked, threshold, request=bool(asked))
        draft.proposals = asked
        notes = "".join(f"\n\n{note}" for _, note in refused)
        if asked or (draft.citations and not weak):
            draft.text += notes
            out = draft  # a request, or an answer the files support
        elif not weak:  # the files answer, but the endpoint cited none of them: the offline answer does
            raise EndpointError("the endpoint's answer cited none of the passages it was given")
        else:
            out = abstention(ctx, ranked, evidence, threshold, self.name)
            if text and not draft.abstained:
                out.text += ("\n\nNote: the endpoint gave an answer, but your files do not support it, so it is "
                             "not shown.")
            out.text += notes
        if preview and not (out.abstained and ctx.tables):  # (an abstention gives way to the tables' rows)
            preview.finish(out.text)
        return out


class _Preview:
    """The ``on_token`` given to the client: passes on the endpoint's text as the answer will
    show it (marks renumbered or removed), up to the last word boundary outside an unfinished
    mark or code span, and only once it cites a retrieved passage (``live``: the evidence lets
    such an answer be shown). ``finish`` sends the rest of the answer actually given."""

    def __init__(self, ctx: Context, on_token: Callable[[str], None], live: bool) -> None:
        self.ctx, self.on_token, self.live = ctx, on_token, live
        self.parts: list[str] = []
        self.sent = ""
        self.upto = 0

    def __call__(self, piece: str) -> None:
        self.parts.append(piece)
        if not self.live:
            return
        text = "".join(self.parts).lstrip()
        cut = _safe_cut(text)
        if cut <= self.upto:
            return
        self.upto = cut
        body, numbers, _, _ = _rewrite(self.ctx, text[:cut])
        if numbers:
            self._send(body.strip())

    def _send(self, shown: str) -> None:
        if not shown.startswith(self.sent):  # the answer would not start with what was sent: stop
            self.live = False
        elif len(shown) > len(self.sent):
            self.on_token(shown[len(self.sent):])
            self.sent = shown

    def finish(self, final: str) -> None:
        rest = final[len(self.sent):] if final.startswith(self.sent) else "\n\n" + final
        if rest:
            self.on_token(rest)


def _safe_cut(text: str) -> int:
    """Where ``text`` (so far) may be cut for a preview: after its last whitespace, when that
    is not inside a citation mark or a code span; 0 when there is no such place yet."""
    cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t")) + 1
    head = text[:cut]
    if cut == 0 or head.rfind("[") > head.rfind("]") or "`" in _CODE.sub("", head):
        return 0
    return cut


def proposals(calls: list[dict[str, str]]) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str]]]:
    """Tool calls as proposed actions (their declared parameters, checked against the schema),
    and for each call that cannot be proposed: why (a phrase), and a note for the answer."""
    out: list[tuple[str, dict[str, Any]]] = []
    refused: list[tuple[str, str]] = []
    for call in calls:
        name = call["name"]
        try:
            args = json.loads(call["arguments"] or "{}")
        except (TypeError, ValueError):
            args = None
        if name not in KINDS or name not in _PARAMS or not isinstance(args, dict):
            refused.append((f"an action Grace cannot read ({name!r})",
                            f"(The endpoint asked for an action Grace cannot read: {name!r}; ignored.)"))
            continue
        params, problem = checked(name, args)
        if problem:
            refused.append((f"the {name} action with parameters Grace cannot use ({problem})",
                            f"(The endpoint asked for the {name} action with parameters Grace cannot use: "
                            f"{problem}; ignored.)"))
        else:
            out.append((name, params))
    return out, refused


def checked(name: str, args: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The parameters of a ``name`` tool call that its schema declares, and why they do not
    match it (None when they do). Undeclared parameters are left out."""
    declared = _PARAMS[name]
    params = {k: v for k, v in args.items() if k in declared}
    for key in KINDS[name].required:
        if params.get(key) is None:
            return params, f"{key} is missing"
    for key, value in params.items():
        if value is None and key not in KINDS[name].required:
            continue
        problem = _mismatch(value, declared[key], key)
        if problem:
            return params, problem
    return {k: v for k, v in params.items() if v is not None}, None


def _mismatch(value: Any, schema: dict[str, Any], what: str) -> str | None:
    """Why ``value`` does not match ``schema`` (the JSON Schema subset ``_PARAMS`` uses), or None."""
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if kinds and not any(_is(value, k) for k in kinds):
        names = [_NAMES[k] for k in kinds]
        wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        if kinds == ["array"] and "type" in schema.get("items", {}):
            wanted = f"a list of {_plural(schema['items']['type'])}"
        return f"{what} must be {wanted}, not {_described(value)}"
    if isinstance(value, str) and len(value.strip()) < schema.get("minLength", 0):
        return f"{what} must not be empty"
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"{what} must not be an empty list"
        for item in value:
            problem = _mismatch(item, schema.get("items", {}), f"each of {what}")
            if problem:
                return problem
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            return f"{what} must not be empty"
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            problem = _mismatch(item, extra, f"{what}: {key}") if isinstance(extra, dict) else None
            if problem:
                return problem
    return None


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":  # JSON true/false is not a number
        return False
    return isinstance(value, _TYPES.get(kind, ()))


def _plural(kind: Any) -> str:
    return {"string": "text", "object": "objects", "number": "numbers"}.get(str(kind), str(kind))


def _described(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, list):
        return "a list" if all(isinstance(v, str) for v in value) else "a list of other things"
    return next((_NAMES[k] for k in ("object", "string", "number", "null") if _is(value, k)), type(value).__name__)


def ground(ctx: Context, text: str, ranked: list[Candidate], threshold: float, request: bool = False) -> Draft:
    """Renumber the answer's valid citations 1..m with verbatim quotes; drop and flag the rest.
    A ``request`` (the reply proposes actions) is not told to cite anything."""
    body, numbers, dropped, claims = _rewrite(ctx, text)
    chosen = [_best_sentence(ranked, n, claims[n]) for n in numbers]
    citations = [citation(numbers[n], c) if c else _whole(ctx, n, numbers[n]) for n, c in zip(numbers, chosen,
                                                                                               strict=True)]
    gone = list(dict.fromkeys(dropped))
    if gone:
        body += ("\n\n(Removed citation" + ("s" if len(gone) > 1 else "") + " to passages that were not "
                 "retrieved: " + ", ".join(f"[{n}]" for n in gone) + ".)")
    abstained = not citations and ABSTAIN_TEXT.lower().rstrip(".") in body.lower()
    if not citations and not abstained and not request:
        body += "\n\n(This answer cites none of your files.)"
    good = [c for c in chosen if c]
    evidence = max((c.evidence for c in good), default=0.0)
    conf = confidence(evidence, threshold, good, ctx) if good else round(0.3 * calibrated(evidence, threshold), 3)
    return Draft(body.strip(), citations, conf, abstained, "endpoint", evidence=evidence)


def _rewrite(ctx: Context, text: str) -> tuple[str, dict[int, int], list[int], dict[int, str]]:
    """``text`` with its citation marks renumbered in order of first use (``numbers``: passage
    -> new number) and those naming no retrieved passage removed (``dropped``), with the space
    each removed mark leaves; ``claims``: the sentence each passage was first cited for.

    Brackets inside code spans are code, and so are brackets right after a word (``argv[0]``)
    unless the word is a plain word and every number in them is a retrieved passage (``week[1]``).
    """
    code = [m.span() for m in _CODE.finditer(text)]
    numbers: dict[int, int] = {}
    dropped: list[int] = []
    claims: dict[int, str] = {}
    out: list[str] = []
    last = 0
    for m in _MARK.finditer(text):
        start = m.start()
        if any(a <= start < b for a, b in code):
            continue
        cited = [int(x) for x in m.group(1).split(",")]
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            word = text[:start].split()[-1].lstrip("(\"'“‘*")
            if not _PROSE.fullmatch(word) or any(ctx.passage(n) is None for n in cited):
                continue
        kept = []
        for n in cited:
            if ctx.passage(n) is None:
                dropped.append(n)
                continue
            numbers.setdefault(n, len(numbers) + 1)
            claims.setdefault(n, _claim(text, start))
            kept.append(numbers[n])
        before = text[last:start]
        if kept:
            out.append(before + "".join(f"[{k}]" for k in dict.fromkeys(kept)))
            last = m.end()
            continue
        before = before.rstrip(" \t")  # the space the removed mark leaves
        out.append(before)
        last = m.end()
        if not "".join(out) or "".join(out).endswith("\n"):  # at a line's start: the space after it
            while last < len(text) and text[last] in " \t":
                last += 1
    out.append(text[last:])
    return "".join(out), numbers, dropped, claims


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
