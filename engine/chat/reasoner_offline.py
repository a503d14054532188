"""The offline grounded answerer: the sentences of your files that answer the question.

The top passages are split into sentences. Each is first read from its passage's token
states, which the ingest stored (``engine.late.Layout``: the sentence in its passage's
context, with no model run); the most promising of them are then embedded alone, in one
batch with the same model that indexed them, and scored by cosine with the question, the
passage's own relevance and keyword overlap. The best few (redundant ones removed,
MMR-style) become a 2-4 sentence answer in reading order, each with a numbered citation
quoting the sentence verbatim. When the best evidence is weak, or the question names
something (a capitalised word mid-sentence) that no file mentions, it abstains and names
the closest sources.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np

from ..chunk import HEADING_SEP
from ..extract import format_for
from ..extract.mail import sent_by
from ..late import Layout
from ..relevance import judge
from .aggregates import months_named
from .context import Context, Passage
from .entries import entry_names, named_in_entry
from .locate import exact_lines
from .sentences import Sentence, is_title, line_span, split_sentences
from .types import ABSTAIN_TEXT, Citation, Draft
from .versions import FIGURE, left_out, superseded
from .words import MONTHS, WEEKDAYS, YEAR, codes, content_words, names, overlap, stem

EmbedFn = Callable[[list[str]], np.ndarray]
LayoutFn = Callable[[Mapping[int, str]], Mapping[int, Layout]]  # chunk id -> text, to its layout
TokenFn = Callable[[str], None]
# (prior score, passage, sentence, the sentence it leans on, text to embed) and, preselected,
# the sentence's cosine read from its passage's states
Pooled = tuple[float, Passage, Sentence, Sentence | None, str]
Preselected = tuple[float, Passage, Sentence, Sentence | None, str, float]

PASSAGES = 8
PER_PASSAGE = 12
BUDGET = 48  # sentences read per question, the best by passage relevance and keyword overlap
# Of those, sentences embedded alone: the main cost of an answer. They are the best by the
# score above plus W_PRESELECT x their cosine read from the passage's states. Six sets
# (session 16, docs/PERFORMANCE.md): all 48 gave 334 first citations of 503, 16 gave 331 and
# 12 gave 328, each with the same 149 declines and at least as many answers whose quotes hold
# the answer; 12 brings the p95 of an answer under 300 ms on a CPU without VNNI.
EMBEDDED = 12
W_PRESELECT = 0.4
CACHE_SIZE = 8192
MAX_SENTENCES = 4
# Ranking (which sentence, hence which file, comes first) and evidence (whether to answer at
# all) are weighted apart; both were fitted on bench/eval (see bench/eval_answers.py). Since
# search re-ranks by late interaction its first passage is right more often than the best
# sentence's, so rank weighs more (W_RANK 0.04 -> 0.2: first citation 293 -> 303 of 457 on
# five sets; 0.1-1.0 a plateau; docs/PERFORMANCE.md).
W_SENTENCE, W_PASSAGE, W_KEYWORDS, W_RANK = 0.20, 0.50, 0.10, 0.20
W_LATE = 0.20  # the read-in-context cosine counts in ranking too (evidence stays the embedded one)
E_SENTENCE, E_PASSAGE = 0.50, 0.30
REDUNDANT = 0.82
MMR_LAMBDA = 0.75
KEEP_WITHIN = 0.10  # further sentences must score within this of the best one
NAME_MARGIN = 0.15  # a name no file mentions declines answers up to this far above the threshold
# A term no file mentions ("serde", "tlmgr") declines up to this far above it. Names of tools,
# but also some plain words the vocabulary splits ("subfolders"), so a smaller margin: on six
# sets, 0.05 declines 3 more of 62 unanswerable questions for 3 of 503 answers (docs/PERFORMANCE.md).
TERM_MARGIN = 0.05
# A follow-up whose new words no retrieved sentence uses is about the sentences at least this
# close to it read alone, and closer than to what it follows ("and when do we fly back?":
# "Return: TAP flight TP1356 on 21 May" 0.48 against 0.36; not "Outbound: …", 0.37 against 0.39).
FOCUS_MEANING = 0.40
_ANAPHORA = frozenset("it its they them their this these that those such he she his her both each".split())
_ROLE = re.compile(r":[\w:.-]+:`~?!?([^`]+)`")
_DOUBLE_TICK = re.compile(r"``([^`]+)``")
# Markdown links as their words: "[`fs.ReadStream`][]", "[the guide][setup]", "[docs](a.md#b)".
_MD_LINK = re.compile(r"(?<![\w\]])\[([^\]\n]+)\](?:\[[^\]\n]*\]|\([^)\s]*(?:\s+\"[^\"]*\")?\))")


@dataclass
class Candidate:
    passage: Passage
    sentence: Sentence
    score: float
    vector: np.ndarray
    lead: Sentence | None = None  # the sentence it leans on ("They are…" needs the one before)
    evidence: float = 0.0  # how strongly it supports an answer at all (the abstention test)


def readable(quote: str) -> str:
    """A quote as answer prose: one line, light reST markup turned into Markdown code, Markdown
    links (whose targets the answer cannot resolve) reduced to their words, inline HTML that
    Markdown files use (<em>, <b>, <code>, <kbd>, ...) turned into Markdown or its words."""
    text = _MD_LINK.sub(r"\1", _DOUBLE_TICK.sub(r"`\1`", _ROLE.sub(r"`\1`", quote)))
    for pattern, markdown in _INLINE_HTML:
        text = pattern.sub(markdown, text)
    return " ".join(text.split())


_TAGS = "span|a|sup|sub|small|mark|u|s|abbr|cite|q|var|samp|ins|del|font"
_INLINE_HTML = [
    (re.compile(r"<(em|i)>(.+?)</\1>", re.I | re.S), r"*\2*"),
    (re.compile(r"<(strong|b)>(.+?)</\1>", re.I | re.S), r"**\2**"),
    (re.compile(r"<(code|kbd|tt)>(.+?)</\1>", re.I | re.S), r"`\2`"),
    (re.compile(r"<br\s*/?>", re.I), " "),
    (re.compile(rf"</?(?:{_TAGS})(?:\s[^<>]{{0,200}})?>", re.I), ""),
]


def in_context(passage: str, prev: Sentence | None, sentence: Sentence) -> str:
    """What is embedded for a sentence (a table row: with its column names): with the sentence
    before it when it opens with a pronoun ("They are treated with…") and that sentence is in
    the same paragraph."""
    first = sentence.text.split(None, 1)[0].lower() if sentence.text.strip() else ""
    if prev is None or first not in _ANAPHORA or "\n\n" in passage[prev.end:sentence.start]:
        return sentence.meaning
    return prev.meaning + " " + sentence.meaning


_CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties", ".env"})


def sentence_kinds(path: str) -> tuple[bool, str | None]:
    """For ``split_sentences``: whether a file's short lines can be facts (not in source code, whose
    comments' short lines are fragments), and which lines set values ("config" or "code")."""
    if format_for(Path(path)) != "code":
        return True, None
    return False, "config" if Path(path).suffix.lower() in _CONFIG_SUFFIXES else "code"


def kept(sentences: list[Sentence], words: set[str], limit: int = PER_PASSAGE) -> list[Sentence]:
    """Of a passage's sentences, the first ``limit`` of prose, and of its facts and table rows the
    ``limit`` that share most words with the question (the first ones on a tie): a price list's
    15th row ("Dog spay, over 40 kg") can answer as well as its first."""
    prose = [s for s in sentences if s.kind == "prose"][:limit]
    others = [s for s in sentences if s.kind != "prose"]
    if len(others) > limit:
        ranked = sorted(range(len(others)), key=lambda i: (-overlap(words, others[i].meaning), i))
        others = [others[i] for i in sorted(ranked[:limit])]
    return sorted(prose + others, key=lambda s: s.start)


