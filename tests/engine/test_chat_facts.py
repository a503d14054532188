"""Short facts of personal notes are quotable: "Serves 6.", "Label: value" lines, list lines,
Markdown table rows (quoted verbatim, read with their column names); code and markup are not."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from engine.chat.locate import exact_lines
from engine.chat.sentences import split_sentences

TAGINE = """# Moroccan Lamb Tagine

Serves 6. Takes 3 hours including marinating.

## Ingredients

- 1.2 kg lamb shoulder, cut into 4 cm cubes
- 200 g dried apricots
- 70 g toasted flaked almonds

## Method

Marinate the lamb with the spices for at least 1 hour.
Brown the meat in batches, then simmer covered in the oven for 2 hours.
"""

CAR_LOG = """# Car repairs

| Date | Garage | Repair | Cost |
|------|--------|--------|------|
| 2025-04-22 | Autohaus Nord | brake pads, front | 548 |
| 2026-03-02 | QuickFix | battery | 180 |
| 2026-05-11 | TÜV Nord | inspection, passed | 142 |

## Notes

The timing belt is due at 120,000 km or in 2027, whichever comes first.
"""


def assert_verbatim_on_its_lines(path: Path, quote: str, first: int, last: int) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert quote in "\n".join(lines[first - 1:last]), (quote, first, last)


def _answered(ws: Workspace, path: Path, text: str, question: str):  # type: ignore[no-untyped-def]
    """Ingest ``text`` as ``path`` and ask ``question``: the answer, which must not decline, whose
    first quote is verbatim on the lines it names."""
    path.write_text(text, encoding="utf-8")
    assert not ws.ingest([path]).failed
    answer = ws.chat.ask(question)
    assert not answer.abstained, answer.text
    first = answer.citations[0]
    assert_verbatim_on_its_lines(path, first.quote, first.line_start, first.line_end)
    return answer


def test_a_recipe_note_answers_how_many_it_serves_citing_that_line(ws: Workspace, tmp_path: Path) -> None:
    answer = _answered(ws, tmp_path / "tagine.md", TAGINE, "How many people does the tagine serve?")
    first = answer.citations[0]
    assert (first.quote, first.line_start, first.line_end) == ("Serves 6.", 3, 3)
    assert answer.text.startswith("Serves 6. [1]")


def test_a_markdown_table_log_answers_with_the_row_quoted_verbatim_on_its_line(
        ws: Workspace, tmp_path: Path) -> None:
    answer = _answered(ws, tmp_path / "car_log.md", CAR_LOG, "How much did the battery cost?")
    first = answer.citations[0]
    assert first.quote == "| 2026-03-02 | QuickFix | battery | 180 |"
    assert (first.line_start, first.line_end) == (6, 6)
    # The answer reads the row with its column names; the citation keeps the file's text.
    assert answer.text.startswith("Date: 2026-03-02, Garage: QuickFix, Repair: battery, Cost: 180 [1]")
    assert "|" not in answer.text


def test_table_rows_are_candidates_read_with_their_header_and_separators_and_headers_are_not() -> None:
    sentences = split_sentences(CAR_LOG.split("\n\n", 1)[1])
    rows = [s for s in sentences if s.kind == "row"]
    assert [s.text for s in rows] == [line for line in CAR_LOG.splitlines() if line.startswith("| 20")]
    assert rows[1].gist == "Date 2026-03-02, Garage QuickFix, Repair battery, Cost 180"
    assert rows[1].display == "Date: 2026-03-02, Garage: QuickFix, Repair: battery, Cost: 180"
    assert all(CAR_LOG.split("\n\n", 1)[1][s.start:s.end] == s.text for s in sentences)
    assert not [s for s in split_sentences(CAR_LOG, notes=False) if s.kind != "prose"]  # source code: as before


def test_short_facts_and_list_lines_are_candidates_and_code_and_markup_are_not() -> None:
    facts = ["Serves 6.", "Booking reference: K7QXM2.", "Oven: 175 C (fan 155 C).", "3 eggs, separated",
             "120 g plain flour", "Vet: Dr. Anja Vogel"]
    passage = "\n\n".join([
        "Banana bread",                                      # a lone heading
        f"{facts[0]} Takes 3 hours including marinating.",
        f"{facts[1]}\n{facts[2]}",
        f"{facts[3]}\n{facts[4]}\n1 tsp baking powder\npinch of salt",   # a list without bullets
        f"**{facts[5].split(':')[0]}:** {facts[5].split(': ')[1]}",
        "$ make install PREFIX=/usr/local\nsudo apt install python3 -y\ncd /tmp/build2",
        "x = compute(3, 4)\nprint(f'Total: {x}')\nreturn 0",
        "name: grace\nversion: 2\nport: 8080",
        '{"name": "grace", "version": 2}',
        "```\nTimeout: 30 seconds\n```",
        "|---|---|\n| --- | :---: |",
        "Default: 0\nType: int",
    ])
    texts = [s.text for s in split_sentences(passage)]
    assert texts == [facts[0], "Takes 3 hours including marinating.", facts[1], facts[2], facts[3], facts[4],
                     "1 tsp baking powder", "**Vet:** Dr. Anja Vogel"]


def test_wrapped_prose_stays_one_sentence_while_a_list_is_cut_into_lines() -> None:
    prose = ("The hive must be inspected every ten days during the swarming season, and\n"
             "an inspection looks for queen cells, eggs and the amount of stored honey in\n"
             "the frames of the brood box.")
    assert [s.text for s in split_sentences(prose)] == [prose]
    ingredients = "3 very ripe bananas, mashed\n75 g melted butter\n1 egg, beaten\n190 g plain flour"
    assert [s.text for s in split_sentences(ingredients)] == ingredients.split("\n")
    contacts = ("Landlord: Immobilien Hegi GmbH, Frau Barbara Knecht, 052 244 70 30, knecht@hegi-immo.ch\n"
                "Main parts supplier: Velo Grosshandel AG in Oberentfelden, customer number 44817\n"
                "Insurance broker: Karin Ott at Mobiliar Winterthur, 052 260 11 80\n"
                "Treasurer Ruth Angst keeps the spare key to the cash box.")  # long lines, yet a list's entries
    assert [s.text for s in split_sentences(contacts)] == contacts.split("\n")


def test_a_short_quote_found_twice_is_cited_on_the_line_nearest_its_passage(tmp_path: Path) -> None:
    notes = tmp_path / "recipes.md"
    notes.write_text("Pancakes\n\nServes 4.\n\nWaffles\n\nServes 4.\n", encoding="utf-8")
    assert exact_lines(str(notes), "Serves 4.", 1, 7, None, near=7) == (7, 7, "Serves 4.")
    assert exact_lines(str(notes), "Serves 4.", 1, 7, None, near=3) == (3, 3, "Serves 4.")


def test_a_quote_is_found_across_markup_entities_and_line_breaks(tmp_path: Path) -> None:
    page = tmp_path / "foxes.html"
    page.write_text("<html><body>\n<h1>Foxes</h1>\n<p>Red foxes <em>den</em> in\nhollow&nbsp;trees, mostly "
                    "near water.</p>\n<p>They hunt at dusk.</p>\n</body></html>\n", encoding="utf-8")
    quote = "Red foxes den in hollow trees, mostly near water."
    assert exact_lines(str(page), quote, 1, 7, None) == (3, 4, quote)  # HTML: the quote as the text reads
    assert exact_lines(str(page), "Red foxes den in oak trees.", 1, 7, None) is None
    assert exact_lines(str(page), "They hunt at dusk.", 1, 7, None)[:2] == (5, 5)


def test_a_plain_text_files_title_is_not_quoted_as_an_answer(ws: Workspace, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "vet_records_pepper.txt").write_text(
        "Pepper - vet records\n\n"
        "Pepper is a 5-year-old Border Collie mix, microchip number 276098106542311.\n"
        "Vet: Tierarztpraxis Dr. Anja Vogel, Lehmweg 9.\n"
        "Pepper is allergic to chicken; feed the lamb and rice kibble only.\n")
    ws.ingest([notes])
    answer = ws.chat.ask("who is Pepper's vet?", offline=True)
    quotes = [c.quote for c in answer.citations]
    assert "Pepper - vet records" not in quotes  # it names the file's subject and answers nothing
    assert "Vet: Tierarztpraxis Dr. Anja Vogel, Lehmweg 9." in quotes


def test_only_a_first_line_standing_alone_without_end_punctuation_is_a_title() -> None:
    from engine.chat.sentences import is_title

    def titles(text: str) -> list[str]:
        return [s.text for s in split_sentences(text) if is_title(text, s)]

    assert titles("Pepper - vet records\n\nPepper is a 5-year-old Border Collie mix.\n") == ["Pepper - vet records"]
    assert titles("Pepper is a 5-year-old dog.\n\nShe is allergic to chicken.\n") == []  # a sentence
    assert titles("Remember to feed the starter before the weekend trip\nand leave it out overnight.\n") == []
    assert titles("Household cleaning rota from February\n\nMonday: Tom hoovers the living room.\n") == [
        "Household cleaning rota from February"]
