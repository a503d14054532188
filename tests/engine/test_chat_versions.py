"""Files that are versions of one another: an answer quotes the newer where both say the point."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Workspace
from engine.chat.context import assemble
from engine.chat.versions import family, newer


@pytest.mark.parametrize(("new", "old"), [
    ("safety/safety_rules_v2_2024.pdf", "safety/safety_rules_v1_2022.pdf"),
    ("minutes/committee_2024-05-14.md", "minutes/committee_2024-05-14_DRAFT.md"),
    ("handbook v1.10.md", "handbook v1.9.md"),
])
def test_the_newer_version_is_known_by_its_name(new: str, old: str) -> None:
    assert family(new) == family(old) != "" and newer(new, old) and not newer(old, new)


@pytest.mark.parametrize(("a", "b"), [
    ("members.csv", "members_export_2023-09.csv"), ("ch04-03-slices.md", "ch04-02-references.md"),
    ("2024.txt", "2023.txt"), ("os.path.html", "os.html"),
    ("committee_2024-05-14.md", "committee_2024-03-05.docx"),  # a series: each meeting's minutes
])
def test_files_that_are_not_versions_of_one_document(a: str, b: str) -> None:
    assert not newer(a, b) and not newer(b, a)


RULES = """Club safety rules
Version {v} - adopted {year}

1. Weather
1.1 No crew boat outings when the wind exceeds {wind} knots.
1.2 When the river is in flood no outings are allowed.

2. Emergencies
2.1 In an emergency call 112 and ask for the Coast Guard.
2.2 Safety officer: {officer}.
"""


def test_an_answer_quotes_the_newer_version_and_says_it_left_the_older_out(ws: Workspace, tmp_path: Path) -> None:
    for v, year, wind, officer in ((1, 2022, 20, "Peadar Hughes (087 600 1234)"),
                                   (2, 2024, 15, "Brian Geraghty (086 919 3030)")):
        (tmp_path / f"safety_rules_v{v}_{year}.txt").write_text(RULES.format(v=v, year=year, wind=wind,
                                                                             officer=officer))
    ws.ingest([tmp_path])
    for question, said in (("Who is the safety officer?", "Brian Geraghty"),
                           ("What is the wind limit for crew boats?", "15 knots")):
        answer = ws.chat.ask(question)
        assert not answer.abstained and said in answer.text, answer.text
        assert {Path(c.path).name for c in answer.citations} == {"safety_rules_v2_2024.txt"}, answer.text
        assert "safety_rules_v1_2022.txt (an older version of safety_rules_v2_2024.txt)" in answer.text


MINUTES = """# Committee meeting - {day}

Present: Aoife Brennan (chair), Liam Burke, Siobhan Keane.
Apologies: {away}.

