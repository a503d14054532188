"""The offline grounded answerer: verbatim quotes, exact lines and pages, abstention, confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine import Workspace
from engine.chat import ABSTAIN_TEXT, Answer
from engine.chat.context import assemble
from engine.chat.reasoner_offline import readable
from engine.chat.sentences import line_span, split_sentences
from engine.extract import Limits, extract
from tests.fixtures.make_pdf import make_pdf, qt_pdf

BEES = """Beekeeping notes


The hive must be inspected every ten days during the swarming season.
An inspection looks for queen cells, eggs and the amount of stored honey.

Varroa mites are the most serious pest of honey bees.  They are treated
with oxalic acid in winter, when the colony has no brood.



Honey is harvested in late summer once the frames are capped with wax.
"""

PDF_PAGES = [
    "Annual report 2023\nThe company was founded in Lyon in 1998.\nIt makes bicycle parts.",
    "Finance\nRevenue grew by 12 percent to 4.1 million euros in 2023.\nCosts stayed flat.",
]


@pytest.fixture
def corpus(docs: Path) -> Path:
    (docs / "bees.txt").write_text(BEES, encoding="utf-8")
    (docs / "report.pdf").write_bytes(make_pdf(PDF_PAGES))
    return docs


@pytest.fixture
def filled(ws: Workspace, corpus: Path) -> Workspace:
    report = ws.ingest([corpus])
    assert not report.failed, report.failed
    return ws


def extracted_blocks(path: str) -> list[str]:
    data = Path(path).read_bytes()
    return [b.text for b in extract(Path(path), data, Limits()).blocks]


def assert_grounded(answer: Answer) -> None:
    """Every quote is verbatim in its file's extracted text, and (for text files) on its lines."""
    assert answer.citations, answer.text
    for c in answer.citations:
        assert any(c.quote in block for block in extracted_blocks(c.path)), c
        assert f"[{c.n}]" in answer.text
        if c.page is None and c.path.endswith((".txt", ".md")):
            lines = Path(c.path).read_text(encoding="utf-8").split("\n")
            assert c.quote in "\n".join(lines[c.line_start - 1:c.line_end]), c
            assert c.quote in Path(c.path).read_text(encoding="utf-8")


def test_answer_quotes_the_sentence_that_answers_with_its_own_lines(filled: Workspace, corpus: Path) -> None:
    answer = filled.chat.ask("How are varroa mites treated?")
    assert not answer.abstained
    assert_grounded(answer)
    first = answer.citations[0]
    assert first.path == str(corpus / "bees.txt")
    assert "oxalic acid" in " ".join(c.quote for c in answer.citations)
    treated = next(c for c in answer.citations if "oxalic" in c.quote)
    assert (treated.line_start, treated.line_end) == (7, 8)  # the sentence wraps onto line 8


def test_an_answer_citing_a_file_changed_since_it_was_read_says_so(filled: Workspace, corpus: Path) -> None:
    assert "changed or gone" not in filled.chat.ask("How are varroa mites treated?").text
    bees = corpus / "bees.txt"
    bees.write_text("Important update: read the new guide first.\n" + bees.read_text(encoding="utf-8"))
    answer = filled.chat.ask("How are varroa mites treated?")
    assert answer.citations[0].path == str(bees)
    assert "bees.txt has changed or gone since Grace read it" in answer.text


def test_every_quote_is_verbatim_across_formats(filled: Workspace) -> None:
    for question in ["How often should the hive be inspected?", "How much did revenue grow in 2023?",
                     "How often should I oil my bicycle chain?", "What tyre pressure do road tyres want?",
                     "When is the quarterly budget review?"]:
        answer = filled.chat.ask(question)
        assert not answer.abstained, question
        assert_grounded(answer)
        assert 1 <= len(answer.citations) <= 4


def _docx_table(path: Path, heading: str, rows: list[tuple[str, ...]], intro: str = "") -> Path:
    """A DOCX file at ``path``: a heading, maybe a paragraph, and a table of ``rows`` (the first its header)."""
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    if intro:
        document.add_paragraph(intro)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(path))
    return path


def test_a_quoted_docx_table_row_is_the_documents_own_words_and_spacing(ws: Workspace, tmp_path: Path) -> None:
    import docx

    path = _docx_table(tmp_path / "prices.docx", "Trade price list", [
        ("Beer", "Container", "Price"), ("Pale Ghost IPA", "30 L keg", "£165"), ("Nightjar Stout", "20 L keg", "£120")],
        "Prices for pubs and bars, before VAT.")
    ws.ingest([path])
    answer = ws.chat.ask("how much is a 30 litre keg of Pale Ghost for a pub?")
    # What python-docx itself reads, in document order, with runs of whitespace as one space
    words = [p.text for p in docx.Document(str(path)).paragraphs]
    words += [cell.text for row in docx.Document(str(path)).tables[0].rows for cell in row.cells]
    plain = " ".join(" ".join(words).split())
    row = next(c for c in answer.citations if "Pale Ghost" in c.quote)
    assert " ".join(row.quote.split()) in plain and "£165" in row.quote
    # a short row reads with its header's names, and answers: "Beer: Nightjar Stout, …, Price: £120"
    stout = ws.chat.ask("What does a keg of Nightjar Stout cost?")
    assert "Beer: Nightjar Stout, Container: 20 L keg, Price: £120" in stout.text, stout.text


def test_a_pdf_table_row_is_read_with_its_header_and_the_header_is_not_quoted(ws: Workspace, tmp_path: Path,
                                                                              qapp) -> None:
    """A PDF's table reaches the answerer as lines of cells: "how much are our contents insured
    for?" is answered by the Contents row, read with its column names, not by the header line
    whose words are the question's ("Section Sum insured Excess")."""
    path = tmp_path / "home insurance schedule.pdf"
    path.write_bytes(qt_pdf(
        "<h1>Hartwell Home Insurance</h1><p>Policy schedule for 14 Larkspur Close, issued 17 February 2025.</p>"
        "<h2>Sections of cover</h2><table cellpadding='6'>"
        "<tr><th>Section</th><th>Sum insured</th><th>Excess</th></tr>"
        "<tr><td>Buildings</td><td>£400,000</td><td>£350</td></tr>"
        "<tr><td>Contents</td><td>£50,000</td><td>£350</td></tr>"
        "<tr><td>Valuables</td><td>£2,000</td><td>£350</td></tr></table>"
        "<h2>Claims</h2><p>To make a claim call our 24-hour claims line on 0800 468 2290.</p>"))
    ws.ingest([path])
    answer = ws.chat.ask("how much are our contents insured for?")
    assert not answer.abstained and "Sum insured: £50,000" in answer.text, answer.text
    assert not any("Excess" in c.quote for c in answer.citations), answer.citations
    assert any(" ".join(c.quote.split()) == "Contents £50,000 £350" for c in answer.citations)