def titled(p: Passage, sentences: list[Sentence], question: str = "") -> tuple[list[Sentence], str]:
    """The passage's sentences and heading. A passage that opens a file with a title line and
    has no heading (a plain-text note: "Car insurance and tax") has that title as its heading,
    not as a sentence: it names what the file is about and answers nothing. So does an e-mail's
    header ("From: …", "Subject: …"), its subject the heading, unless ``question`` asks who
    sent or received it, or when."""
    opens = p.hit.line_start == 1 and p.hit.page in (None, 1) and bool(sentences)
    header = _mail_header(p.hit.text) if opens else 0
    heading = own_heading(p)
    if header and not _ASKS_MAIL.search(question):
        subject = _SUBJECT.search(p.hit.text[:header])
        return ([s for s in sentences if s.start >= header],
                heading or (subject[1].strip() if subject else ""))
    if heading or not opens or not is_title(p.hit.text, sentences[0]):
        return sentences, heading
    return sentences[1:], sentences[0].text


def own_heading(p: Passage) -> str:
    """``p``'s heading without the sender and subject every passage of an e-mail has at its root
    (``mail_heading``): a sentence is read with its subject where the header is, as before, and
    the sender's name, a word of every sentence, would draw them all near a question naming them."""
    return HEADING_SEP.join(p.hit.heading.split(HEADING_SEP)[1:]) if _heading_sender(p) else p.hit.heading


def _heading_sender(p: Passage) -> str:
    """The sender an e-mail's passage has at its heading's root (``mail_heading``), or ""."""
    return sent_by(p.hit.heading.split(HEADING_SEP)[0].strip()) if format_for(Path(p.hit.path)) == "email" else ""


_MAIL_FIELD = re.compile(r"(?i)(?:from|to|cc|bcc|subject|date|sent|reply-to)[ \t]*:[ \t]*\S[^\n]*(?:\n|$)")
# A line that closes a message ("Kind regards,", "Thanks,", a "-- " signature mark): what follows
# it is the sender's signature or a quoted earlier message, which the header does not date.
_SIGNED_OFF = re.compile(r"(?im)^[ \t]*(?:(?:kind|best|warm|many|with)?[ \t]*(?:regards|wishes|thanks)|thanks?(?: you)?"
                         r"(?: again| so much)?|cheers|best|sincerely|yours(?: sincerely| faithfully| truly)?|"
                         r"--|sent from my \w+.*)[ \t]*[,.!]?[ \t]*$")
_SUBJECT = re.compile(r"(?im)^subject[ \t]*:[ \t]*(.+)$")
_ASKS_MAIL = re.compile(r"(?i)\b(?:sent|sender|send|wrote|emailed|e-mailed|mailed|subject|recipients?|addressed|"
                        r"who\s+(?:was|is)\s+it\s+(?:from|to))\b")


def _mail_header(text: str) -> int:
    """Where an e-mail's header that opens ``text`` ends (two or more "Field: value" lines, one
    of them From or Subject), or 0."""
    at, fields = 0, []
    while m := _MAIL_FIELD.match(text, at):
        fields.append(m.group(0).split(":", 1)[0].strip().lower())
        at = m.end()
    return at if len(fields) >= 2 and {"from", "subject"} & set(fields) else 0


_FROM = re.compile(r"(?im)^from[ \t]*:[ \t]*\"?([^\"<\n@]*?)\"?[ \t]*<[^@>\s]+@([^.>\s]+)")
_QUOTED = re.compile(r"(?m)^[ \t]*>|^On .{4,80} wrote:[ \t]*$")  # a reply's quoted message


def written_by(p: Passage) -> tuple[str, str, int]:
    """Who sent the e-mail passage ``p`` is from: their name (its heading says it, or its header
    does: "Tom Achebe" of "From: Tom Achebe <tom@…>"), their address's domain when the header is
    in the passage ("thestonehare" of marco@thestonehare.co.uk), and where their own words end
    (a sign-off, then a signature or a quoted message); ("", "", 0) when it is not from an e-mail
    that names its sender. "I" and "my" in the message are theirs ("I'm putting my day rate up"
    answers "what's Tom charging")."""
    text = p.hit.text
    header = _mail_header(text) if p.hit.line_start == 1 else 0
    m = _FROM.search(text, 0, header) if header else None
    # (or a message saved as text, its header in the passage)
    sender = _heading_sender(p) or (m[1].strip() if m else "")
    if not sender:
        return "", "", 0
    ends = [e.start() for e in (_SIGNED_OFF.search(text, header), _QUOTED.search(text, header)) if e]
    return sender, m[2].lower() if m else "", min(ends, default=len(text))


_CLAUSE_WORDS = 3  # a clause shorter than this is no statement of its own
_LABEL = re.compile(r"^[^\W\d][\w ]{0,30}:\s+")  # "Action items: …"


def clauses(meaning: str) -> list[str]:
    """The clauses of a sentence that joins statements with semicolons ("Action items: Dana books
    the venue; Chidi sends the survey by Friday."), each read on its own, without a label before a
    colon: one statement among several embeds far from a question about it alone. [] for a
    sentence of one clause."""
    parts = [p.strip() for p in meaning.split(";")]
    if len(parts) < 2 or any(len(p.split()) < _CLAUSE_WORDS for p in parts):
        return []
    return [_LABEL.sub("", p) for p in parts]


