"""Follow-up questions that name their subject only by a pronoun are read with the thread
they continue, back to the question that named it."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace


def _notes(root: Path) -> Path:
    root.mkdir()
    (root / "vet_records_pepper.txt").write_text(
        "Pepper - vet records\n\n"
        "Pepper is a 5-year-old Border Collie mix, microchip number 276098106542311.\n"
        "Vet: Tierarztpraxis Dr. Anja Vogel, Lehmweg 9.\n"
        "Pepper is allergic to chicken; feed the lamb and rice kibble only.\n"
        "Flea and tick tablet (Bravecto) every 12 weeks; next dose due 15 April 2026.\n")
    (root / "house_rules.txt").write_text(
        "House rules\n\nWednesday: Lena waters the plants and feeds the fish.\n"
        "The recycling goes out on Thursday evening; glass is collected every second Friday.\n")
    (root / "school.txt").write_text(
        "School information\n\nLena's class trip to the seaside costs 45 euros and leaves at 8:00 on 12 June.\n"
        "Lunch boxes must be nut-free because two children in the class have nut allergies.\n")
    return root


def test_a_pronoun_reaches_back_through_earlier_follow_ups_to_the_name(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest([_notes(tmp_path / "notes")])
    first = ws.chat.ask("who is Pepper's vet?")
    second = ws.chat.ask("when is her next flea tablet due?", session_id=first.session)
    assert not second.abstained and "15 April 2026" in second.text
    third = ws.chat.ask("what is she allergic to?", session_id=first.session)  # "she" is Pepper, two questions back
    assert not third.abstained and "allergic to chicken" in third.text
    assert third.citations[0].path.endswith("vet_records_pepper.txt")