1. Boats - the committee agreed to {decision}.
2. Next meeting in six weeks.
"""


def test_a_month_the_question_names_must_be_in_the_passages_it_is_answered_from(ws: Workspace,
                                                                               tmp_path: Path) -> None:
    for name, day, away, decision in (("committee_2024-03-05.md", "5 March 2024", "Paddy Joyce",
                                       "buy a new double scull for up to 9,000 euro"),
                                      ("committee_2024-05-14.md", "14 May 2024", "Declan Fahy",
                                       "sell the old coxed four to Galway club")):
        (tmp_path / name).write_text(MINUTES.format(day=day, away=away, decision=decision))
    (tmp_path / "events.md").write_text("# Club calendar\n\nSummer regatta: Saturday 15 June 2024 at the Quays.\n")
    ws.ingest([tmp_path])
    march = ws.chat.ask("What did the committee decide about boats at the March 2024 meeting?")
    assert {Path(c.path).name for c in march.citations} == {"committee_2024-03-05.md"}, march.text
    assert "double scull" in march.text  # not dropped as an "older version" of May's minutes
    june = ws.chat.ask("What did the committee decide about boats in June 2024?")
    assert june.abstained and "None of the passages close to it mention June." in june.text, june.text


def test_the_newer_versions_same_sentence_takes_the_older_ones_place_in_the_answer() -> None:
    from types import SimpleNamespace as N

    import numpy as np

    from engine.chat.versions import superseded

    def cand(path: str, n: int, vec: list[float], score: float) -> N:
        v = np.asarray(vec, dtype=np.float32)
        return N(passage=N(hit=N(path=path), n=n, vector=v / np.linalg.norm(v)), vector=v / np.linalg.norm(v),
                 score=score, evidence=score / 2)

    old = cand("rules_v1_2022.pdf", 1, [1, 0, 0], 0.82)  # "Junior sessions: Saturday 10:00 to 12:00."
    other = cand("news_2023.html", 2, [0, 1, 0], 0.67)  # "Erg sessions Tuesday and Thursday 7pm."
    same = cand("rules_v2_2024.pdf", 3, [1, 0.01, 0], 0.66)  # the same line in the newer rules
    kept, lost = superseded([old, other, same])
    # without taking the older line's score the newer one ranked below the newsletter, and the
    # answer led with sentences that do not speak of juniors
    assert kept == [same, other] and same.score == 0.82 and same.evidence == 0.41
    assert lost == [("rules_v1_2022.pdf", "rules_v2_2024.pdf", 0.82)]


def test_another_files_change_to_the_number_an_answer_states_follows_it(ws: Workspace, tmp_path: Path) -> None:
    # the constitution's quorum was quoted alone though the AGM had amended it
    (tmp_path / "constitution.md").write_text(
        "# Constitution\n\n## 9. General meetings\n\n9.1 The AGM shall be held in January or February.\n"
        "9.3 The quorum for a general meeting is 15 members.\n9.4 The constitution may be changed by a "
        "two-thirds majority at a general meeting.\n", encoding="utf-8")
    (tmp_path / "agm_2024.md").write_text(
        "# AGM minutes, 27 January 2024\n\nAttendance: 23 members.\n\nMotion to amend clause 9.3 to reduce the "
        "quorum at general meetings from 15 to 12 members. Carried by two-thirds majority (20 for, 3 against).\n\n"
        "The summer regatta runs from 15 to 17 June.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("What is the quorum for a general meeting?")
    assert not answer.abstained and "9.3 The quorum for a general meeting is 15 members. [1]" in answer.text
    assert ("agm_2024.md records a change to this: Motion to amend clause 9.3 to reduce the quorum at general "
            "meetings from 15 to 12 members. [2] Carried by two-thirds majority (20 for, 3 against). [3]"
            ) in answer.text, answer.text
    assert [Path(c.path).name for c in answer.citations][-2:] == ["agm_2024.md", "agm_2024.md"]
    assert "regatta" not in answer.text


OLD_POLICY = ("Safeguarding policy\n\nAdopted by the committee: March 2023.\n\n"
              "Our Designated Safeguarding Lead is Margaret Okafor, telephone 07700 900123.\n\n"
              "Every adult working with children needs a DBS check, renewed every five years.\n")
NEW_POLICY = ("Child performers and safeguarding\n\nApproved by the committee on 6 February 2025. This document "
              "replaces the 2023 policy in full.\n\nThe Designated Safeguarding Lead is Siobhan Bhriain, telephone "
              "07700 900456.\n\nEvery adult whose role involves contact with children needs an enhanced DBS check. "
              "Checks must be renewed every three years.\n")


def test_a_file_that_says_it_replaces_an_older_one_is_quoted_alone(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "safeguarding policy.txt").write_text(OLD_POLICY, encoding="utf-8")
    (tmp_path / "child performers and safeguarding.txt").write_text(NEW_POLICY, encoding="utf-8")
    ws.ingest([tmp_path])
    dbs = ws.chat.ask("How often does a DBS check need renewing?")  # the new rule, not the replaced five years
    assert "renewed every three years" in dbs.text and "five years" not in dbs.text, dbs.text
    lead = ws.chat.ask("Who is our designated safeguarding lead?")
    assert "Siobhan Bhriain" in lead.text and "Margaret Okafor" not in lead.text, lead.text
    assert "safeguarding policy.txt (child performers and safeguarding.txt says it replaces it)" in lead.text
    assert {Path(c.path).name for c in lead.citations} == {"child performers and safeguarding.txt"}
    pair = {(str(tmp_path / "safeguarding policy.txt"), str(tmp_path / "child performers and safeguarding.txt"))}
    assert assemble(ws, "Who is our designated safeguarding lead?").replaced == pair
    assert assemble(ws, "Who was the lead under the old safeguarding policy?").replaced == set()  # asked of


def test_a_renewal_replacing_any_schedule_issued_before_replaces_the_older_ones_only(ws: Workspace,
                                                                                    tmp_path: Path) -> None:
    schedule = ("Hartwell Home Insurance\n\nPolicy schedule, issued 20 February {y}. Period of cover 14/03/{y} to "
                "13/03/{z}.\n\nTotal annual premium: £{p}, payable by 12 monthly instalments.\n{more}")
    (tmp_path / "Hartwell home insurance schedule.txt").write_text(
        schedule.format(y=2024, z=2025, p="486.24", more=""), encoding="utf-8")
    (tmp_path / "Hartwell renewal documents Mar25.txt").write_text(schedule.format(
        y=2025, z=2026, p="531.48", more="\nThis renewal schedule replaces any schedule issued to you before.\n"),
        encoding="utf-8")
    (tmp_path / "Hartwell car insurance schedule 2027.txt").write_text(  # a later year: not replaced
        "Hartwell Motor\n\nCar insurance schedule for 2027. Total annual premium: £612.00.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    pairs = assemble(ws, "How much is the home insurance premium now?").replaced
    assert pairs == {(str(tmp_path / "Hartwell home insurance schedule.txt"),
                      str(tmp_path / "Hartwell renewal documents Mar25.txt"))}, pairs
    answer = ws.chat.ask("How much is the home insurance premium now?")
    assert "531.48" in answer.text and "486.24" not in answer.text, answer.text


def test_a_later_sentence_correcting_a_number_with_not_follows_the_answer(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "minutes_september.md").write_text(
        "# Committee meeting, 12 September 2024\n\nAgreed that from 1 January 2025 the membership fees will be: "
        "Adult £45, Concession £22, Junior £15.\n\nThe panto budget is £3,000.\n", encoding="utf-8")
    (tmp_path / "minutes_november.md").write_text(
        "# Committee meeting, 14 November 2024\n\nThe 2025 adult fee will be £40, not £45. "
        "Concession reduced to £20.\n\nThe bar will stock alcohol-free beer.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    concession = ws.chat.ask("What is the concession membership fee?")  # "reduced to £20": no old figure said
    assert "records a change to this: Concession reduced to £20." in concession.text, concession.text
    answer = ws.chat.ask("What is the adult membership fee for 2025?")
    assert "Adult £45" in answer.text and (
        "minutes_november.md records a change to this: The 2025 adult fee will be £40, not £45.") in answer.text, \
        answer.text


def test_a_later_sentence_giving_a_revised_number_follows_the_answer(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "2026-02-11 solicitor - sale progress.txt").write_text(
        "Thank you for instructing us on the sale of 4 Larch Close, at the agreed price of GBP 318,000 (offer "
        "accepted on 04/02/2026). Our fixed fee is GBP 1,200 plus VAT.\n", encoding="utf-8")
    (tmp_path / "2026-03-09 agent - survey.txt").write_text(
        "The buyers' survey found damp in the back bedroom. Sale of 4 Larch Close: after our call you agreed to "
        "reduce the price by GBP 3,000, so the revised agreed price is GBP 315,000.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("agreed price for larch close")  # was the first price alone
    assert "318,000" in answer.text and "records a change to this:" in answer.text \
        and "revised agreed price is GBP 315,000" in answer.text, answer.text