_SECTION = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+(\S[^\n]*?)[ \t#]*$")
_ITEM = re.compile(r"[ \t]*(?:[-*+•]|\d{1,2}[.)])[ \t]+(?!\[[ xX]\])")  # a list's item, not a to-do's box


def _section(text: str, at: int) -> str:
    """The Markdown heading above offset ``at`` within a passage ("Kieran Doyle" of "## Kieran
    Doyle"); "" when none is: a passage packs several short sections, and a line of one is about
    its own heading, not the passage's first."""
    found = list(_SECTION.finditer(text, 0, at))
    return found[-1][1].strip() if found else ""


TERSE_WORDS = 8


def terse(sentence: Sentence) -> bool:
    """A note's line of a few words without a full stop ("thurs 26th 9-2  pack boxes"): like a
    list's item, it is about the heading it sits under ("TOM")."""
    text = sentence.text.strip()
    return (sentence.kind == "prose" and len(text.split()) <= TERSE_WORDS and text[-1:] not in ".!?"
            and not (text[:2] == text[-2:] and text[:2] in ("**", "__")))  # a bold line heads what follows


def about(heading: str, sentence: Sentence, textual: str, always: bool = False) -> str:
    """A short fact embedded with the heading it sits under: "Serves 6." says nothing of what
    it serves, "Moroccan Lamb Tagine: Serves 6." does. (A table row has its column names.) With
    ``always``, any sentence: an e-mail's every sentence is about its subject."""
    if sentence.kind != "fact" and not always or not heading.strip():
        return textual
    return f"{heading.replace(HEADING_SEP, ', ')}: {textual}"


# "Who is the captain?" of "Captain: Aoife Brennan.": a short line that labels its value with the
# role asked for embeds far from the question ("who is…"), though it is the answer.
LABEL_BONUS = 0.08
TYPED_BONUS = 0.06  # a sentence holding the kind of value asked for (``typed``)
TYPED_EVIDENCE = 0.41  # and of the thing the question names by its noun: evidence enough (threshold 0.40)
LABELLED_EVIDENCE = 0.45  # such a line is evidence enough (the default threshold is 0.40)
_ASKS_FOR = re.compile(r"^\s*(?:who|what)(?:\s+is|\s+are|\s+will\s+be|'s|\u2019s|s)\s+(?:the|our|my|your|their)?\s*"
                       r"(?P<subject>[^?]+?)(?:\s+(?:going to|gonna|meant to|supposed to) be)?\s*\??$", re.IGNORECASE)
# "4.3 Safety officer: Anna", and a form's question and answer in two cells ("First dance song\tMake You …")
_LABELLED = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?([^\W\d][^:\t\n]{0,40})(?::[ \t]+|\t+)\S")


# "how much notice do we have to give?": the noun asked how much of (a line labelled with it answers
# with a number: "Tenant: Daniel Okafor" is no answer to "how many tenants")
_HOW_MUCH_OF = re.compile(r"^\s*how (?:much|many)\s+([a-z]{3,})\b", re.IGNORECASE)


# "when did his allowance start?": the line labelled with the verb ("Starts<TAB>12 June 2026") says when
_WHEN_VERB = re.compile(r"^\s*when(?:'s|\u2019s|s)?\s+(?:(?:did|does|do|will|is|was|are|were|has|have)\s+)?"
                        r"(?:[\w'\u2019]+\s+){0,5}?(start|begin|end|finish|expire|renew|close|open)(?:s|ed|ing)?\b",
                        re.IGNORECASE)


# "where do i park at tyntesfield?": the line labelled with the verb ("Parking: the Home Farm car park") says where
_WHERE_VERB = re.compile(r"^\s*where\s+(?:do|does|can|could|should|will|did|must)\s+(?:i|we|you|they|he|she|guests)\s+"
                         r"([a-z]{3,})\b", re.IGNORECASE)


def asked_role(question: str) -> set[str]:
    """The content words of what "who is …" or "what is …" asks for ("club's safety officer"), the
    noun "how much …" asks of ("notice"), or the verb "when does … start" asks the time of ("where
    do i park" the place of)."""
    if m := _ASKS_FOR.match(question):
        return content_words(m["subject"])
    if m := _WHEN_VERB.match(question) or _WHERE_VERB.match(question):
        return content_words(m[1])
    m = _HOW_MUCH_OF.match(question)
    return content_words(m[1]) - _UNITS if m else set()  # "how many days of leave" names no label "days"


_UNITS = content_words("time times day days week weeks month months year years hour hours minute minutes people "
                       "money percent")


def labels(text: str, role: set[str]) -> bool:
    """``text`` opens with a label ("4.3 Safety officer: …") whose words are among ``role``'s and
    make at least half of them, or that holds every one of them and at most two more ("Gross
    annual salary: EUR 72,000" of "what's my salary going to be?")."""
    m = _LABELLED.match(text)
    label = content_words(m[1]) if m else set()
    return bool(label) and (label <= role and 2 * len(label) >= len(role)
                            or bool(role) and role <= label and len(label) <= len(role) + 2)


def names_figure(text: str, role: set[str]) -> bool:
    """``text`` says the words of ``role`` one after another, then a figure ("…, sort code
    30-94-57, account …" of "what's my sort code?"): a label inside a sentence."""
    words = re.findall(r"[^\W\d_]+|\S*\d\S*", text.lower())
    n = len(role)
    return n > 0 and any(content_words(" ".join(words[i:i + n])) == role and any(c.isdigit() for c in words[i + n])
                         for i in range(len(words) - n))


def calibrated(evidence: float, threshold: float) -> float:
    """Evidence mapped to 0..1 around the abstention threshold (0.5 exactly at it)."""
    return 1.0 / (1.0 + math.exp(-(evidence - threshold) / 0.04))


class OfflineReasoner:
    """Answers from the retrieved passages alone; needs only the embedding model."""

    name = "offline"

    def __init__(self, embed: EmbedFn, layouts: LayoutFn, budget: int = BUDGET, embedded: int = EMBEDDED) -> None:
        self._embed = embed
        self._layouts = layouts
        self.budget = budget
        self.embedded = embedded
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def candidates(self, ctx: Context) -> list[Candidate]:
        """The quotable sentences of the top passages, scored against the question.

        Of ``budget`` sentences, ``embedded`` are embedded (one batch; ``preselect``);
        vectors of texts seen before are reused.
        """
        pool = self.preselect(ctx, self.pool(ctx))
        if not pool:
            return []
        parts = [clauses(x[2].meaning) for x in pool]
        vectors = self.vectors([x[4] for x in pool] + [c for cs in parts for c in cs])
        by_clause, at = [], len(pool)
        for cs in parts:  # the best cosine of each sentence's clauses
            by_clause.append(max((float(v @ ctx.qvec) for v in vectors[at:at + len(cs)]), default=-1.0))
            at += len(cs)
        out = []
        role = asked_role(ctx.question)
        counted = bool(role) and _HOW_MUCH_OF.match(ctx.question) is not None  # the label's line must hold a number
        for (prior, p, sentence, lead, _, late), vec, clause in zip(pool, vectors, by_clause, strict=False):
            cos = max(float(vec @ ctx.qvec), clause)
            if ctx.focus_vec is not None:  # a follow-up: it may answer the question read alone
                cos = max(cos, float(vec @ ctx.focus_vec))
            # A table row, read with its column names, is a record of its own: its passage (the
            # table's pipes and dashes) embeds far from any question, so the row stands for it.
            relevance = max(p.relevance, cos) if sentence.kind == "row" else p.relevance
            evidence = E_SENTENCE * cos + E_PASSAGE * relevance
            said = sentence.meaning if sentence.kind == "fact" else sentence.text
            # (the words the file's name says need no label: "first dance song" in "Lawson questionnaire")
            bonus = LABEL_BONUS if role and (labels(said, role) or labels(said, role - _file_words(p))
                                             or names_figure(said, role)) and (
                not counted or _NUMBER.search(sentence.text)) else 0.0
            if bonus:
                evidence = max(evidence + bonus, LABELLED_EVIDENCE)
            out.append(Candidate(p, sentence, prior + W_SENTENCE * cos + W_LATE * late + bonus, vec, lead, evidence))
        return sorted(on_focus(out, ctx), key=lambda c: -c.score)

    def pool(self, ctx: Context) -> list[Pooled]:
        """(prior score, passage, sentence, the sentence it leans on, text to embed), best ``budget`` first."""
        words = content_words(ctx.searched)
        pool = []
        for p in ctx.passages[:PASSAGES]:
            notes, settings = sentence_kinds(p.hit.path)
            sentences, heading = titled(p, kept(split_sentences(p.hit.text, None, notes, settings), words),
                                       ctx.question)
            mail = not own_heading(p) and p.hit.line_start == 1 and bool(_mail_header(p.hit.text))
            for prev, sentence in zip([None, *sentences], sentences, strict=False):
                textual = in_context(p.hit.text, prev, sentence)
                # a list's item is about the heading it sits under: "## Kieran Doyle", "- didn't turn up"
                section = _section(p.hit.text, sentence.start) or heading.split(HEADING_SEP)[-1].strip()
                item = _ITEM.match(p.hit.text, p.hit.text.rfind("\n", 0, sentence.start) + 1) is not None \
                    or terse(sentence)
                kw = overlap(words, textual + " " + heading + " " + section)
                prior = W_PASSAGE * p.relevance + W_KEYWORDS * kw + W_RANK / p.n
                lead = prev if textual != sentence.meaning else None
                pool.append((prior, p, sentence, lead,
                             about(section, sentence, textual, True) if item and section else
                             about(heading, sentence, textual, mail)))
        pool.sort(key=lambda x: -x[0])
        return pool[: self.budget]

    def preselect(self, ctx: Context, pool: list[Pooled]) -> list[Preselected]:
        """The best ``embedded`` of ``pool`` by prior score plus ``W_PRESELECT`` x the cosine of
        the sentence read from its passage's token states (with the sentence it leans on; 0
        past the model's 256 tokens, which it never read), that cosine appended; and the
        sentences they lean on, so an answer can quote them along."""
        found = self._layouts({p.hit.chunk_id: p.hit.text for _, p, _, _, _ in pool})
        scored = []
        for item in pool:
            _, p, sentence, lead, _ = item
            layout = found.get(p.hit.chunk_id)
            vec = layout.span((lead or sentence).start, sentence.end) if layout is not None else None
            scored.append((*item, float(vec @ ctx.qvec) if vec is not None else 0.0))
        scored.sort(key=lambda x: -(x[0] + W_PRESELECT * x[5]))
        best = scored[: self.embedded]
        leads = {(id(x[1]), x[3].start) for x in best if x[3] is not None}
        return best + [x for x in scored[self.embedded:] if (id(x[1]), x[2].start) in leads]

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts``: cached ones reused, the rest computed in one batch."""
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        fresh = list(dict.fromkeys(t for t in texts if t not in known))
        if fresh:
            for text, vec in zip(fresh, self._embed(fresh), strict=True):
                known[text] = np.asarray(vec, dtype=np.float32)
            with self._lock:
                for text in fresh:
                    self._cache[text] = known[text]
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([known[t] for t in texts])

    def ranked(self, ctx: Context) -> tuple[list[Candidate], list[tuple[str, str, float]]]:
        """The candidates an answer chooses from, best first (those of other codes, other rows of a
        table and older versions left out), and the older versions' losses (``superseded``)."""
        found = without_other_things(without_other_codes(self.candidates(ctx), codes(ctx.question)), ctx.question)
        found = settings_asked(found, ctx.question)
        return superseded(rows_named(found, ctx.question), ctx.replaced)

    def answer(self, ctx: Context, threshold: float, on_token: TokenFn | None = None) -> Draft:
        """A grounded answer, or an abstention when the best evidence is below ``threshold``."""
        ranked, lost = self.ranked(ctx)
        months = months_named(ctx.question.lower())
        answering = by_person(typed(ranked, ctx.question), ctx.question, ctx.people)
        dated = [c for c in answering if _in_months(c, months)] if months else answering
        evidence = strongest(dated)
        if declines(ctx, evidence, threshold):
            draft = self._abstain(ctx, ranked, evidence, threshold)
            if months and not declines(ctx, strongest(answering), threshold):  # "the June meeting" of May's minutes
                said = _listed([MONTHS[m - 1].title() for m in months])
                draft.text += f" None of the passages close to it mention {said}."
        else:
            ranked = dated
            chosen = with_cause(select(ranked), ranked, ctx.question)
            draft = self._compose(ctx, chosen, evidence, threshold, changes(chosen, ranked, threshold, ctx.question))
            least = ranked[0].score - KEEP_WITHIN if ranked else 0.0  # would it have been quoted?
            if note := left_out(lost, least, ctx.replaced):
                draft.text += f"\n\n_{note}_"
        if on_token:
            for piece in re.split(r"(?<=\s)", draft.text):
                on_token(piece)
        return draft

    def _compose(self, ctx: Context, chosen: list[Candidate], evidence: float, threshold: float,
                 changed: Sequence[Candidate] = ()) -> Draft:
        """The chosen sentences in reading order, each cited; then those of ``changed`` (another
        file's change to a number they state), after the file's name."""
        chosen = reading_order(chosen)
        citations = [citation(i + 1, c) for i, c in enumerate([*chosen, *changed])]
        body = " ".join(f"{readable(c.sentence.display)} [{i + 1}]" for i, c in enumerate(chosen))
        if changed:
            said = " ".join(f"{readable(c.sentence.display)} [{i}]" for i, c in enumerate(changed, len(chosen) + 1))
            body += f"\n\n{Path(changed[0].passage.hit.path).name} records a change to this: {said}"
        conf = confidence(evidence, threshold, [*chosen, *changed], ctx)
        return Draft(body, citations, conf, False, self.name, evidence=evidence)

    def _abstain(self, ctx: Context, ranked: list[Candidate], evidence: float, threshold: float) -> Draft:
        return abstention(ctx, ranked, evidence, threshold, self.name)


def abstention(ctx: Context, ranked: list[Candidate], evidence: float, threshold: float, reasoner: str) -> Draft:
    """The abstention (ABSTAIN_TEXT), with the names no file mentions and the closest sources
    (only passages close in meaning or holding one of the question's words: ``engine.relevance``)."""
    near = judge(ctx.question, [p.hit for p in ctx.passages]).near
    closest = closest_sources([c for c in ranked if near[c.passage.n - 1]])
    text = ABSTAIN_TEXT
    if not ctx.passages and not ctx.status.get("documents"):
        text += (" Your workspace has no readable files yet: add files or folders (drag them onto the window, "
                 "or `grace ingest PATH`) and ask again.")
    if ctx.unknown_names or ctx.unknown_terms:
        text += f" None of them mention {_listed(ctx.unknown_names + ctx.unknown_terms)}."
    if closest:
        text += " The closest passages were in " + "; ".join(
            f"{c.path.rsplit('/', 1)[-1]} ({c.where()})" if c.where() else c.path.rsplit("/", 1)[-1]
            for c in closest) + "."
    conf = round(0.5 * calibrated(evidence, threshold), 3)
    return Draft(text, [], conf, True, reasoner, closest=closest, evidence=evidence)


def _in_months(c: Candidate, months: list[int]) -> bool:
    """The candidate's passage (its text, heading or file name) names one of ``months``, by name
    ("June", "Jun") or in a date ("2024-06-11", "11/06/2024")."""
    where = f"{c.passage.hit.text} {c.passage.hit.heading} {Path(c.passage.hit.path).name}"
    for m in months:
        name = MONTHS[m - 1]
        if re.search(rf"\b(?:{name}|{name[:3]})\b", where, re.IGNORECASE) or re.search(
                rf"\b(?:(?:19|20)\d\d[-/._]0?{m}(?!\d)|\d{{1,2}}[-/.]0?{m}[-/.](?:19|20)?\d\d\b|(?<!\d)0?{m}[-/.]\d{{1,2}}"
                rf"[-/.](?:19|20)\d\d\b)", where):
            return True
    return False


def on_focus(ranked: list[Candidate], ctx: Context) -> list[Candidate]:
    """The sentences that speak of a follow-up's new words (all of them when none does)."""
    return focused(ranked, ctx) or ranked


def focused(ranked: list[Candidate], ctx: Context) -> list[Candidate]:
    """The sentences that say a follow-up's new words (``says``). When no sentence has any of
    them ("fly back" against "Return: TAP flight…"), the ones that read as answering the
    follow-up alone (cosine ``FOCUS_MEANING`` or more) better than the questions it follows.
    All of ``ranked`` when there is no focus; empty when nothing speaks of it."""
    if not ctx.focus:
        return ranked
    said = [c for c in ranked if says(c, ctx.focus)]
    if said or ctx.focus_vec is None or ctx.thread_vec is None or any(_words(c) & ctx.focus for c in ranked):
        return said
    alone, before = ctx.focus_vec, ctx.thread_vec
    return [c for c in ranked if float(c.vector @ alone) >= max(FOCUS_MEANING, float(c.vector @ before))]


def _words(c: Candidate) -> frozenset[str]:
    return frozenset(content_words(c.sentence.meaning + " " + (c.lead.meaning if c.lead else "")))


def says(c: Candidate, words: frozenset[str]) -> bool:
    """The candidate's sentence (with the one it leans on) has ``words``: all of them when they
    are one or two ("the population of Canada" is not answered by Australia's population and
    Canada's capital), all but one when more."""
    found = len(words & _words(c))
    return found >= (len(words) if len(words) <= 2 else len(words) - 1) and found > 0


_CONFIG_COMMENT = re.compile(r"(?m)^[ \t]*[#;][^\n]*")


def settings_asked(ranked: list[Candidate], question: str) -> list[Candidate]:
    """``ranked`` without the lines of a settings file that say nothing the question asks: no word
    of it is in the line's key, section or value, but for the words of the file's name and comments
    (which say what the whole file is about). "What's the phone number for the Quayside box office?"
    is not answered by "name = Quayside-BO-1" of the Quayside box office till's settings."""
    asked = content_words(question)

    def answers(c: Candidate) -> bool:
        if c.sentence.kind != "setting" or Path(c.passage.hit.path).suffix.lower() not in _CONFIG_SUFFIXES:
            return True
        topic = content_words(Path(c.passage.hit.path).stem.replace("_", " ") + " "
                              + " ".join(_CONFIG_COMMENT.findall(c.passage.hit.text)))
        return bool((asked - topic) & content_words(c.sentence.meaning))

    return [c for c in ranked if answers(c)]


# Questions that ask for a kind of value, and what a sentence answering them holds: "How much do
# we pay the chaperones?" asks for a sum of money, and "one licensed chaperone for every 10
# children" does not answer it, though it speaks of the same thing; "when was the boiler last
# serviced?" is not answered by "must be serviced every 12 months".
_CURRENCY = r"gbp|eur|usd|chf|sek|nok|dkk|cad|aud|nzd|jpy|inr|pln|czk|kr|zł"
_MONTH_NAMES = "|".join(f"{m[:3]}(?:{m[3:]})?" for m in MONTHS) + "|sept"  # not "separate", "market", "junior"
# (a day and month alone with a slash: "9-5" and "9.5" are hours, "14.03.26" a date)
_DATE = re.compile(rf"\b(?:19|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}\b|\b\d{{1,2}}[.-]\d{{1,2}}[.-]\d\d\b|"
                   rf"\b\d{{1,2}}(?:st|nd|rd|th)\b|"
                   rf"\b(?:{_MONTH_NAMES}|{'|'.join(WEEKDAYS)}|yesterday|today|ago|last (?:week|month|year))\b", re.I)
# "when is it due?", "the registration deadline?": a date the sentence itself says, not the date its
# e-mail was sent (and not "when does the else block run?", which asks for a condition)
_DUE = re.compile(r"\bby when\b|\bdeadlines?\b|\bdue\b(?!\s+to\b)", re.I)
_ASKED_KINDS = (
    (re.compile(r"\bhow much\b.*\b(?:pay|paid|paying|cost|costs|costing|charge[sd]?|charging|fees?|price|spend|"
                r"spent|owe|owed)\b|\bhow much\b(?=.*\b(?:allowance|benefits?|pension|salary|wages?|grant|refund|"
                r"rent|bill)\b)|\b(?:pay|paid|paying|cost|costs|"
                r"costing|charge[sd]?|owe|spend|spent)\b.*\bhow much\b|\bwhat (?:does|do|did|will|would)\b.*"
                r"\b(?:charge|cost)\b|\bhow much (?:is|are|was|were|will|would)\s+(?:the|a|an|my|our|your|his|her|"
                r"their|it)\b|\bwhat(?:'s|s| is| are| was| were)\b(?=.{0,40}\b(?:fees?|prices?|costs?|rent|tax|"
                r"deposit|salary|bonus|premium|fare|excess|deductible|fine|penalty|charging)\b)", re.I),
     re.compile(rf"[£$€¥₹]\s?\d|\b(?:{_CURRENCY})\s?\d|\d\s?(?:p|pence|pounds?|euros?|dollars?|francs?|yen|"
                rf"{_CURRENCY})\b|\b(?:free|no charge|no cost|nothing|waived|included)\b|\d\s?%|\bper ?cent\b",
                re.I)),  # "a 25% deposit", "up by 8%": a share of a sum answers how much
    (re.compile(r"\b(?:what temp|temperature|how hot)\b", re.I),  # not a "temp file"
     re.compile(r"°|\bdegrees?\b|\bgas mark\b|\d\s?[CF]\b")),
    (re.compile(r"\bwhat time\b|\bhow (?:late|early) (?:do|does|did|is|are|can|could|will|should|must)\b", re.I),
     re.compile(r"\b\d{1,2}[:.]\d\d\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)|\b(?:noon|midnight|midday|o'clock)\b",
                re.I)),
    (re.compile(r"^\s*when (?:was|were|did)\b|\bwhat (?:date|day)\b", re.I), _DATE),
    # "when does my insurance run out?" (not "when does the shop open?", which asks a time of day)
    (re.compile(r"^\s*when (?:does|do|did|will|is|are|was|were)\b.*?\b(?:run(?:s|ning)? out|expir\w*|renew\w*|"
                r"laps\w*)\b", re.I), _DATE),
    (_DUE, _DATE),
    (re.compile(r"\b(?:phone|telephone|mobile)\b.*\bnumber\b|\bnumber (?:to|for) (?:ring|call|phone)\b", re.I),
     re.compile(r"\d[\d ()-]{6,}\d")),
)


def typed(ranked: list[Candidate], question: str) -> list[Candidate]:
    """``ranked`` without the prose sentences that hold no value of the kind the question asks
    for (``_ASKED_KINDS``: a sum of money or "free", a temperature, a time of day, a date, a phone
    number); a table's row or a setting keeps its bare number. A sentence that holds one and says
    a word the question asks of besides ("claim" of "the number to ring if we need to claim") has
    its evidence raised by ``TYPED_BONUS``: it is the kind of answer asked for."""
    asked = [(m, need) for asks, need in _ASKED_KINDS if (m := asks.search(question))]
    needs = [need for _, need in asked]
    if not needs:
        return ranked
    subject = content_words(question) - (content_words(" ".join(m.group(0) for m, _ in asked)) & _ASKING)
    head = _head(question[max(m.end() for m, _ in asked):])
    due = _DUE.search(question) is not None
    asked_words = content_words(question)

    def said(c: Candidate) -> str:  # with an e-mail's header, which dates the sentences of its message
        text = c.passage.hit.text
        ends = _mail_header(text) if c.passage.hit.line_start == 1 else 0
        header = text[:ends] if ends and not due and not _SIGNED_OFF.search(text, ends, c.sentence.start) else ""
        return " ".join([c.sentence.text, c.lead.text if c.lead else "", header])

    rest = question[max(m.end() for m, _ in asked):]
    named = set(_subject_words(rest))
    # the question's other words about what it asks of ("my pension" of "do i put in my pension each
    # month"), but its verb and when: one of them must be said too, not only the subject's verb
    others = content_words(rest) - named - set(_subject_words(rest, verb=True)) - _WHEN_WORDS - _ASKING
    kept = []
    for c in ranked:
        holds = all(need.search(said(c)) for need in needs)
        words = content_words(f"{c.sentence.text} {c.passage.hit.heading or ''}") | _title_words(c) | _signer_words(c)
        if holds and _about(subject, head, words):  # "Amount requested from the Fund: £4,850." of
            # "grant application"; "My fee is £420" signed "Ellison & Co Chartered Accountants"
            c = replace(c, evidence=c.evidence + TYPED_BONUS)
            if named and named <= words and (not others or others & words) and c.evidence < TYPED_EVIDENCE:
                # of the thing the question names
                c = replace(c, evidence=TYPED_EVIDENCE)  # whole: "did the workshop run" of its flyer's "10am - 4pm"
        elif holds and c.sentence.kind != "prose" and len(_title_words(c) & asked_words) >= TITLE_WORDS:
            # "Weekly amount £110.40" of "Attendance Allowance decision letter.pdf": its file says the subject
            c = replace(c, evidence=max(c.evidence, LABELLED_EVIDENCE))
        if holds or c.sentence.kind != "prose":
            kept.append(c)
    return kept


def by_person(ranked: list[Candidate], question: str, people: Sequence[str] = ()) -> list[Candidate]:
    """``ranked`` with the sentences of the person the question names leading, their evidence
    raised to ``TYPED_EVIDENCE``: an e-mail's when the question names who wrote it (``_writer``)
    and they are in their own words (above the sign-off), or a line of notes when it names whom
    the line's entry is about (``entries``: "**Rohan Patel** - stopping piano at Christmas",
    the lines under "4/11 Daniel Osei"). So when they hold the kind of value the question asks
    for (``_ASKED_KINDS``: "how much is carys charging" of Carys's "Our fee … will be £480") or,
    when it asks for none, say another of its words ("why can't tom do the lawson wedding" of
    Tom's "I can't do the 12th Dec - it's his sister's wedding"; "is rohan carrying on next term"
    of his entry's "Arjun and Anika carry on"), or any when it asks only what they said ("what
    was eleri complaining about")."""
    needs = [need for asks, need in _ASKED_KINDS if asks.search(question)]
    needs = needs or ([_COUNT] if _HOW_MANY.search(question) else [])  # "how many lessons did sam miss": a number
    asked = content_words(question)
    words, known = re.findall(r"[a-z]+", question.lower()), frozenset(people)
    theirs, others = [], []
    for c in ranked:
        sender, domain, signed = written_by(c.passage)
        text = c.sentence.text  # (a request is theirs too: "Can we change the delivery day to Tuesday?")
        if sender and c.sentence.start < signed:
            named = _writer(question, sender, domain, people)
        else:
            section = own_heading(c.passage).split(HEADING_SEP)[-1]
            head, titled = entry_names(c.passage.hit.text, c.sentence.start, section)
            named = content_words(" ".join(named_in_entry(words, head, known, titled)))
        if named:
            rest = asked - named - _WHEN_WORDS - _SAYING
            says = not rest or bool(rest & content_words(text))  # (a number alone is no count of the thing asked)
            if all(need.search(text) for need in needs) and (says or needs and _COUNT not in needs):
                theirs.append(replace(c, evidence=max(c.evidence, TYPED_EVIDENCE)))
                continue
        others.append(c)
    if not theirs:
        return ranked
    # in their own order, and alone unless as close
    lead = max(c.score for c in ranked) + 2 * KEEP_WITHIN - max(c.score for c in theirs)
    return [replace(c, score=c.score + lead) for c in theirs] + others


# What a question asks someone wrote, not what about: "what was eleri complaining about", "what
# did carys ask me to send" (any of their own sentences can answer)
_SAYING = content_words("say says said saying ask asks asked asking want wants wanted wanting complain complains "
                        "complained complaining tell tells told write writes wrote mention mentions mentioned need "
                        "needs needed request requested else send bring")


def _writer(question: str, sender: str, domain: str, people: Sequence[str] = ()) -> set[str]:
    """The question's words that name who wrote an e-mail: words of the sender's name
    ("tom" of Tom Achebe), or words that run together make their address's domain ("stone hare"
    of thestonehare.co.uk)."""
    words = re.findall(r"[a-z]+", question.lower())
    theirs = content_words(sender)  # (not a signature's "Weddings & Events Coordinator")
    # a name said after a person's first name that is not theirs is someone else's: "ceri watkins"
    # (a customer in the tables) is not Lee Watkins
    named = {w for i, w in enumerate(words) if content_words(w) and content_words(w) <= theirs
             and not (i and words[i - 1] in people and content_words(words[i - 1]) - theirs)}
    named = content_words(" ".join(named))
    for n in (3, 2):
        for i in range(len(words) - n + 1):
            if "".join(words[i:i + n]) in domain:
                named |= content_words(" ".join(words[i:i + n]))
    return named


_HOW_MANY = re.compile(r"\bhow many\b", re.I)
_COUNT = re.compile(rf"{FIGURE.pattern}|\b(?:eleven|once|twice|none|no)\b", re.I)  # a figure, or "twice"
TITLE_WORDS = 2  # of a question's words, a file's name this many says what its label lines are about
# The words that ask for a kind of value, not what it is of: "the accountant" of "how much does the
# accountant charge?", "insurance" of "when does my insurance run out?"
_ASKING = content_words("how much many pay paid paying cost costs costing charge charged charges charging fee fees "
                        "price prices spend spent owe owed run out expire expires expired expiring expiry renew "
                        "renews renewal lapse lapses when what date day time")
_SIGNATURE = 300  # characters of a sign-off read for who signed it


def _signer_words(c: Candidate) -> set[str]:
    """The words of the sign-off after ``c``'s sentence in its passage (a letter's or e-mail's
    "Kind regards, / Mark Ellison / Ellison & Co Chartered Accountants"): who "my" and "our" are."""
    text = c.passage.hit.text
    m = _SIGNED_OFF.search(text, c.sentence.start)
    return content_words(text[m.end():m.end() + _SIGNATURE]) if m else set()


def _title_words(c: Candidate) -> set[str]:
    return _file_words(c.passage)


def _file_words(p: Passage) -> set[str]:
    """The content words of the name of the file a passage is from."""
    return content_words(Path(p.hit.path).stem.replace("_", " "))


def _about(subject: set[str], head: str | None, said: set[str]) -> bool:
    """Whether a sentence's words ``said`` are about the ``subject`` of a question: they hold its
    ``head`` noun when it has one ("how much is the eurotunnel ticket?" is not answered by the
    Eurotunnel's pet fee; "what time is our flight out to sweden?" is by the flight to Gothenburg),
    else one of its words."""
    return head in said if head else bool(subject & said)


# The words after which a question's subject is said no more: "our flight | out to sweden"
_PAST_SUBJECT = re.compile(r"\b(?:to|for|on|in|at|of|from|with|after|before|since|by|about|during|this|last|out|up|"
                           r"down|off|back|away|over|next)\b")


def _head(rest: str) -> str | None:
    """The last content word of the subject a question says after what it asks for ("ticket" of
    "the eurotunnel ticket", "flight" of "is our flight out to sweden"), or None; after a verb's
    helper the last word is the verb, and the subject the one before ("workshop" of "did the
    workshop run")."""
    words = _subject_words(rest)
    return words[-1] if words else None


def _subject_words(rest: str, verb: bool = False) -> list[str]:
    """The stems of the subject's words ("boat", "hire" of "is the boat hire"; "workshop" of "did
    the workshop run", without its verb); with ``verb``, that verb alone ([] when none)."""
    said = _PAST_SUBJECT.split(rest.lower(), 1)[0]
    # ("tom" of "whats tom charging": the verb that asks for money is not the subject; "fees" is)
    words = [stem(w) for w in re.findall(r"[^\W\d_]+", said)
             if content_words(w) and not (w.endswith("ing") and content_words(w) <= _ASKING)]
    helped = bool(_HELPER.match(said)) and bool(words)
    if verb:
        return words[-1:] if helped else []
    if len(words) > 1 and helped:
        words.pop()
    return words


_WHEN_WORDS = content_words("each every per month monthly week weekly year yearly day daily today now usually next "
                            "last")


_HELPER = re.compile(r"\s*(?:did|does|do|will|would|can|could|should)\b")  # before a verb ("is" before a noun)


_WEEKDAYS = {stem(d) for d in WEEKDAYS}


def rows_named(ranked: list[Candidate], question: str) -> list[Candidate]:
    """``ranked`` without the rows of a table that another of its rows names what the question
    names: "when do we shut on Thursdays?" is the Thursday row, not the Tuesday one beside it; and
    without the sentences that name another day of the week and not the one asked ("open an extra
    hour on Saturdays")."""
    asked = content_words(" ".join(names(question) + codes(question)))
    if not asked:
        return ranked
    def named(c: Candidate) -> bool:
        return bool(asked & content_words(c.sentence.text))

    tables = {id(c.passage) for c in ranked if c.sentence.kind == "row" and named(c)}
    dropped = [c for c in ranked if c.sentence.kind == "row" and id(c.passage) in tables and not named(c)]
    for c in ranked:  # the table answers as well as its best row did; the name says which row
        if c.sentence.kind == "row" and named(c) and (others := [d for d in dropped if d.passage is c.passage]):
            c.score = max(c.score, max(d.score for d in others))
            c.evidence = max(c.evidence, max(d.evidence for d in others))
    ranked = [c for c in ranked if not any(c is d for d in dropped)]
    if days := asked & _WEEKDAYS:
        ranked = [c for c in ranked if not (said := content_words(c.sentence.text) & _WEEKDAYS) or said & days]
    return sorted(ranked, key=lambda c: -c.score)


def without_other_codes(ranked: list[Candidate], asked: list[str]) -> list[Candidate]:
    """``ranked`` without the sentences that speak of another of a kind of code the question
    names: asked about "Goethe C1" or "income in 2024", a sentence saying B1 (or under the heading
    "Finances 2025", or from annual_report_2025.pdf) and never C1 (2024) answers a neighbouring
    question, not this one. A sentence with no such code at all stays: it may still answer."""
    if not asked:
        return ranked
    wanted = {code.lower() for code in asked}
    shapes = {_shape(code) for code in wanted}
    kept = []
    for c in ranked:
        said = {w.lower() for w in _CODE.findall(_surroundings(c))}
        if not (said & wanted) and any(_shape(w) in shapes for w in said):
            continue
        kept.append(c)
    return kept


_CODE = re.compile(r"[^\W_]+")
# things told apart by a letter or a number after their name: "Flat A", "court 3", "block 2b"
_THING = re.compile(r"\b(flat|apartment|unit|room|house|plot|block|building|suite|office|court|floor|lane|pitch|bay|"
                    r"ward|gate|platform|team|group|class|phase|stage|zone|site|lot|option)\s+([a-z]|\d{1,3}[a-z]?)\b",
                    re.IGNORECASE)


def without_other_things(ranked: list[Candidate], question: str) -> list[Candidate]:
    """``ranked`` without the sentences that speak of another flat (court, unit, …) than the one
    the question names: asked about "flat a", a sentence whose surroundings (its passage's heading,
    its file's name and folder) say Flat B and never Flat A answers a neighbour's question."""
    asked = {(noun.lower(), which.lower()) for noun, which in _THING.findall(question)}
    if not asked:
        return ranked
    nouns = {noun for noun, _ in asked}

    def other(c: Candidate) -> bool:
        around = f"{_surroundings(c)} {Path(c.passage.hit.path).parent.name}"
        said = {(noun.lower(), which.lower()) for noun, which in _THING.findall(around) if noun.lower() in nouns}
        return bool(said) and not said & asked

    return [c for c in ranked if not other(c)]


def _shape(word: str) -> str:
    """A code's kind: "C1" and "B2" are "a9", "E999" is "a999", 2024 and 1999 are years; a plain
    word or number has none ("")."""
    if YEAR.fullmatch(word):
        return "year"
    if word.isdigit() or word.isalpha():
        return ""
    return "".join("9" if ch.isdigit() else "a" for ch in word)



def _surroundings(c: Candidate) -> str:
    """What says which thing a sentence is about: the sentence (with the one it leans on), its
    passage's heading and its file's name."""
    hit = c.passage.hit
    lead = c.lead.text if c.lead else ""
    return f"{lead} {c.sentence.text} {hit.heading} {Path(hit.path).stem}"


def declines(ctx: Context, evidence: float, threshold: float) -> bool:
    """Abstain: the evidence is weak, or not strong and the question names something no file
    mentions (strong evidence wins: the name may be a spelling the files do not use), or that only
    the person's tables hold (their rows answer it, ``assistant.with_tables``)."""
    return (evidence < threshold or (bool(ctx.unknown_names or ctx.held) and evidence < threshold + NAME_MARGIN)
            or (bool(ctx.unknown_terms) and evidence < threshold + TERM_MARGIN))


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def strongest(ranked: list[Candidate]) -> float:
    """The evidence of the best-supported sentence (0 when there is none)."""
    return max((c.evidence for c in ranked), default=0.0)


def select(ranked: list[Candidate]) -> list[Candidate]:
    """The best sentence plus up to three more that score close to it and say something new.

    A chosen sentence that leans on the one before it ("They are treated…") brings that
    sentence along, so the answer reads on its own. A short fact or a table row must also be
    close to the best evidence: the rows of one table (a recipe's lines) share their passage's
    score, so only their own evidence tells the battery's row from the brake pads'.
    """
    if not ranked:
        return []
    chosen = _with_lead([ranked[0]], ranked[0], ranked)
    evidence = strongest(ranked)
    pool = [c for c in ranked[1:] if c.score >= ranked[0].score - KEEP_WITHIN and c not in chosen
            and (c.sentence.kind == "prose" or c.evidence >= evidence - KEEP_WITHIN)]
    while pool and len(chosen) < MAX_SENTENCES:
        best = max(pool, key=partial(_mmr, chosen=chosen))
        pool.remove(best)
        if not _repeats(best, chosen):
            grown = _with_lead(chosen + [best], best, ranked)
            chosen = grown if len(grown) <= MAX_SENTENCES else chosen
    return chosen


# "why did the calibration fail?", "what caused the delay?": a question for a cause, and the words
# of a sentence that gives one ("since" and "as" also tell time, and are left out)
_WHY = re.compile(r"^\s*(?:why\b|how come\b|what (?:caused|was the cause|is the cause|was the reason|is the reason))"
                  r"|\breasons? (?:for|why)\b", re.I)
_CAUSE = re.compile(r"\b(?:because|cause[ds]?|due to|owing to|thanks to|reasons?|as a result|so that|led to|"
                    r"therefore|which is why|that is why|that's why)\b", re.I)


def with_cause(chosen: list[Candidate], ranked: list[Candidate], question: str) -> list[Candidate]:
    """For a question asking why, when no chosen sentence gives a cause: ``chosen`` with the
    sentence of the best one's passage that does ("Cause (found on 04/11): the standard was made up
    with…" beside "Ran a test calibration ahead of batch 8. PFHxS r2 = 0.981, below our limit"),
    in place of the last one when there are ``MAX_SENTENCES`` already."""
    if not chosen or not _WHY.search(question) or any(_CAUSE.search(c.sentence.text) for c in chosen):
        return chosen
    top = chosen[0].passage
    cause = next((c for c in ranked if c.passage is top and c.sentence.kind == "prose"
                  and _CAUSE.search(c.sentence.text) and not any(c is x for x in chosen)), None)
    if cause is None:
        return chosen
    return chosen[:MAX_SENTENCES - 1] + [cause]


# "reduce the quorum from 15 to 12", "raised from €180 to €210": a number changed, said with a verb of change
_CHANGE = re.compile(r"\b(?:amend|chang|reduc|increas|rais|lower|cut|extend|shorten|mov|replac|revis|adjust|updat|"
                     r"drop|rise|rose|went)\w*\b.{0,80}?\bfrom\s+\D{0,3}?(\d+(?:[.,]\d+)?)\b.{0,20}?"
                     r"\bto\s+\D{0,3}?(\d+(?:[.,]\d+)?)\b", re.I)
# "the fee will be £40, not £45", "20 instead of 22": the new number, then the old one it corrects
_CORRECTED = re.compile(r"(?<![\d.,])\D{0,3}?(\d+(?:[.,]\d+)?)\b[^.;\d]{0,12}?,?\s*\(?(?:not|instead of|rather than)\s+"
                        r"\D{0,3}?(\d+(?:[.,]\d+)?)\b", re.I)
# "Concession reduced to £20": a labelled number changed, its old value said elsewhere
_LABEL_CHANGED = re.compile(r"\b([A-Z][a-z]{2,})\s+(?:(?:is|was|are|were)\s+)?(?:reduced|increased|raised|lowered|cut|"
                            r"changed|moved|goes up|goes down|rises|falls)\s+to\s+\D{0,3}?(\d+(?:[.,]\d+)?)\b")
# "so the revised agreed price is GBP 340,000": a number said anew, its old value given elsewhere after the
# same words ("the agreed price of GBP 342,500")
_REVISED = re.compile(r"\b(?:revised|new|updated|amended|corrected|reduced|increased|final)\s+"
                      r"((?:[a-z]+\s+){0,2}?[a-z]+)\s+(?:is|was|will be|becomes|is now|now)\s+"
                      r"\D{0,4}?(\d+(?:[.,]\d+)*)", re.I)
# what a meeting decided of a motion, said in the sentence after it
_OUTCOME = re.compile(r"(?:carried|approved|agreed|adopted|passed|accepted|rejected|defeated|not carried|lost|"
                      r"withdrawn|deferred)\b", re.I)


def changes(chosen: list[Candidate], ranked: list[Candidate], threshold: float,
            question: str = "") -> list[Candidate]:
    """A sentence of another file that changes a number the chosen sentences state ("9.3 The quorum
    … is 15 members." and the AGM's "Motion to amend clause 9.3 to reduce the quorum … from 15 to 12
    members."), with evidence enough to be an answer itself, and the sentence after it when that
    says what became of it ("Carried by two-thirds majority"); [] when there is none. Of several,
    the one sharing most words with ``question``."""
    said = " ".join(c.sentence.text for c in chosen)
    stated = set(_NUMBER.findall(said))
    files = {c.passage.hit.path for c in chosen}
    asked = content_words(question)  # of several changes, one the question's words say ("concession") first
    for c in sorted(ranked, key=lambda c: -len(asked & content_words(c.sentence.text))):
        m = _changed(c.sentence.text, said) if c.passage.hit.path not in files and c.evidence >= threshold else None
        if m and m[0] in stated and m[1] not in stated:
            after = next((x for x in ranked if x.passage is c.passage and x.sentence.start > c.sentence.end
                          and not c.passage.hit.text[c.sentence.end:x.sentence.start].strip()), None)
            return [c, after] if after is not None and _OUTCOME.match(after.sentence.text) else [c]
    return []


def _changed(sentence: str, said: str = "") -> tuple[str, str] | None:
    """(old number, new number) of a sentence that changes one ("from 15 to 12", "£40, not £45"),
    or that changes what ``said`` gives a number after a label ("Concession reduced to £20" of
    "Concession £22")."""
    if m := _CHANGE.search(sentence):
        return m[1], m[2]
    if m := _CORRECTED.search(sentence):
        return m[2], m[1]
    for m in _LABEL_CHANGED.finditer(sentence):
        if old := re.search(rf"\b{re.escape(m[1])}\W{{1,3}}\D{{0,3}}?(\d+(?:[.,]\d+)?)\b", said, re.I):
            return old[1], m[2]
    for m in _REVISED.finditer(sentence):
        if old := re.search(rf"\b{re.escape(m[1])}\s*(?:of|is|was|at|:)?\s*\D{{0,4}}?(\d+(?:[.,]\d+)*)", said, re.I):
            return old[1], m[2]
    return None


def _mmr(c: Candidate, chosen: list[Candidate]) -> float:
    """Relevance minus similarity to what is already chosen (maximal marginal relevance)."""
    return MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * max(float(c.vector @ s.vector) for s in chosen)


def _with_lead(chosen: list[Candidate], c: Candidate, ranked: list[Candidate]) -> list[Candidate]:
    if c.lead is None or any(x.passage is c.passage and x.sentence == c.lead for x in chosen):
        return chosen
    lead = next((x for x in ranked if x.passage is c.passage and x.sentence == c.lead), None)
    return chosen + [lead] if lead is not None else chosen


def _repeats(c: Candidate, chosen: list[Candidate]) -> bool:
    """``c`` says again what ``chosen`` says: its text is in theirs (or theirs in its), or it is
    as close in meaning as ``REDUNDANT`` and brings no number they lack. Price lists and policies
    are sentences of one shape that differ in the number that matters ("CHF 95 for 60 minutes",
    "a pack of 10 lessons costs CHF 890")."""
    if _same_text(c, chosen):
        return True
    if max(float(c.vector @ s.vector) for s in chosen) < REDUNDANT:
        return False
    known = set().union(*(_NUMBER.findall(s.sentence.text) for s in chosen))
    return set(_NUMBER.findall(c.sentence.text)) <= known


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _same_text(c: Candidate, chosen: list[Candidate]) -> bool:
    return any(c.sentence.text in s.sentence.text or s.sentence.text in c.sentence.text for s in chosen)


def reading_order(chosen: list[Candidate]) -> list[Candidate]:
    """Files in the order of their best sentence; inside a file, the order of the text."""
    first: dict[str, int] = {}
    for i, c in enumerate(chosen):
        first.setdefault(c.passage.hit.path, i)
    return sorted(chosen, key=lambda c: (first[c.passage.hit.path], c.passage.hit.page or 0,
                                         c.passage.hit.line_start or 0, c.passage.hit.chunk_id, c.sentence.start))


def citation(n: int, c: Candidate) -> Citation:
    """A numbered citation of ``c``'s sentence with its own page and lines in the file."""
    hit, s = c.passage.hit, c.sentence
    first, last = line_span(hit.text, s.start, s.end, hit.line_start, hit.line_end)
    quote = s.text
    exact = exact_lines(hit.path, s.text, hit.line_start, hit.line_end, hit.page, near=first)
    if exact:
        first, last, quote = exact
    return Citation(n, hit.path, hit.page, first, last, quote, hit.chunk_id, hit.trust, round(c.score, 4))


def closest_sources(ranked: list[Candidate], count: int = 3) -> list[Citation]:
    """The best sentence of each of the first few distinct files (for an abstention)."""
    out: list[Citation] = []
    for c in ranked:
        if all(x.path != c.passage.hit.path for x in out):
            out.append(citation(len(out) + 1, c))
        if len(out) == count:
            break
    return out


def confidence(evidence: float, threshold: float, chosen: list[Candidate], ctx: Context) -> float:
    """Retrieval strength, agreement between the chosen sentences, and their sources' trust, in 0..1."""
    strength = calibrated(evidence, threshold)
    if len(chosen) > 1:
        agree = float(np.mean([max(0.0, float(c.vector @ chosen[0].vector)) for c in chosen[1:]]))
        files = {c.passage.hit.path for c in chosen}
        agree = min(1.0, agree + (0.15 if len(files) > 1 else 0.0))
    else:
        agree = 0.5
    trust = ctx.trust([c.passage.n for c in chosen])
    return round(max(0.0, min(1.0, strength * (0.75 + 0.25 * agree) * (0.5 + 0.5 * trust))), 3)
