"""Where a citation's quote sits, in words a person can follow in the file's own program."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from engine.chat.types import Citation


def test_a_docx_quote_is_placed_by_the_paragraph_its_extractor_numbers(ws: Workspace, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Employee handbook: leave policy", level=1)  # paragraph 1
    document.add_paragraph("")  # 2: an empty paragraph counts, as Word counts it
    document.add_paragraph("Every full-time employee receives 25 days of paid annual leave per calendar year.")
    path = tmp_path / "handbook.docx"
    document.save(str(path))
    ws.ingest([path])

    answer = ws.chat.ask("How many days of paid annual leave do employees get?")
    cited = next(c for c in answer.citations if "25 days" in c.quote)
    assert (cited.line_start, cited.where()) == (3, "paragraph 3")  # was "line 3": Word shows no lines


def test_other_files_keep_their_lines_and_pages() -> None:
    def where(path: str, page: int | None, start: int, end: int) -> str:
        return Citation(1, path, page, start, end, "quote", 1).where()

    assert where("/notes/plan.md", None, 5, 7) == "lines 5-7"
    assert where("/notes/report.pdf", 2, 1, 1) == "page 2, line 1"
    assert where("/notes/HANDBOOK.DOCX", None, 2, 4) == "paragraphs 2-4"
