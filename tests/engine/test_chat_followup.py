"""Follow-up questions that name their subject only by a pronoun are read with the thread
they continue, back to the question that named it; one whose words no file uses is read by
its meaning."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace


def _folder(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _notes(root: Path) -> Path:
    return _folder(root, {
        "vet_records_pepper.txt":
        "Pepper - vet records\n\n"
        "Pepper is a 5-year-old Border Collie mix, microchip number 276098106542311.\n"
        "Vet: Tierarztpraxis Dr. Anja Vogel, Lehmweg 9.\n"
        "Pepper is allergic to chicken; feed the lamb and rice kibble only.\n"
        "Flea and tick tablet (Bravecto) every 12 weeks; next dose due 15 April 2026.\n",
        "house_rules.txt":
        "House rules\n\nWednesday: Lena waters the plants and feeds the fish.\n"
        "The recycling goes out on Thursday evening; glass is collected every second Friday.\n",
        "school.txt":
        "School information\n\nLena's class trip to the seaside costs 45 euros and leaves at 8:00 on 12 June.\n"
        "Lunch boxes must be nut-free because two children in the class have nut allergies.\n"})


def test_a_pronoun_reaches_back_through_earlier_follow_ups_to_the_name(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest([_notes(tmp_path / "notes")])
    first = ws.chat.ask("who is Pepper's vet?")
    second = ws.chat.ask("when is her next flea tablet due?", session_id=first.session)
    assert not second.abstained and "15 April 2026" in second.text
    third = ws.chat.ask("what is she allergic to?", session_id=first.session)  # "she" is Pepper, two questions back
    assert not third.abstained and "allergic to chicken" in third.text
    assert third.citations[0].path.endswith("vet_records_pepper.txt")


def _trip(root: Path) -> Path:
    return _folder(root, {
        "porto_trip.md":
        "# Porto weekend, October\n\n## Flights to Porto\n\n"
        "We fly to Porto on 9 October with Ryanair FR1862 from Bremen, departing 06:50.\n"
        "Return flight: Ryanair FR1863 on 12 October, departing 21:10.\n"
        "Seats are booked together in row 14.\n\n## Food\n\n"
        "Dinner on Saturday at Cantinho do Avillez, table booked for 20:00.\n",
        "soup.md":
        "# Pumpkin soup\n\nRoast the pumpkin with two onions for 40 minutes, then blend it with the stock.\n"
        "Serve with toasted pumpkin seeds and a swirl of cream.\n"})


def test_a_follow_up_whose_words_no_file_uses_is_read_by_its_meaning(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest([_trip(tmp_path / "notes")])
    first = ws.chat.ask("when do we fly to Porto?")
    assert "9 October" in first.text
    back = ws.chat.ask("and when do we fly back?", session_id=first.session)  # no file says "back"
    assert not back.abstained and "12 October" in back.citations[0].quote
    assert "9 October" not in back.text  # the sentences about the way back, not the whole thread again
    soup = ws.chat.ask("what goes on top of the pumpkin soup?")
    assert "seeds" in soup.text
    dessert = ws.chat.ask("and what about dessert?", session_id=soup.session)  # nothing close in meaning
    assert dessert.abstained
