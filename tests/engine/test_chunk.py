"""Chunking follows structure and respects the token target."""

from __future__ import annotations

import weakref

from engine.chunk import chunk_blocks, embed_prefix
from engine.embed import Embedder
from engine.extract.base import Block


def test_chunks_keep_heading_path_lines_and_context(embedder: Embedder) -> None:
    blocks = [
        Block("Guide", 1, 1, ("Guide",), is_heading=True),
        Block("Intro paragraph.", 3, 3, ("Guide",)),
        Block("Setup", 5, 5, ("Guide", "Setup"), is_heading=True),
        Block("Install the package.\nThen run it.", 7, 8, ("Guide", "Setup")),
    ]
    chunks = chunk_blocks(blocks, embedder.count_tokens, target=200, overlap=20, context="Guide - Example docs")
    assert [c.heading for c in chunks] == ["Guide", "Guide > Setup"]
    assert (chunks[1].line_start, chunks[1].line_end) == (7, 8)
    assert chunks[1].embed_text.startswith("Guide > Setup\n") and "Setup" not in chunks[1].text
    # A title the headings do not start with ("1. Overview" under "Write-Ahead Logging") leads them.
    titled = chunk_blocks(blocks, embedder.count_tokens, target=200, overlap=20, context="Write-Ahead Logging")
    assert titled[1].heading == "Guide > Setup"  # what is shown stays the page's own headings
    assert titled[1].embed_text.startswith("Write-Ahead Logging > Guide > Setup\n")
    assert embed_prefix("Rapid prototyping > Tools", "API") == "API > Rapid prototyping > Tools"  # words, not letters
    assert embed_prefix("3. Pointer-Passing Interfaces", "Pointer Passing") == "3. Pointer-Passing Interfaces"


def test_a_text_of_titles_only_is_chunked_from_its_titles(embedder: Embedder) -> None:
    blocks = [Block("GNU Licenses", 3, 3, ("GNU Licenses",), is_heading=True),
              Block("Appendix", 9, 9, ("GNU Licenses", "Appendix"), is_heading=True)]
    chunks = chunk_blocks(blocks, embedder.count_tokens, target=200, overlap=20, context="licenses")
    assert [(c.text, c.heading, c.line_start) for c in chunks] == [  # still searchable
        ("GNU Licenses", "", 3), ("Appendix", "GNU Licenses", 9)]
    assert chunks[0].embed_text == "licenses\nGNU Licenses"


def test_long_text_is_packed_under_target_without_cutting_words(embedder: Embedder) -> None:
    sentence = "The committee reviewed the extraordinary proposal carefully. "
    text = "\n".join(sentence * 3 for _ in range(40))
    blocks = [Block(text, 1, 40)]
    chunks = chunk_blocks(blocks, embedder.count_tokens, target=120, overlap=20)
    assert len(chunks) > 5
    words = set(sentence.split())
    for c in chunks:
        assert embedder.count_tokens([c.text])[0] <= 120
        assert set(c.text.split()) <= words
    assert chunks[0].line_start == 1 and chunks[-1].line_end == 40
    assert all(a.line_start <= b.line_start for a, b in zip(chunks, chunks[1:], strict=False))


def test_neighbouring_chunks_overlap_by_a_sentence(embedder: Embedder) -> None:
    sentences = [f"Sentence number {i} describes item {i} in some detail." for i in range(60)]
    chunks = chunk_blocks([Block(" ".join(sentences), 1, 1)], embedder.count_tokens, target=100, overlap=30)
    assert len(chunks) > 2
    for a, b in zip(chunks, chunks[1:], strict=False):
        last = a.text.split(". ")[-1]
        assert last.rstrip(".") in b.text


def test_a_single_enormous_word_is_kept_whole(embedder: Embedder) -> None:
    word = "x" * 5000
    chunks = chunk_blocks([Block(f"start {word} end", 1, 1)], embedder.count_tokens, target=100, overlap=10)
    assert any(word in c.text for c in chunks)


def test_a_long_paragraph_cut_into_pieces_keeps_its_own_line_breaks(embedder: Embedder) -> None:
    lines = [f"Step {i} of the procedure: check valve {i} and record its pressure." for i in range(60)]
    block = Block("\n    ".join(lines), 1, 60, ())
    chunks = chunk_blocks([block], embedder.count_tokens, target=120, overlap=0)
    assert len(chunks) > 2
    for c in chunks:
        assert c.text in block.text  # verbatim: pieces are joined by the spacing the file had


class _Live:
    """Blocks made on demand, counting how many are alive at once (a frozen dataclass takes weak
    references): a chunker that holds them all keeps every one alive."""

    def __init__(self) -> None:
        self.alive = self.most = 0

    def blocks(self, n: int, heading: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
        for i in range(n):
            block = Block(f"Note {i} about the harbour.", 2 * i + 1, 2 * i + 1, heading)
            self.alive += 1
            self.most = max(self.most, self.alive)
            weakref.finalize(block, self._gone)
            yield block

    def _gone(self) -> None:
        self.alive -= 1


def test_blocks_are_chunked_as_they_come_not_all_held_at_once(embedder: Embedder) -> None:
    live = _Live()
    chunks = chunk_blocks(live.blocks(20_000, ("Log",)), embedder.count_tokens, target=200, overlap=24)
    assert live.most <= 2_000  # a batch of texts counted together, not 20,000
    expected = chunk_blocks(list(_Live().blocks(20_000, ("Log",))), embedder.count_tokens, target=200, overlap=24)
    assert chunks == expected and len(chunks) > 100


def test_a_title_known_only_after_the_blocks_is_what_chunks_are_embedded_under(embedder: Embedder) -> None:
    found: list[str] = []

    def blocks():  # type: ignore[no-untyped-def]
        yield Block("Intro paragraph about otters.", 3, 3)
        found.append("Otter field guide")  # as a stream learns its title: at the end

    chunks = chunk_blocks(blocks(), embedder.count_tokens, context=lambda: found[0])
    assert [c.embed_text for c in chunks] == ["Otter field guide\nIntro paragraph about otters."]


def test_a_text_of_titles_only_given_as_a_stream_is_read_again_for_its_titles(embedder: Embedder) -> None:
    class Again:
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield Block("GNU Licenses", 3, 3, ("GNU Licenses",), is_heading=True)
            yield Block("Appendix", 9, 9, ("GNU Licenses", "Appendix"), is_heading=True)

    chunks = chunk_blocks(Again(), embedder.count_tokens, target=200, overlap=20, context="licenses")
    assert [(c.text, c.heading, c.line_start) for c in chunks] == [
        ("GNU Licenses", "", 3), ("Appendix", "GNU Licenses", 9)]