def test_a_to_do_lines_date_answers_when_a_thing_was_last_done(ws: Workspace, tmp_path: Path) -> None:
    """"When was …" asks for a date: the manual's rule ("every 12 months") does not answer it, the
    to-do line that says when does, read without its task box."""
    (tmp_path / "TODO house.md").write_text(
        "# House to-do (shared)\n\n## This month\n- [x] Return Ngozi's consent slip and medical form\n"
        "- [x] Pay the residential deposit (£50, ParentPay), done 10/03\n- [ ] Pay the residential balance\n"
        "- [x] Renew home insurance, stayed with Hartwell, premium went up :(\n"
        "- [ ] Book boiler service with Kieran (last service 12 Oct 2024)\n"
        "- [ ] Send Brightwave meter readings before 1 April\n- [ ] Order new school shoes for Elias (size 13)\n"
        "- [ ] Compare broadband, Fibrelink price went up in April\n", encoding="utf-8")
    (tmp_path / "boiler guide.md").write_text(
        "# Vireo Combi 30 user guide\n\n## Servicing\n\nThe boiler must be serviced every 12 months by a Gas Safe "
        "engineer to keep the warranty valid.\n\n## Pressure\n\nThe pressure gauge should read between 1 and 1.5 bar "
        "when the system is cold.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("when was the boiler last serviced")
    assert not answer.abstained and "12 Oct 2024" in answer.citations[0].quote, answer.text


def test_a_notes_terse_lines_answer_under_their_labels(ws: Workspace, tmp_path: Path) -> None:
    """A plain note of labels over indented lines ("fees" / "  annual licence fee £587, …"): each
    label's lines are a passage of their own, and a line read with its label answers."""
    (tmp_path / "soil association notes.txt").write_text(
        "Soil Association - certification notes\n======================================\n\n"
        "licence no. SA-G-48817   (organic since 2019, full symbol since 2021)\n"
        "certification body contact: Deborah Hale (inspector)\n\n2026 inspection - 14 July 2026\n"
        "  went ok mostly. Deborah was here 9.30 til about 1.\n  non-conformities (2):\n"
        "   1. manure from Bryn's farm - no declaration from the source farm that it's from a\n"
        "      non-intensive system. need the signed form.\n"
        "   2. onion sets (non-organic Sturon) bought without logging the derogation first.\n\n"
        "fees\n  annual licence fee £587, paid 2 Sept 2026 by bank transfer.\n"
        "  renewal: licence year runs 1 Feb - 31 Jan, renewal paperwork must be in by 31 Jan 2027.\n\n"
        "reminders to self\n  - keep every seed receipt, derogations logged in the red folder\n"
        "  - no sewage sludge ever, no glyphosate on the drive\n", encoding="utf-8")
    (tmp_path / "todo.txt").write_text(
        "TO DO   (tues 24 nov, evening)\n\nTOM\n  thurs 26th 9-2  pack boxes\n  sat 28th  7-1   market\n\n"
        "farm\n  - fix T1 door, bottom rail rotten\n  - order more 1kg paper bags (wyebank)\n"
        "  - take the fleece off T2 salad when it warms up\n", encoding="utf-8")
    ws.ingest([tmp_path])
    fee = ws.chat.ask("how much is the soil association fee")
    assert not fee.abstained and fee.citations[0].quote.startswith("annual licence fee £587"), fee.text
    renewal = ws.chat.ask("when does the SA renewal have to be in")
    assert not renewal.abstained and "31 Jan 2027" in renewal.citations[0].quote, renewal.text
    door = ws.chat.ask("whats wrong with the T1 door")
    assert not door.abstained and door.citations[0].quote == "fix T1 door, bottom rail rotten", door.text


def test_a_figure_said_after_the_words_asked_for_inside_a_sentence_answers(ws: Workspace, tmp_path: Path) -> None:
    """"…, sort code<newline>30-94-57, account …": the code on the next line does not open a dated
    entry, and the words asked for ("sort code") said before a figure answer as a label would; a
    sum in a grant application answers "how much … the grant" though its sentence says "the Fund"."""
    (tmp_path / "INV-041.txt").write_text(
        "INVOICE INV-041\n\nLeeks 4 kg £19.20\nBeetroot 3 kg £11.40\nTOTAL £30.60\n\n"
        "Payment terms: 14 days from the invoice date. Please pay by bank transfer to H Okafor, sort code\n"
        "30-94-57, account 11902835, quoting the invoice number.\n", encoding="utf-8")
    (tmp_path / "grant application - round 3.md").write_text(
        "# Small farms fund: round 3\n\nWe are asking for funding for two things: a rainwater harvesting system "
        "off the barn roof, and a walk-in cool room for the boxes.\n\nTotal project cost: £6,920. Amount requested "
        "from the Fund: £4,850. The remaining £2,070 will come from the business's own savings.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    code = ws.chat.ask("whats my sort code")
    assert not code.abstained and "30-94-57" in code.citations[0].quote, code.text
    grant = ws.chat.ask("how much am i asking the grant for")
    assert not grant.abstained and "£4,850" in grant.text, grant.text


def test_a_question_asking_why_is_answered_with_the_sentence_that_gives_the_cause(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    (tmp_path / "2026-03-09 kiln.md").write_text(
        "# 09/03/2026 - Glaze firing 14 failed\n\nFired the test tiles for firing 14 to cone 6. Every celadon tile "
        "crawled and the tenmoku pooled at the foot. Firing 14 failed on both glazes.\n\nCause (found on 11/03): "
        "the bucket had been topped up with rain water from the garden tank, which carries iron and silt. Mixed a "
        "fresh batch with filtered water and labelled the bucket.\n\nThe kiln was then booked out until 20/03, so "
        "firing 14 was redone on 21/03/2026. The redone firing 14 came out clean. Firing 15 is planned for "
        "April.\n", encoding="utf-8")
    (tmp_path / "studio rules.md").write_text(
        "# Studio rules\n\nBook the kiln a week ahead. Clean the wheel after use and leave tools to dry.\n",
        encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("why did glaze firing 14 fail")  # was the firing's sentences without the cause
    assert not answer.abstained and any("topped up with rain water" in c.quote for c in answer.citations), answer.text


def test_a_deadline_is_the_date_a_sentence_says_not_the_day_its_e_mail_was_sent(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "funding.eml").write_text(
        "From: Ruth Amari <r.amari@uni.example>\nTo: Kofi Mensah <k.mensah@uni.example>\n"
        "Subject: Travel fund\nDate: Mon, 12 Jan 2026 09:14:00 +0000\n\nHi Kofi,\n\n"
        "The school will cover your travel to the soil science summer school if you apply before the "
        "travel fund deadline.\n\nBest,\nRuth\n", encoding="utf-8")
    (tmp_path / "summer school.md").write_text(
        "# Soil science summer school 2026\n\nThe school runs in Uppsala from 6 to 10 July 2026. Travel fund "
        "applications close on 27 February 2026, and late applications are not read.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("travel fund deadline?")  # was Ruth's sentence, dated only by her e-mail
    assert not answer.abstained and any("27 February 2026" in c.quote for c in answer.citations), answer.text
    assert not any("apply before" in c.quote for c in answer.citations), answer.text


FEES_HTML = """<!doctype html><html><head><title>Membership fees</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/fees">Fees</a></li></ul></nav>
<h1>Membership fees 2026</h1>
<p>The committee set these yearly fees at the spring meeting.</p>
<table>
 <thead><tr><th>Category</th><th>Yearly fee</th><th>Boat levy</th><th>Notes</th></tr></thead>
 <tbody>
  <tr><td>Senior</td><td>&euro; 240</td><td>&euro; 60</td><td></td></tr>
  <tr><td>Student</td><td>&euro; 120</td><td></td><td>proof of enrolment needed</td></tr>
  <tr><td>Junior</td><td>&euro; 90</td><td>&euro; 20</td><td>under 18 on 1 April</td></tr>
 </tbody>
</table>
<p>Fees are due by the end of April.</p>
</body></html>
"""


def test_an_html_table_row_is_read_with_its_header_even_with_empty_cells(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "fees.html"
    path.write_text(FEES_HTML, encoding="utf-8")
    ws.ingest([path])
    student = ws.chat.ask("What is the yearly fee for a student?")
    assert "Category: Student, Yearly fee: € 120, Notes: proof of enrolment needed" in student.text, student.text
    junior = ws.chat.ask("How much is the boat levy for juniors?")
    assert "Boat levy: € 20" in junior.text and any("Junior" in c.quote for c in junior.citations), junior.text
    extracted = "\n".join(b.text for b in extract(path, path.read_bytes(), Limits()).blocks)
    assert all(c.quote in extracted for c in student.citations + junior.citations)


def test_a_docx_table_row_with_an_empty_cell_keeps_its_columns(ws: Workspace, tmp_path: Path) -> None:
    path = _docx_table(tmp_path / "boats.docx", "Boat register", [
        ("Boat", "Type", "Last service", "Damage"), ("Kingfisher", "single scull", "", "cracked rigger"),
        ("Heron", "coxed four", "2026-03-14", "none")])
    ws.ingest([path])
    answer = ws.chat.ask("What damage does the Kingfisher have?")
    assert "Boat: Kingfisher, Type: single scull, Damage: cracked rigger" in answer.text, answer.text


def test_a_configuration_files_setting_is_quoted_as_its_line(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "booking_config.yaml"
    path.write_text("# Boat booking system config\nclub: Corrib ARC\ntimezone: Europe/Dublin\nbooking:\n"
                    "  advance_hours_min: 24        # was 48 until April 2024\n  max_duration_minutes: 120\n"
                    "  max_bookings_per_week: 4\nnotifications:\n  remind_before_minutes: 60\n", encoding="utf-8")
    ws.ingest([path])
    answer = ws.chat.ask("What is the maximum duration of a booking in minutes?")
    # the splitter read the file as prose and cut each value from its key: "…\n  max_duration_minutes:"
    assert any(c.quote == "max_duration_minutes: 120" and c.line_start == 6 for c in answer.citations), answer


AGM = """Annual General Meeting - 27 January 2024

1. Reports
The captain reported a good season: 14 wins at regattas and two new crews. The treasurer presented
the accounts to 31 December 2023, which were adopted.

2. Membership fees 2024
The meeting agreed a senior fee of 210 euro and a junior fee of 90 euro.

3. Election of officers
Captain: Aoife Brennan. Vice-captain: Liam Burke. Treasurer: Ciaran O'Malley. Secretary: Siobhan Keane.
Welfare officer: Orla Nestor. Safety officer: Brian Geraghty. Boatman: Paddy Joyce.
"""


@pytest.mark.parametrize(("question", "said"), [
    ("Who is the captain?", "Captain: Aoife Brennan."),
    ("Who is the club's safety officer?", "Safety officer: Brian Geraghty."),
])
def test_a_line_labelled_with_the_role_asked_for_answers_who_is(ws: Workspace, tmp_path: Path, question: str,
                                                                said: str) -> None:
    (tmp_path / "agm.txt").write_text(AGM, encoding="utf-8")
    ws.ingest([tmp_path / "agm.txt"])
    answer = ws.chat.ask(question)  # "Captain: Aoife Brennan." embeds far from "who is the captain?": declined
    assert not answer.abstained and answer.citations[0].quote == said, answer.text


OFFER = ("Dear Priya,\nFollowing your interviews with the platform team, we are pleased to offer you the\n"
         "position of Lead Analyst at our Gdansk office, on a permanent contract.\nStart date\t01/09/2026\n"
         "Gross annual salary\tPLN 264,000 paid in 12 monthly instalments\nAnnual bonus\tup to 10% of gross salary\n"
         "Trial period\t3 months\n\nPlease confirm your acceptance by 14/07/2026.\n")
PERMIT = ("After arrival: residence permit and admin\n\n1. Book the prefecture appointment online.\n"
          "2. Bring passports, the lease and three photos. The residence card tax is paid online with a tax "
          "stamp before the appointment.\n   Residence card tax: PLN 340 per adult. Children "
          "get a travel document instead, PLN 100 each.\n3. Register at the town hall within 30 days.\n")


LEASE = ("# Lease notes - 8 rue Haute\n\n- Rent PLN 3,900 a month plus charges PLN 420\n- Rent is paid by transfer "
         "on the 5th of each month\n- Notice if we leave: 1 month\n- Cellar no. 6 and a bike room; no parking space\n"
         "- Home insurance is compulsory before the keys\n")


@pytest.mark.parametrize(("question", "quote"), [
    ("whats my salary going to be", "Gross annual salary\tPLN 264,000 paid in 12 monthly instalments"),
    ("how much is the residence card tax", "Residence card tax: PLN 340 per adult."),
    ("how much notice do we have to give on the flat", "Notice if we leave: 1 month"),
    ("when do i start", "Start date\t01/09/2026"),
])
def test_a_line_labelled_with_what_is_asked_answers_it(ws: Workspace, tmp_path: Path, question: str,
                                                       quote: str) -> None:
    (tmp_path / "offer letter.txt").write_text(OFFER, encoding="utf-8")
    (tmp_path / "after arrival.txt").write_text(PERMIT, encoding="utf-8")
    (tmp_path / "lease notes.md").write_text(LEASE, encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask(question)  # declined: the salary was one sentence of every line; the fee asked for no money
    assert not answer.abstained and answer.citations[0].quote == quote, answer.text


def test_a_figure_among_the_terms_of_a_letter_named_for_what_is_asked_answers_how_much(ws: Workspace,
                                                                                     tmp_path: Path) -> None:
    (tmp_path / "Attendance Allowance decision letter.txt").write_text(
        "Attendance Allowance Unit, Wolverhampton\nAttendance Allowance - our decision\nWe have decided you can get "
        "Attendance Allowance at the higher rate, because you need help both during the day and at night.\n\n"
        "Rate\tHigher rate\nWeekly amount £110.40\nPaid\tevery 4 weeks, £441.60, into your account\n"
        "Starts\t12 June 2026\n", encoding="utf-8")
    (tmp_path / "to do.md").write_text("- [ ] Apply for blue badge - Dad says he doesn't need one\n"
                                       "- [x] Send Attendance Allowance form (sent 12/05)\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("how much attendance allowance does dad get")  # the title line, or declined, before
    assert not answer.abstained and answer.citations[0].quote == "Weekly amount £110.40", answer.text


def test_how_much_of_a_grant_keeps_the_grant_as_the_subject_a_sentence_is_about(ws: Workspace) -> None:
    ws.ingest([Path(__file__).parent.parent / "fixtures" / "eco_club"])  # a teacher's eco club: news, notes, e-mail
    answer = ws.chat.ask("how much was the eco grant and what is it for")  # declined when "grant" asked for money
    assert not answer.abstained and "£450" in answer.citations[0].quote, answer.text


def test_a_line_labelled_with_the_noun_of_how_many_answers_only_with_a_number(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "tenancy agreement.txt").write_text(
        "Tenancy agreement, Flat 2, 9 Mill Lane\n\nTenant: Jo Marsh\nLandlord: Priya Nair\nRent: £950 per month\n"
        "Term: 12 months from 01/03/2025\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("how many tenants do i have now")  # "Tenant: Jo Marsh" names one, it counts none
    assert answer.abstained, answer.text


def test_a_sum_of_money_about_something_else_does_not_answer_how_much(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Pepper - pet travel.txt").write_text(
        "Pepper (dog, 4 years) - travel to Spain\n\nRabies jab cost GBP 65. Total vet cost GBP 245.\n"
        "Travel: in the car with us on the Eurotunnel (pets allowed, GBP 25 pet fee each way, booked with the "
        "crossing).\nTapeworm treatment needed 1-5 days before arrival.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("how much is the eurotunnel ticket")  # the pet fee is not the ticket
    assert answer.abstained, answer.text


def test_the_kind_asked_for_needs_the_subjects_head_noun_not_every_word() -> None:
    from engine.chat.reasoner_offline import _about, _head

    assert [_head(rest) for rest in (" the eurotunnel ticket", " is our flight out to sweden",
                                     " the solicitors fees", " the qqq back up after it broke")] == \
        ["ticket", "flight", "fee", "qqq"]
    flight = {"outbound", "flight", "nv4412", "bristol", "gothenburg"}
    assert _about({"flight", "sweden"}, "flight", flight)  # the flight is said, Sweden is not
    assert not _about({"eurotunnel", "ticket"}, "ticket", {"eurotunnel", "pet", "fee"})


def test_pdf_citation_carries_its_page_and_line_on_that_page(filled: Workspace, corpus: Path) -> None:
    answer = filled.chat.ask("By how much did revenue grow in 2023?")
    first = answer.citations[0]
    assert first.path == str(corpus / "report.pdf")
    assert first.page == 2
    assert first.quote.startswith("Revenue grew by 12 percent")
    assert first.line_start == 2  # line 1 of page 2 is the heading "Finance"


def test_question_the_files_cannot_answer_is_declined_with_only_the_sources_near_it(filled: Workspace) -> None:
    answer = filled.chat.ask("What is the capital city of Australia?")
    assert answer.abstained
    assert answer.text == ABSTAIN_TEXT + " None of them mention Australia."  # no unrelated file named as close
    assert answer.citations == [] and answer.closest == []
    assert answer.confidence < 0.5
    near = filled.chat.ask("How many frames does a Langstroth hive hold?")
    assert near.abstained and near.closest and all(Path(c.path).exists() for c in near.closest)
    assert Path(near.closest[0].path).name == "bees.txt" and "The closest passages were in bees.txt" in near.text


def test_a_question_naming_what_no_file_mentions_is_declined_saying_so(filled: Workspace) -> None:
    answer = filled.chat.ask("How many frames does a Langstroth hive hold?")  # near bees.txt
    assert answer.abstained and not answer.citations
    assert answer.text.startswith(ABSTAIN_TEXT) and "None of them mention Langstroth." in answer.text
    assert answer.closest and answer.closest[0].path.endswith("bees.txt")
    strong = filled.chat.ask("How are varroa mites treated in a Langstroth hive?")  # the files answer it
    assert not strong.abstained and "oxalic acid" in strong.text
    named = filled.chat.ask("Where in Lyon was the company founded?")  # a name the report has
    assert not named.abstained and named.citations[0].path.endswith("report.pdf")


def test_a_word_a_file_says_in_another_form_or_a_table_names_is_not_said_to_be_missing(
        ws: Workspace, tmp_path: Path) -> None:
    from engine.chat.words import names

    (tmp_path / "canning.md").write_text("# Canning day\n\nCanDo Mobile Canning charges 14p a can and a setup fee.\n")
    (tmp_path / "sales.csv").write_text("month,beer,revenue_gbp\n2024-01-01,Pale Ghost,100\n2024-02-01,Nightjar,80\n")
    ws.ingest([tmp_path])
    assert ws.tables.count("sales") == 2
    canners = assemble(ws, "What will the mobile canners charge us?")  # "canning" is in the file
    assert canners.unknown_terms == [] and canners.unknown_names == []
    gbp = assemble(ws, "what was the revenue in gbp in February?")  # a column of the person's table
    assert "gbp" not in gbp.unknown_terms + gbp.unknown_names
    assert "serde" in assemble(ws, "how do I derive serde for a struct?").unknown_terms  # still caught
    assert names("What's the Wi-Fi password for the Guest-Net?") == ["Wi-Fi", "Guest-Net"]


def test_confidence_is_in_range_and_higher_for_answers_than_for_refusals(filled: Workspace) -> None:
    good = filled.chat.ask("How often should the hive be inspected during swarming season?")
    bad = filled.chat.ask("Who won the football world cup in 1966?")
    assert 0.0 <= bad.confidence <= good.confidence <= 1.0
    assert good.confidence >= 0.5 and bad.abstained


def test_answers_stream_their_text(filled: Workspace) -> None:
    pieces: list[str] = []
    answer = filled.chat.ask("When is honey harvested?", on_token=pieces.append)
    assert "".join(pieces) == answer.text


def test_empty_workspace_declines(ws: Workspace) -> None:
    answer = ws.chat.ask("How are varroa mites treated?")
    assert answer.abstained and answer.citations == [] and answer.closest == []
    assert "no readable files yet" in answer.text


def test_context_carries_trace_passages_status_facts_history_and_errors(filled: Workspace, corpus: Path) -> None:
    (corpus / "broken.pdf").write_text("not a pdf")
    filled.ingest([corpus])
    filled.chat.facts.add("The hive at the end of the garden is called Hive A.")
    first = filled.chat.ask("How are varroa mites treated?")
    ctx = assemble(filled, "Why did broken.pdf fail? And what about hive A?", first.session)
    assert len(ctx.trace_id) == 12 and ctx.passages
    p = ctx.passages[0].as_dict()
    assert {"path", "page", "line_start", "line_end", "trust", "relevance"} <= set(p)
    assert ctx.status["documents"] >= 5 and ctx.wants_errors
    assert any(f["path"].endswith("broken.pdf") and f["reason"] for f in ctx.failures)
    assert ctx.facts == ["The hive at the end of the garden is called Hive A."]
    assert [m["role"] for m in ctx.history] == ["user", "assistant"]
    assert 0.0 <= ctx.trust() <= 1.0


def test_history_is_the_last_ten_messages(filled: Workspace) -> None:
    sid = filled.chat.sessions.new("long")
    for i in range(7):
        filled.chat.sessions.add_message(sid, "user", f"question {i}")
        filled.chat.sessions.add_message(sid, "assistant", f"answer {i}")
    ctx = assemble(filled, "anything", sid)
    assert len(ctx.history) == 10 and ctx.history[-1]["text"] == "answer 6" and ctx.history[0]["text"] == "question 2"


def test_answer_prose_reads_markdown_links_as_their_words_and_leaves_code_alone() -> None:
    quote = 'Use the [`fs.ReadStream`][] API\nwith [a loop][for-await] (see [docs](a.md#b "B")).'
    assert readable(quote) == "Use the `fs.ReadStream` API with a loop (see docs)."
    assert readable("x[0](y) and m[a][b] and [plain] brackets") == "x[0](y) and m[a][b] and [plain] brackets"


def test_answer_prose_reads_inline_html_as_markdown_and_list_items_are_sentences() -> None:
    assert readable("Approved by the <em>data steward</em>, <b>logged</b>, <kbd>Ctrl</kbd>+<kbd>C</kbd>; "
                    "<span class='x'>List&lt;T&gt;</span> and List<String> stay.") == (
        "Approved by the *data steward*, **logged**, `Ctrl`+`C`; List&lt;T&gt; and List<String> stay.")
    items = ["Backups run nightly, checked automatically.", "Restores must be approved first.",
             "Logs are kept for ninety days"]
    passage = f"{items[0]}\n* {items[1]}\n2) {items[2]}"
    assert [s.text for s in split_sentences(passage)] == items


def test_a_sentence_does_not_end_at_a_title_or_a_saints_name() -> None:
    first = "Ella is in senior infants at St. Brigid's school, with Dr. Kelly as the school doctor."
    assert [s.text for s in split_sentences(f"{first} Pick-up is at 13:10.")] == [first, "Pick-up is at 13:10."]


def test_a_sentence_does_not_end_at_the_abbreviation_of_a_number_before_it() -> None:
    policy = "The building policy no. WG-2231-8845 covers fire and storm damage."
    call = "Call the caretaker on tel. 030 1234 after six."
    refusal = "Can tenants keep a dog without asking? The answer is no."
    assert [s.text for s in split_sentences(f"{policy} {call}")] == [policy, call]
    texts = [s.text for s in split_sentences(f"{refusal} Ask the landlord first before you sign.")]
    assert texts[-1] == "Ask the landlord first before you sign."  # "no." ends a sentence before a word


def test_a_sentence_wrapped_under_a_title_line_is_quoted_whole() -> None:
    passage = ("The Moon\nThe best time to look at craters is near the first quarter, when shadows along\n"
               "the terminator, the line between day and night, show the relief most clearly.")
    assert [s.text for s in split_sentences(passage)] == [passage.split("\n", 1)[1]]  # not cut at "along"


def test_sentences_never_cross_paragraphs_and_know_their_lines() -> None:
    passage = "First para is here and it\nwraps onto a second line.\n\nSecond para starts here. It has two sentences."
    sentences = split_sentences(passage)
    assert [s.text for s in sentences] == ["First para is here and it\nwraps onto a second line.",
                                           "Second para starts here.", "It has two sentences."]
    spans = [line_span(passage, s.start, s.end, 10, 13) for s in sentences]
    assert spans == [(10, 11), (13, 13), (13, 13)]  # one blank line between paragraphs
    assert line_span(passage, sentences[1].start, sentences[1].end, 10, 12) == (12, 12)  # PDF-like: no gap


def test_code_is_not_quoted_even_when_a_passage_reflowed_it() -> None:
    code = ("for i, element in zip(range(start), iterable): pass\n        return\n    try: for i, element in "
            "enumerate(iterable): if i == nexti: yield element")
    prose = "Return an enumerate object which yields pairs of a count and a value."
    assert [s.text for s in split_sentences(code + "\n\n" + prose)] == [prose]


def test_markdown_emphasis_code_spans_and_links_do_not_make_prose_look_like_code() -> None:
    prose = ["The **oven** is cleaned every Friday.", "Call `fs.stat()` before `fs.open(path, flags)` to check it.",
             "See [the guide](https://example.org/care_notes) for the oven's cleaning rules."]
    code = "total = price_each * qty_items if (qty_items > 0) else base_rate"
    assert [s.text for s in split_sentences("\n\n".join(prose + [code]))] == prose


def test_a_markdown_sentence_with_a_bold_word_answers(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "kitchen.md").write_text("# Kitchen\n\nThe **oven** is cleaned every Friday.\n", encoding="utf-8")
    ws.ingest([tmp_path / "kitchen.md"])
    answer = ws.chat.ask("When is the oven cleaned?")
    assert not answer.abstained and answer.citations[0].quote == "The **oven** is cleaned every Friday."


PLANS = """# Refund policy

## Alpha plan

The refund window on the Alpha plan is 30 days from purchase.

## Beta plan

The refund window on the Beta plan is 14 days from purchase. Customers on the Beta plan must keep the receipt.
"""


def test_a_follow_up_is_read_with_the_question_before_it(filled: Workspace, corpus: Path) -> None:
    (corpus / "plans.md").write_text(PLANS, encoding="utf-8")
    filled.ingest([corpus])
    first = filled.chat.ask("What is the refund window on the Alpha plan?")
    assert "30 days" in first.text
    follow = filled.chat.ask("And for the Beta plan?", session_id=first.session)
    assert not follow.abstained and "14 days" in follow.text and "30 days" not in follow.text
    assert_grounded(follow)
    alone = filled.chat.ask("And for the Beta plan?")  # no question before it: nothing to lean on
    assert alone.abstained
    other = filled.chat.ask("What is the capital city of Australia?", session_id=first.session)
    assert other.abstained  # short, but a new topic: not answered with the refund window
    assert filled.chat.ask("How are varroa mites treated?", session_id=first.session).citations[0].path.endswith(
        "bees.txt")


def test_a_follow_up_is_not_answered_by_sentences_that_each_say_half_of_it(filled: Workspace, corpus: Path) -> None:
    (corpus / "geo.md").write_text("# Countries\n\nThe capital of Australia is Canberra. The capital of Canada "
                                   "is Ottawa. Australia has a population of about 26 million people.\n")
    filled.ingest([corpus])
    first = filled.chat.ask("What is the capital of Australia?")
    assert "Canberra" in first.text
    follow = filled.chat.ask("And the population of Canada?", session_id=first.session)
    assert follow.abstained and "26 million" not in follow.text


def test_a_question_asked_during_an_ingest_is_answered_and_kept_without_waiting_for_it(
        filled: Workspace, tmp_path: Path, monkeypatch) -> None:
    import threading

    import engine.ingest as ingest_mod

    more = tmp_path / "more"
    more.mkdir()
    (more / "kites.md").write_text("# Kites\n\nA kite needs steady wind.\n")
    reading, release, resumed = threading.Event(), threading.Event(), threading.Event()
    original = ingest_mod.read_file

    def slow_read(path, limits):  # noqa: ANN001, ANN202 - the ingest stops here, holding its lock
        reading.set()
        release.wait(60)
        resumed.set()
        return original(path, limits)

    monkeypatch.setattr(ingest_mod, "read_file", slow_read)
    ingest = threading.Thread(target=filled.ingest, args=([more],))
    ingest.start()
    try:
        assert reading.wait(60)
        answer = filled.chat.ask("How are varroa mites treated?")
        assert not answer.abstained and not resumed.is_set()  # answered while the ingest is held
        assert filled.chat.sessions.get(answer.session)["title"]
    finally:
        release.set()
        ingest.join(120)
    assert not ingest.is_alive()


def test_a_question_with_bytes_that_are_not_utf8_is_answered_not_a_crash(filled: Workspace) -> None:
    garbled = "How often should tomatoes be \udcff watered?"  # what a command line makes of a stray byte
    assert filled.search(garbled, 3)[0].path.endswith("guide.md")
    assert "twice a week" in filled.chat.ask(garbled).text


def test_comments_and_docstrings_are_quoted_apart_from_the_code_around_them() -> None:
    passage = ('def backoff(attempt: int) -> float:\n    """Return how long to wait before the next attempt.\n\n'
               "The delay doubles with every attempt and is capped at 30 seconds, so a flaky\n    server is not "
               'hammered.\n    """\n    # Jitter is not added here: the caller adds up to one second of jitter.\n'
               "    return min(30.0, 0.5 * 2 ** attempt)\n\nfunction upload(client, path) {\n"
               "  // Uploads are retried five times before the call gives up.\n  return client.put(path);\n}")
    sentences = split_sentences(passage)
    assert [s.text for s in sentences] == [
        "Return how long to wait before the next attempt.",
        "The delay doubles with every attempt and is capped at 30 seconds, so a flaky\n    server is not hammered.",
        "Jitter is not added here: the caller adds up to one second of jitter.",
        "Uploads are retried five times before the call gives up."]
    assert all(passage[s.start:s.end] == s.text for s in sentences)  # verbatim pieces of the passage


def test_a_question_about_a_docstring_is_answered_from_it(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "retry.py").write_text(
        '"""Retry helpers."""\n\n\ndef upload(client, path, attempts=5):\n    """Upload the file with up to five '
        'attempts before giving up."""\n    for attempt in range(attempts):\n        client.put(path)\n',
        encoding="utf-8")
    ws.ingest([tmp_path / "retry.py"])
    answer = ws.chat.ask("How many attempts does upload make before giving up?")
    assert not answer.abstained
    assert answer.citations[0].quote == "Upload the file with up to five attempts before giving up."
    assert answer.citations[0].line_start == 5


def test_only_the_most_promising_sentences_are_embedded_alone(filled: Workspace) -> None:
    reasoner, batches = filled.chat.offline, []
    real = reasoner._embed  # noqa: SLF001

    def counted(texts: list[str]) -> np.ndarray:
        batches.append(list(texts))
        return real(texts)

    reasoner._embed, reasoner.embedded = counted, 1  # noqa: SLF001
    answer = filled.chat.ask("How are varroa mites treated?")
    assert not answer.abstained and "oxalic acid" in answer.text
    assert "most serious pest" in answer.text  # "They are treated…" comes with the sentence it leans on
    assert batches and all(len(b) <= 2 for b in batches)  # the best one, and the one it leans on


EXAMS = """# Exam dates

The Goethe B1 exam takes place on 12 June 2026 in room 4.

The Cambridge C1 exam takes place on 3 July 2026 in the main hall.
"""
PRICES = """# Private lessons

A private lesson of 60 minutes costs CHF 95.

A private lesson of 90 minutes costs CHF 135.
"""


def test_a_sentence_about_another_code_of_the_kind_asked_is_not_an_answer(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "exams.md").write_text(EXAMS)
    ws.ingest([tmp_path])
    answer = ws.chat.ask("When is the Goethe C1 exam?")
    assert "12 June" not in answer.text  # the B1 exam's date is not the C1 exam's
    assert "12 June" in ws.chat.ask("When is the Goethe B1 exam?").text


def test_sentences_alike_but_for_their_numbers_are_both_quoted(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "prices.md").write_text(PRICES)
    ws.ingest([tmp_path])
    answer = ws.chat.ask("How much does a private lesson cost?")
    assert "CHF 95" in answer.text and "CHF 135" in answer.text


def test_words_about_the_answers_form_are_not_names_the_files_must_mention(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "bike.txt").write_text("Bike maintenance\n\nThe front tyre pressure is 4.5 bar and the rear tyre "
                                       "pressure is 5 bar.\n")
    ws.ingest([tmp_path])
    for question in ("Give me a Markdown table of the tyre pressures", "List the tyre pressures in markdown"):
        answer = ws.chat.ask(question)
        assert "markdown" not in answer.text.lower() and "4.5 bar" in answer.text, question


MEETING = """# Team meeting 2 April 2025

Attendees: Anna, Bram, Chidi, Dana.

Decisions:
1. The quarterly report is due on 30 April and Bram owns it.
2. Budget for the offsite is capped at 4,000 euros.

Action items: Dana books the venue; Chidi sends the survey by Friday.
"""


def test_a_clause_of_a_sentence_joined_by_semicolons_answers_on_its_own(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "meeting.md").write_text(MEETING)
    ws.ingest([tmp_path])
    for question in ("Who books the venue?", "Who sends the survey?"):
        answer = ws.chat.ask(question)  # the whole sentence quoted, as the file says it
        assert not answer.abstained and answer.citations[0].quote == (
            "Action items: Dana books the venue; Chidi sends the survey by Friday."), (question, answer.text)
    assert ws.chat.ask("Who won the chess tournament?").abstained


def test_a_request_for_a_files_gist_quotes_its_key_sentences_in_order(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "meeting-2025-04-02.md").write_text(MEETING)
    (tmp_path / "bees.txt").write_text(BEES)
    ws.ingest([tmp_path])
    for question in ("Summarize the team meeting", "What does the bee note say?", "What's in bees.txt?"):
        answer = ws.chat.ask(question)
        assert not answer.abstained and len(answer.citations) >= 3, (question, answer.text)
        assert len({c.path for c in answer.citations}) == 1
        lines = [c.line_start for c in answer.citations]
        assert lines == sorted(lines)  # in the file's order
        for c in answer.citations:  # every quote the file's own words, on its line
            assert c.quote in Path(c.path).read_text().splitlines()[c.line_start - 1]
    (tmp_path / "meeting-2025-05-07.md").write_text("# Team meeting 7 May 2025\n\nThe offsite moves to June.\n")
    ws.ingest([tmp_path])
    which = ws.chat.ask("Summarise the meeting")  # two files match: it asks which
    assert "meeting-2025-04-02.md" in which.text and "meeting-2025-05-07.md" in which.text and not which.citations
    # a topic, not a file: answered as a question
    topic = ws.chat.ask("Tell me about varroa mites")
    assert "Varroa mites are the most serious pest" in topic.text and "key sentences" not in topic.text
    from engine.chat.summary import asked

    assert asked("What does the bee note say about varroa mites?") is None  # of a topic in the file: a question
    assert asked("What does the bee note say?") is not None


def test_a_log_line_that_opens_with_a_date_starts_its_own_sentence() -> None:
    log = ("INCIDENT LOG 2026\n\n2026-01-12  Fridge 2 read 11.2 °C first thing. Ordered a door alarm. AK\n"
           "2026-02-03  Ciarán was bitten on the left hand by a cat while holding it. GW\n"
           "03/04/2026  The X-ray unit showed error E14 and would not expose. TB\n")
    quotes = [s.text for s in split_sentences(log)]
    assert "2026-02-03  Ciarán was bitten on the left hand by a cat while holding it." in quotes  # not "AK\n2026-…"
    assert "03/04/2026  The X-ray unit showed error E14 and would not expose." in quotes


def test_a_row_past_the_twelfth_of_a_long_table_can_answer(ws: Workspace, tmp_path: Path) -> None:
    services = ["Consultation", "Repeat consultation", "Nurse clinic", "Dog vaccination", "Cat vaccination",
                "Rabbit vaccination", "Microchip", "Kennel cough", "Nail clip", "Anal glands", "Cat neuter",
                "Cat spay", "Dog neuter", "Dog spay, over 40 kg", "Dental scale and polish"]
    rows = "\n".join(f"| {s} | €{100 + 10 * i} |" for i, s in enumerate(services))
    (tmp_path / "prices.md").write_text(f"# Price list 2026\n\n| Service | Price |\n|---|---|\n{rows}\n")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("How much is a dog spay over 40 kg?")
    assert "€230" in answer.text, answer.text  # the 14th row: only the first 12 rows could be quoted


MAIL = ("From: Oliver Brandt <oliver.brandt@scanvet.co.uk>\nTo: Tomasz Wojcik <tomasz@millbrookvets.org>\n"
        "Date: Sat, 3 Feb 2024 10:42:17 +0000\nSubject: Quotation SV-2291 - DR-400 digital radiography system\n\n"
        "Dear Tomasz,\n\nThank you for your enquiry. Our price for the DR-400 is £16,500 including installation.\n"
        "The system comes with a three-year parts and labour warranty.\n\nKind regards,\nOliver\n")


GET_IN = ("From: J. Harcourt <tech@quaysideplayhouse.org>\nTo: Zofia <zofia@example.org>\n"
          "Date: Mon, 14 Apr 2025 09:12:00 +0100\nSubject: Earnest get-in\n\n"
          "Hi both - the Friday before your tech (2 May) we have a wedding reception in the foyer until late, so "
          "your get-in will have to be on Saturday 3 May from 12 noon instead of Friday evening.\n\n"
          "Sorry for the hassle. The loading bay door code is unchanged.\n\nJames\n")


def test_an_e_mails_sentences_are_read_with_its_subject(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "email_get_in_change.txt").write_text(GET_IN, encoding="utf-8")
    (tmp_path / "about.md").write_text("# About us\n\nWe rehearse on Tuesdays and Thursdays at St Brigid's Hall.\n")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("When is the get-in for Earnest now?")  # the body never says "Earnest"; the subject does
    assert not answer.abstained and "Saturday 3 May from 12 noon" in answer.text, answer.text
    assert not any(c.quote.startswith(("From:", "Subject:")) for c in answer.citations)


def test_an_e_mails_header_is_its_heading_not_a_quote_unless_the_question_asks_who_sent_it(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "scanvet_quote.txt").write_text(MAIL, encoding="utf-8")
    ws.ingest([tmp_path])
    warranty = ws.chat.ask("How long is the warranty on the DR-400 radiography system?")
    assert not warranty.abstained and "three-year parts and labour warranty" in warranty.text, warranty.text
    assert not any(c.quote.startswith(("From:", "Subject:", "To:", "Date:")) for c in warranty.citations)
    sent = ws.chat.ask("When was the quotation for the DR-400 radiography system sent?")
    assert any(c.quote.startswith(("Subject:", "Date:")) for c in sent.citations), sent.text  # the header, asked of



PAYMENT = ("From: Accounts <accounts@ferrisgale.co.uk>\nTo: Priya Shah <priya@shahdesign.co.uk>\n"
           "Date: Tue, 06 Aug 2024 15:40:02 +0100\nSubject: Re: invoice SD-0417\n\n"
           "Dear Priya,\n\nApologies for the delay on invoice SD-0417. It needed a partner's approval and will go "
           "out in our next payment run.\n\nKind regards,\nMarta Kowalska\nAccounts, Ferris & Gale Architects LLP\n")


def test_an_e_mails_signature_is_not_dated_by_its_header(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Re_ invoice SD-0417.txt").write_text(PAYMENT, encoding="utf-8")
    ws.ingest([tmp_path])
    paid = ws.chat.ask("when did ferris & gale actually pay SD-0417")  # the signature names them; no date does
    assert not any("Accounts, Ferris & Gale" in c.quote for c in paid.citations), paid.text

TILL = ("; Quayside box office till - do not edit during a performance\n[till]\nname = Quayside-BO-1\ncurrency = GBP\n"
        "float = 100.00\n\n[card]\nprovider = SumUp\nfee_percent = 1.75\n\n[printer]\nmodel = Epson TM-T20III\n")


def test_a_settings_line_answers_only_what_its_key_or_value_says(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "box_office_till.ini").write_text(TILL, encoding="utf-8")
    ws.ingest([tmp_path])
    phone = ws.chat.ask("What's the phone number for the Quayside box office?")  # "name = …" was quoted at 0.79
    assert phone.abstained, phone.text
    asked = ws.chat.offline.ranked(assemble(ws, "Which printer model does the Quayside box office till use?"))[0]
    said = [c.sentence.text for c in asked]
    assert "model = Epson TM-T20III" in said and "name = Quayside-BO-1" not in said, said  # its key says "model"


def test_how_much_we_pay_is_answered_only_by_a_sentence_with_a_sum_of_money(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "safeguarding.md").write_text(
        "# Chaperones\n\nWe need at least one licensed chaperone for every 10 children, and never fewer than two "
        "chaperones backstage whenever children are in the building.\n\n# Costumes\n\nHire charge £780 for the run, "
        "including dry cleaning on return.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    unpaid = ws.chat.ask("Do we pay the chaperones, and how much?")  # the files say how many, not what they cost
    assert unpaid.abstained, unpaid.text
    hire = ws.chat.ask("How much is the costume hire costing us?")
    assert not hire.abstained and "£780" in hire.text and "chaperone" not in hire.text, hire.text
    assert not ws.chat.ask("How many chaperones do we need for 25 children?").abstained


def test_a_question_asking_for_a_temperature_or_a_date_is_not_answered_by_a_sentence_without_one(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "boiler.md").write_text(
        "# Boiler\n\nThe boiler must be serviced every 12 months by a Gas Safe engineer to keep the warranty valid.\n\n"
        "# Buns\n\nMormor's cinnamon buns (makes about 24).\n\nBake the cinnamon buns at 220°C (200°C fan) for 8 "
        "minutes.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    serviced = ws.chat.ask("When was the boiler last serviced?")  # how often, not when
    assert serviced.abstained, serviced.text
    buns = ws.chat.ask("What temperature do the cinnamon buns bake at?")
    assert not buns.abstained and buns.text.startswith("Bake the cinnamon buns at 220°C"), buns.text


def test_a_sentence_holding_the_phone_number_asked_for_answers_a_loosely_worded_question(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Hartwell renewal.md").write_text(
        "# Hartwell Home Insurance\n\nPolicy schedule, issued 17 February 2025. Policy number HHI-4471982.\n\n"
        "## Your premium\n\nTotal annual premium including Insurance Premium Tax: £531.48, payable by 12 monthly "
        "Direct Debit instalments of £44.29.\n\nTo make a claim call our 24-hour claims line on 0800 468 2290, "
        "quoting your policy number.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("whats the number to ring hartwell if we need to claim")  # "whats": no unknown word
    assert not answer.abstained and "0800 468 2290" in answer.text, answer.text


def test_a_sentence_about_another_flat_does_not_answer_of_the_one_asked(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "lettings"
    (folder / "Flat B - 7 Gloucester Rd").mkdir(parents=True)
    (folder / "Flat B - 7 Gloucester Rd" / "lease notes.md").write_text(
        "# Lease\n\nThe ground rent is £250 a year, paid to Freehold Estates, due on 25 March.\n", encoding="utf-8")
    (folder / "EPC - Flat C.md").write_text("# Energy certificate\n\nThe current energy rating is C (72).\n",
                                           encoding="utf-8")
    ws.ingest([folder])
    b = ws.chat.ask("what is the ground rent on flat b?")
    assert not b.abstained and "£250" in b.text
    a = ws.chat.ask("what is the ground rent on flat a?")  # was Flat B's £250
    assert a.abstained, a.text
    assert ws.chat.ask("what is the energy rating of flat a?").abstained  # was Flat C's
    assert "(72)" in ws.chat.ask("what is the energy rating of flat c?").text


APPLICANTS = """# Weekend barista – applicants

Advert went up 9 Nov. Closing 30/11.

## Jade Collins
- 2 yrs at Costa (Northvale), latte art good
- can do Sat + Sun, available from 5 Dec
- **Interview Thu 26 Nov, 2pm**. Strongest so far.

## Megan Hughes
- 5 yrs, ex-supervisor at a garden centre café
- Interview Thu 26 Nov, 3pm

## Kieran Doyle
- trial shift booked Sat 14 Nov – didn't turn up, no call. **No.**
"""


@pytest.mark.parametrize(("question", "quote"), [
    ("when is jades interview", "**Interview Thu 26 Nov, 2pm**."),  # declined: the item names no Jade
    ("what experience does megan have", "5 yrs, ex-supervisor at a garden centre café"),
])
def test_a_lists_item_is_read_with_the_heading_it_sits_under(ws: Workspace, docs: Path, question: str,
                                                             quote: str) -> None:
    (docs / "applicants.md").write_text(APPLICANTS, encoding="utf-8")
    ws.ingest([docs])
    answer = ws.chat.ask(question)
    assert not answer.abstained and answer.citations[0].quote == quote, answer.text


SCHEDULE = ("Photoguard Pro - policy schedule 2026-27\n\nPolicy number\tPGP-448213\n"
            "Period of insurance\t15/03/2026 to 14/03/2027 (both days inclusive)\n"
            "Total premium\tGBP 512.40 incl. Insurance Premium Tax\n\n"
            "Section\tLimit / sum insured\tExcess\nPublic liability\tGBP 2,000,000 any one occurrence\tnil\n"
            "Professional indemnity\tGBP 250,000 any one claim\tGBP 250\n"
            "Equipment all risks\tGBP 19,000 total\tGBP 150 each claim\n\n"
            "E1 Territorial limits: worldwide, up to 30 days per trip. Equipment is covered in the UK without limit "
            "on time.\nE2 Workshops: public liability extends to attendees at photography workshops run by the "
            "insured, up to 12 attendees.\nTo make a claim call the claims line on 0117 496 0321 (Mon-Fri 9-5) "
            "quoting your policy number.\n")
ACCOUNTANT = ("From: Mark Ellison <mark@ellisonandco.co.uk>\nTo: Niamh Brennan <hello@niamhbrennan.co.uk>\n"
              "Subject: Self assessment 2025-26\nDate: Wed, 28 Oct 2026 10:02:00 +0000\n\nHi Niamh,\n\n"
              "Just a reminder that your 2025-26 return and any tax owed are due by 31 January 2027.\n\n"
              "To get it done in good time I need the following by 15 December:\n\n"
              "* total business mileage for the year (from your log)\n* the business card statement export\n"
              "* a list of any equipment bought or sold in the year (with dates and prices)\n"
              "* your income list / invoices\n* use of home as office: hours per month roughly\n\n"
              "My fee is unchanged at £420 for the return, invoiced when we file.\n\nKind regards,\nMark Ellison\n"
              "Ellison & Co Chartered Accountants, Whiteladies Road, Bristol\n")


@pytest.mark.parametrize(("question", "quoted"), [
    # "run out" asks for a date: the period's line holds one, the cover's sentences do not
    ("when does my insurance run out", "15/03/2026 to 14/03/2027"),
    # an excess is a sum of money asked for, like a fee
    ("whats the excess if i claim for kit", "GBP 150 each claim"),
    # "my fee" is the accountant's: the e-mail is signed by Chartered Accountants
    ("how much does the accountant charge", "My fee is unchanged at £420"),
])
def test_a_value_of_the_kind_asked_is_found_where_the_question_says_it_otherwise(
        ws: Workspace, tmp_path: Path, question: str, quoted: str) -> None:
    (tmp_path / "policy schedule 2026-27.txt").write_text(SCHEDULE, encoding="utf-8")
    (tmp_path / "self assessment.eml").write_text(ACCOUNTANT, encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask(question)
    assert not answer.abstained and any(quoted in c.quote for c in answer.citations), answer.text


QUESTIONNAIRE = ("Question\tAnswer\n\nWedding date\tSaturday 12 December 2026\n\n"
                 "Venue (ceremony + reception)\tAshton Court Mansion, both\n\nCeremony time\t1pm\n\n"
                 "Getting ready\tKate at the Avon Gorge Hotel from 9.30am, Harry at his parents' in Long Ashton\n\n"
                 "First dance song\tMake You Feel My Love (Adele version)\n\nSecond shooter?\tyes\n")
TIMINGS = ("From: Kate Lawson <kate.lawson88@gmail.com>\nTo: Niamh <hello@niamh.example>\n"
           "Subject: timings for the 12th\n\n"
           "Hi Niamh, the band start at 7.30 so we'll do the speeches before dinner.\n"
           "The ceremony has moved to 1.30pm (the registrar couldn't do 1pm).\n"
           "We've got 20 weddings worth of ideas from Pinterest!\n\nKate\n")


def test_a_forms_question_cell_labels_its_answer_with_the_files_name_saying_whose_it_is(
        ws: Workspace, tmp_path: Path) -> None:
    # "First dance song<tab>Make You Feel My Love" was prose, not a label: "whats the lawsons first
    # dance" was declined though the Lawsons' questionnaire says it
    (tmp_path / "Lawson questionnaire.txt").write_text(QUESTIONNAIRE, encoding="utf-8")
    (tmp_path / "Re timings for the 12th.eml").write_text(TIMINGS, encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("whats the lawsons first dance")
    assert not answer.abstained and "Make You Feel My Love" in answer.citations[0].quote, answer.text


GUIDELINES = ("From: Jo Harris <events@tyntesfield.example>\nTo: suppliers\nSubject: photographer guidelines 2027\n\n"
              "Hi all,\n\nPlease note the updated guidelines for photographers working at Tyntesfield "
              "from January 2027:\n\n"
              "- No flash photography during the ceremony in the chapel.\n"
              "- Parking: please use the Home Farm visitor car park (suppliers' bays by the Orangery are for "
              "unloading only).\n- Drones are not permitted anywhere on the estate.\n"
              "- Please arrive at least 45 minutes before the ceremony and sign in at the estate office.\n\n"
              "Many thanks,\nJo Harris\n")


def test_where_to_do_something_is_answered_by_the_line_labelled_with_it(ws: Workspace, tmp_path: Path) -> None:
    # "where do i park" asked no label, so the "Parking:" line was too weak evidence to answer
    (tmp_path / "Tyntesfield photographer guidelines.eml").write_text(GUIDELINES, encoding="utf-8")
    (tmp_path / "venue notes.md").write_text("# Venue notes\n\n## Kings Weston House\n\n- best light: west terrace\n"
                                             "- chapel is dark, no flash in ceremony\n", encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("where do i park at tyntesfield")
    assert not answer.abstained and any("Home Farm visitor car park" in c.quote for c in answer.citations), \
        answer.text


FLYER = ("Natural Light Portraits - a one day workshop\n\n"
         "Saturday 17 October 2026, 10am - 4pm, Paintworks Studio 4, Bristol BS4. Only 8 places so everyone gets "
         "hands-on time. Lunch and coffee included.\n\nEarly bird £120 (until 31 July), then £145.\n")


def test_a_time_of_the_thing_the_question_names_answers_what_time_it_ran(ws: Workspace, tmp_path: Path) -> None:
    # "what time did the workshop run": the head noun was taken to be "run", so the flyer's
    # "10am - 4pm" was not about it, and too weak to answer
    (tmp_path / "workshop flyer.txt").write_text(FLYER, encoding="utf-8")
    (tmp_path / "Re timings for the 12th.eml").write_text(TIMINGS, encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask("what time did the workshop run")
    assert not answer.abstained and "10am - 4pm" in answer.citations[0].quote, answer.text
    assert ws.chat.ask("what time does the pool open").abstained
    # after "is" the last word is the subject's own: "the lawson ceremony" is a ceremony
    ceremony = ws.chat.ask("what time is the lawson ceremony")
    assert not ceremony.abstained and any("1.30pm" in c.quote for c in ceremony.citations), ceremony.text


def test_a_sum_said_of_something_else_does_not_answer_by_the_questions_verb_alone(ws: Workspace) -> None:
    # the subject of "how much do i put in my pension each month" was taken to be "put": a sum of
    # money of the tax pot answered with the evidence a sentence of the subject has
    ws.ingest([Path(__file__).parent.parent / "fixtures" / "plumber_tax"])  # a plumber's tax notes and van
    assert ws.chat.ask("how much do i put in my pension each month").abstained


TOM = ("From: Tom Achebe <tom.achebe@example.com>\nTo: Niamh <hello@niamh.example>\n"
       "Subject: Re: can you 2nd shoot 12 Dec?\n\nHey N\n\n"
       "Gutted but I can't do the 12th Dec - it's his sister's wedding in Leeds, can't get out of that one! "
       "Priya might be free?\n\n"
       "heads up too, I'm putting my day rate up to £200 from January (first rise in 2 yrs). Still happy "
       "to do your 2027 ones, just send me dates\n\ncheers\nTom\n")
LEAK = ("From: Eleri Thomas <eleri.thomas@example.com>\nTo: rhys@rmph.example\nSubject: Re: radiator\n\n"
        "Hi Rhys,\n\nI'm sorry to email again but the new radiator on the landing you fitted in September "
        "is leaking from the valve again. There is now a brown water stain on the kitchen ceiling.\n\n"
        "Thanks,\nEleri\n\n> On 2 Nov 2026, Rhys Morgan wrote:\n> Hi Eleri, it'll be the valve tail, "
        "I'll pop in when I'm passing.\n")
TERMS = ("Wedding photography terms\n\nPostponement: one date change free of charge if requested more than "
         "6 months before; after that a £150 admin fee.\n\nThe Photographer will charge travel beyond 30 miles "
         "at 45p per mile.\n\nRAW files are not supplied under any circumstances.\n")
NOTES = ("Business plan 2027\n\n20 weddings max (had 6 in 2026 + Lawson) - no more than 3 in any one month.\n\n"
         "Push headshots on LinkedIn.\n")


@pytest.mark.parametrize(("question", "quoted"), [
    # "I" in an e-mail is its sender: Tom's rate is his e-mail's "my day rate" (was declined:
    # nothing near said "tom" and "charging")
    ("whats tom charging next year", "£200 from January"),
    ("why cant tom do the lawson wedding", "his sister's wedding"),
    # what someone wrote: any of their own sentences, not the reply they quote
    ("what was eleri thomas complaining about", "leaking from the valve"),
])
def test_an_e_mails_sender_is_who_its_sentences_are_about(
        ws: Workspace, tmp_path: Path, question: str, quoted: str) -> None:
    for name, text in (("Lawson 12 Dec - Tom.eml", TOM), ("radiator.eml", LEAK), ("terms 2026.txt", TERMS),
                       ("plan 2027.txt", NOTES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask(question)
    assert not answer.abstained and any(quoted in c.quote for c in answer.citations), answer.text
    assert all(c.path.endswith(".eml") and "valve tail" not in c.quote for c in answer.citations), answer.text


def test_an_e_mails_sender_named_does_not_answer_what_they_never_wrote(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Lawson 12 Dec - Tom.eml").write_text(TOM, encoding="utf-8")
    (tmp_path / "terms 2026.txt").write_text(TERMS, encoding="utf-8")
    ws.ingest([tmp_path])
    assert ws.chat.ask("whats toms phone number").abstained
    assert ws.chat.ask("what camera does tom use").abstained


PUPIL_NOTES = ("# pupil notes (autumn 26)\n\n"
               "**Sam Whitaker** - Grade 3 on 1 Dec. Pieces fine, scales shaky. Misses lessons for football.\n\n"
               "**Rohan Patel** - stopping piano at Christmas (football on Tuesdays); Arjun and Anika carry on.\n\n"
               "**Margaret Fenwick** - 72, arthritis in her left hand: no stretches over an octave. "
               "Always has the tea ready.\n\n"
               "**Daniel Osei** - PG7 merit (125). Wants ARSM. Behind on fees, see phone notes.\n")
PHONE_NOTES = ("phone notes\n\n4/11 Daniel Osei\n  can't pay autumn in one go, student loan comes in January\n"
               "  agreed: £227.50 on 30 November and £227.50 on 15 January (student loan)\n"
               "  still wants to do ARSM next year\n\n"
               "9/11 Andy Platt (piano tuner)\n  booked Tuesday 8 December, 10am for the studio piano, £80 now\n")


@pytest.mark.parametrize(("question", "quoted"), [
    # a line of notes that opens with a person's name is about them (was declined: weak evidence)
    ("is rohan carrying on next term", "stopping piano at Christmas"),
    # and so are the lines under a heading that names them (was declined)
    ("when is daniel going to pay", "£227.50 on 30 November"),
])
def test_a_line_of_notes_is_about_the_person_its_entry_names(
        ws: Workspace, tmp_path: Path, question: str, quoted: str) -> None:
    for name, text in (("pupil notes.md", PUPIL_NOTES), ("phone notes.txt", PHONE_NOTES), ("terms 2026.txt", TERMS),
                       ("pupils.csv", "pupil,instrument,minutes\nRohan Patel,Piano,30\nDaniel Osei,Piano,60\n"
                                      "Sam Whitaker,Piano,30\nMargaret Fenwick,Piano,45\n")):  # the tables' people
        (tmp_path / name).write_text(text, encoding="utf-8")
    ws.ingest([tmp_path])
    answer = ws.chat.ask(question)
    assert not answer.abstained and quoted in answer.citations[0].quote, answer.text
    # another's entry does not answer what theirs never says, nor theirs a count it holds no number of
    assert ws.chat.ask("is margaret carrying on next term").abstained
    assert ws.chat.ask("how many lessons did sam miss this term").abstained
