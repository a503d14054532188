"""Follow-up questions: "And for the Beta plan?" read with the question it follows.

A question looks elliptical when it opens like a continuation ("and", "or", "what about",
"how about", …) or when it is short. Such a question is retrieved a second time joined to
its thread (the previous user question, and those before it while they continue); the joined
retrieval is used when its evidence is stronger and some sentence says one of the words the
follow-up brings (which the answer's sentences must then say), so a new short question
("What is the capital of Australia?") is not answered with the previous topic. When no
retrieved sentence uses any of those words ("and when do we fly back?" against "Return: TAP
flight…"), the sentences that read as answering the follow-up alone better than the questions
before it stand for them, and a sentence's evidence is its better cosine of the two readings.
A self-contained question is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .context import Context
from .reasoner_offline import Candidate, focused, strongest
from .words import content_words

# Words that point back at something the chat named before ("what is she allergic to?").
_POINTS_BACK = re.compile(r"\b(?:it|its|they|them|their|theirs|he|him|his|she|her|hers|there|that\s+one)\b", re.I)
_CONTINUES = re.compile(r"^\s*(?:and|or|but|also|then|so|what\s+about|how\s+about|same\s+for|as\s+for)\b", re.I)
SHORT_WORDS = 3  # a question with at most this many content words may lean on the one before
THREAD = 3  # at most this many earlier questions are joined


def continues(question: str) -> bool:
    """Opens like a continuation of the previous question."""
    return bool(_CONTINUES.match(question))


def points_back(question: str) -> bool:
    """Names its subject only by a pronoun: it, they, she, there, …"""
    return bool(_POINTS_BACK.search(question))


def leans(question: str) -> bool:
    """Might need the question before it: opens like a continuation, or is short."""
    return continues(question) or len(content_words(question)) <= SHORT_WORDS


def thread(history: list[dict[str, Any]]) -> list[str]:
    """The previous user question, oldest first with the ones before it while each opens
    like a continuation or points back ("And for Gamma?" after "And for Beta?" after the real
    question; "what is she allergic to?" after "when is her next flea tablet due?" after "who
    is Pepper's vet?")."""
    out: list[str] = []
    for message in reversed(history):
        if message["role"] != "user":
            continue
        out.insert(0, message["text"])
        if not (continues(message["text"]) or points_back(message["text"])) or len(out) == THREAD:
            break
    return out


def resolve(ctx: Context, threshold: float, rank: Callable[[Context], list[Candidate]],
            joined: Callable[[str], Context], encode: Callable[[str], np.ndarray]) -> Context:
    """``ctx``, or the context retrieved for the question joined to its thread when that is
    a follow-up's better reading."""
    earlier = thread(ctx.history)
    if not earlier or not leans(ctx.question):
        return ctx
    own = strongest(rank(ctx))
    pointing = points_back(ctx.question)
    if own >= threshold and not continues(ctx.question) and not pointing:
        return ctx  # short but answered on its own
    other = joined(" ".join([*earlier, ctx.question]))
    other.focus = frozenset(content_words(ctx.question) - content_words(" ".join(earlier)))
    other.focus_vec, other.thread_vec = ctx.qvec, encode(" ".join(earlier))
    ranked = rank(other)
    better = strongest(ranked) > own or (pointing and strongest(ranked) >= threshold)  # "it" is what came before
    return other if better and focused(ranked, other) else ctx
