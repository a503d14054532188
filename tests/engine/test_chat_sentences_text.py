"""Sentence extraction on the text of real files: prose that opens a line with a word code also
opens with, quotes and brackets in prose, comments of source files (joined across their lines,
and after code on a line), timestamped log lines and a shouted title line."""

from __future__ import annotations

from engine.chat.sentences import Sentence, is_title, line_span, split_sentences


def texts(passage: str, notes: bool = True) -> list[str]:
    """The quotes of a passage, each checked to be its verbatim piece."""
    sentences = split_sentences(passage, None, notes)
    assert all(passage[s.start:s.end] == s.text for s in sentences)
    return [s.text for s in sentences]


def test_a_wrapped_prose_line_that_opens_with_a_keyword_is_not_code() -> None:
    welcome = ("Hannah Yoshida (office manager) will email you a welcome pack about a week before you\n"
               "start. It contains the building access form and a link to order your laptop. Please\n"
               "return the access form signed; the landlord takes three working days to activate a fob.")
    assert "Please\nreturn the access form signed; the landlord takes three working days to activate a fob." \
        in texts(welcome)
    lines = ("The first week is mostly reading. You will\nimport the team calendar into your own on day one,\n"
             "with help from Hannah if it does not work. A second\nclass of tickets, the small fixes, comes later,\n"
             "for when you know the code base.")
    assert texts(lines) == [
        "The first week is mostly reading.",
        "You will\nimport the team calendar into your own on day one,\nwith help from Hannah if it does not work.",
        "A second\nclass of tickets, the small fixes, comes later,\nfor when you know the code base."]
    # lines that are code are still cut out of a paragraph that has them
    mixed = "Install the client first.\nimport os\nif (ready) {\nreturn x;\nThen restart the service afterwards."
    assert texts(mixed) == ["Install the client first.", "Then restart the service afterwards."]


def test_quotes_and_brackets_around_words_do_not_make_prose_code() -> None:
    rooms = ('The big room ("Dock") seats ten and has the TV for video calls. The small room\n'
             '("Buoy") seats four. Book them in Google Calendar.')
    assert 'The small room\n("Buoy") seats four.' in texts(rooms)
    assert "Ask for the 'quiet' desk (by the window)." in texts("Ask for the 'quiet' desk (by the window).")
    assert texts('print("a")\n\nf(x)["key"] = g("y", (z))') == []  # still code


def test_consecutive_comment_lines_are_one_sentence_quoted_verbatim() -> None:
    source = ('import boto3\n\n# Clusters per client. Halvorsen is not here on purpose: the museum hosts its own site\n'
              '# and we deploy there through their IT contractor.\nCLUSTERS = {\n    "tidewell": "tec-prod",\n}')
    sentences = split_sentences(source, None, False)
    halvorsen = [s for s in sentences if "Halvorsen" in s.text]
    assert [s.text for s in halvorsen] == [
        "Halvorsen is not here on purpose: the museum hosts its own site\n# and we deploy there through their IT "
        "contractor."]
    s = halvorsen[0]
    assert source[s.start:s.end] == s.text  # verbatim, with its marker
    assert s.display == s.meaning == ("Halvorsen is not here on purpose: the museum hosts its own site and we "
                                      "deploy there through their IT contractor.")
    assert line_span(source, s.start, s.end, 1, 7) == (3, 4)
    # an indented comment, wrapped over two lines, in a function
    body = ("def previous_tag(client: str) -> str:\n    # The rollback target is the tag deployed before the "
            "current one, read from the\n    # ECS service's deployment history (we keep the last five task "
            "definitions).\n    ecs = boto3.client(\"ecs\")")
    assert texts(body, notes=False) == [
        "The rollback target is the tag deployed before the current one, read from the\n    # ECS service's "
        "deployment history (we keep the last five task definitions)."]


def test_comment_lines_apart_or_ended_are_separate_sentences() -> None:
    source = ("# Smoke tests take about eight minutes on staging.\n# Production deploys wait for the smoke marker.\n"
              "x = 1\n# Hotfixes pass the force flag, which is logged.")
    assert texts(source, notes=False) == [
        "Smoke tests take about eight minutes on staging.", "Production deploys wait for the smoke marker.",
        "Hotfixes pass the force flag, which is logged."]
    header = "# ------------------------------\n# Copyright (c) 2025 Larkspur Software Ltd.\n#\n# Licensed under MIT."
    assert texts(header, notes=False) == ["Copyright (c) 2025 Larkspur Software Ltd."]  # a rule joins no words
    example = "# Prints the totals per client:\n#     northcote 12 invoices\n#     tidewell 4 invoices"
    assert texts(example, notes=False)[0] == "Prints the totals per client:"  # not joined to an indented example
    code = "def pick(a, b, c):\n    # Pick the first one that is set, else the last.\n    return a if b else c"
    assert texts(code, notes=False) == ["Pick the first one that is set, else the last."]  # a line of code


def test_a_comment_after_code_on_its_line_is_a_sentence_of_its_own() -> None:
    steps = ("    steps:\n      - run: ruff check .          # style is enforced here, not in review\n"
             "      - run: pytest -n 2 --cov --cov-fail-under=80   # coverage must stay at 80% or above")
    assert texts(steps, notes=False) == ["style is enforced here, not in review",
                                         "coverage must stay at 80% or above"]
    code = ('sys.exit("blocked after 16:00 UTC # use the force flag for a hotfix")\n'
            "time.sleep(15)  # ECS checks run every 15 s")
    quotes = texts(code, notes=False)
    assert "ECS checks run every 15 s" in quotes
    assert not any(q.startswith("use the force flag") for q in quotes)  # a "#" in a string opens no comment


def test_a_timestamped_log_line_is_quotable_one_line_each() -> None:
    log = ("2024-06-04T13:31:17Z INFO  deployed v2024.06.04-1 to production (ncf-prod)\n"
           "2024-06-04T14:05:44Z ERROR eta-service p95 latency 4.8s above threshold 2s\n"
           "2024-06-04T14:06:03Z INFO\n"
           "2024-06-04T14:09:10Z INFO  rolled back to v2024.05.30-2 in 187s\n"
           "[2024-06-04 14:12:30,114] WARN health check failing task=ncf-web-7f3a")
    sentences = split_sentences(log)
    assert [s.text for s in sentences] == [
        "2024-06-04T13:31:17Z INFO  deployed v2024.06.04-1 to production (ncf-prod)",
        "2024-06-04T14:05:44Z ERROR eta-service p95 latency 4.8s above threshold 2s",
        "2024-06-04T14:09:10Z INFO  rolled back to v2024.05.30-2 in 187s",
        "[2024-06-04 14:12:30,114] WARN health check failing task=ncf-web-7f3a"]  # not the line with no message
    assert all(log[s.start:s.end] == s.text and "\n" not in s.text and s.kind == "fact" for s in sentences)
    assert [line_span(log, s.start, s.end, 1, 5) for s in sentences] == [(1, 1), (2, 2), (4, 4), (5, 5)]
    assert "rolled back to v2024.05.30-2 in 187s" in sentences[2].meaning


def test_a_shouted_first_line_with_a_colon_is_a_title() -> None:
    review = ("POST-INCIDENT REVIEW: Brightwater booking outage\nIncident date: 18 May 2024 (Saturday)\n"
              "Review held: 21 May 2024\nAuthor: Priya Raman")
    first: Sentence = split_sentences(review)[0]
    assert first.text == "POST-INCIDENT REVIEW: Brightwater booking outage" and is_title(review, first)
    note = "NOTE: The office is closed on 24 December.\nAsk Hannah for a key.\n"
    assert not is_title(note, split_sentences(note)[0])  # a sentence, not a title
    wrapped = "Remember to feed the starter\nand leave it out overnight.\n"
    assert not any(is_title(wrapped, s) for s in split_sentences(wrapped))


BOOKING_YAML = """# Boat booking system config
club: Corrib ARC
booking:
  advance_hours_min: 24        # was 48 until April 2024
  max_duration_minutes: 120
  sunset_cutoff: true
boats:
  out_of_service: [Claddagh, "Nimmo's Pier"]
admins:
  - ciaran@example.ie
"""


def test_each_setting_of_a_configuration_file_is_a_line_read_with_its_sections() -> None:
    found = split_sentences(BOOKING_YAML, None, False, "config")
    assert all(BOOKING_YAML[s.start:s.end] == s.text for s in found)
    settings = {s.text: s.gist for s in found if s.kind == "setting"}
    assert settings == {
        "club: Corrib ARC": "club: Corrib ARC",
        "advance_hours_min: 24        # was 48 until April 2024":
            "booking advance hours min: 24 (was 48 until April 2024)",
        "max_duration_minutes: 120": "booking max duration minutes: 120",
        "sunset_cutoff: true": "booking sunset cutoff: true",
        "out_of_service: [Claddagh, \"Nimmo's Pier\"]": "boats out of service: Claddagh, Nimmo's Pier",
    }
    assert not any("120" in s.text for s in found if s.kind != "setting")  # no prose across the settings


def test_a_source_files_top_level_literal_is_a_setting_and_its_code_is_not() -> None:
    source = ('"""Who has not paid."""\nimport csv\n\nRATES = {"Senior": 180, "Junior": 90}\nTIMEOUT = 30\n'
              'reader = csv.reader(open(path))\nALIAS = RATES\n\n\ndef due(m):\n    fee = 45\n    return fee\n')
    settings = [(s.text, s.gist) for s in split_sentences(source, None, False, "code") if s.kind == "setting"]
    assert settings == [('RATES = {"Senior": 180, "Junior": 90}', "rates: Senior: 180, Junior: 90"),
                        ("TIMEOUT = 30", "timeout: 30")]
    assert not any(s.kind == "setting" for s in split_sentences(source, None, False))  # without settings asked


def test_a_numbered_heading_a_pdf_line_ends_with_is_not_glued_to_the_next_sentence() -> None:
    text = ("It applies to every event at which anyone under 18 is present. 1. Who to contact\n"
            "The Designated Safeguarding Lead is Siobhan Bhriain (07700 900456). The deputy is Tomas Ferreira.")
    said = [s.text for s in split_sentences(text)]
    assert "The Designated Safeguarding Lead is Siobhan Bhriain (07700 900456)." in said, said
    assert not any("Who to contact The" in s or "contact\nThe" in s for s in said), said


def test_a_paragraphs_lines_of_tab_separated_cells_are_rows_read_with_their_header() -> None:
    """A PDF's table reaches the answerer as lines whose cells are tab-separated: each row is read
    with the header's column names and is quoted alone; the header answers nothing, so is not quoted."""
    text = ("Sections of cover\nSection\tSum insured\tExcess\nBuildings\t£400,000\t£350\n"
            "Contents\t£50,000\t£350\nTo make a claim call 0800 468 2290.")
    found = split_sentences(text)
    rows = [s for s in found if s.kind == "row"]
    assert [s.text for s in rows] == ["Buildings\t£400,000\t£350", "Contents\t£50,000\t£350"]
    assert rows[1].meaning == "Section Contents, Sum insured £50,000, Excess £350"
    assert rows[1].display == "Section: Contents, Sum insured: £50,000, Excess: £350"
    assert not any("Excess" in s.text for s in found)
    assert found[-1].text == "To make a claim call 0800 468 2290."


def test_lines_of_two_tab_separated_cells_are_not_read_as_a_table() -> None:
    """Two cells a line are as often a contents page's title and page number, or a term and its
    description, as a table: they are read as before."""
    text = "Contents\n1 Introduction\t4\n2 Loading the package\t5\n3 Options\t7"
    assert not [s for s in split_sentences(text) if s.kind == "row"]


def test_a_term_and_its_value_set_apart_by_a_tab_are_a_fact_each() -> None:
    """An offer letter's two-column table: each line is a fact read as "term: value" and quoted as
    the file writes it, not one sentence of every term (a contents page's page numbers are none)."""
    text = ("We are pleased to offer you the position of Senior Data Engineer.\nStart date\t01/07/2026\n"
            "Gross annual salary\tEUR 72,000 paid in 12 monthly instalments\nTrial period\t4 months\n"
            "Please confirm your acceptance by 20/02/2026.\n\nContents\nIntroduction\t4")
    found = split_sentences(text)
    facts = [s for s in found if s.kind == "fact" and "\t" in s.text]
    assert [s.meaning for s in facts] == ["Start date: 01/07/2026",
                                          "Gross annual salary: EUR 72,000 paid in 12 monthly instalments",
                                          "Trial period: 4 months"]
    assert all(text[s.start:s.end] == s.text for s in found)
    assert "Please confirm your acceptance by 20/02/2026." in [s.text for s in found]
    assert not any(s.text.startswith("Introduction") for s in facts)
    # one such line alone, under a wider table's rows, is a wrapped row of it, not a table of terms
    wide = ("Section\tSum insured\tExcess\nBuildings\t£400,000\t£350\nContents\t£50,000\t£350\n"
            "Home emergency cover\tIncluded (boiler and heating breakdown, plumbing, drains; up to £500 per claim) —")
    assert not [s for s in split_sentences(wide) if s.kind == "fact" and s.text.startswith("Home emergency")]


def test_a_term_and_figure_whose_tab_was_lost_among_tabbed_terms_is_a_fact_too() -> None:
    """A PDF's two-column table where one line lost its tab ("Weekly amount £110.40"): it reads
    as the terms beside it do, not as a line of prose; alone, such a line is prose as before."""
    text = ("We have decided you can get the allowance at the higher rate.\n\nRate\tHigher rate\n"
            "Weekly amount £110.40\nPaid\tevery 4 weeks, £441.60\nStarts\t12 June 2026\n")
    facts = [s.meaning for s in split_sentences(text) if s.kind == "fact"]
    assert "Weekly amount: £110.40" in facts and "Starts: 12 June 2026" in facts, facts
    assert not [s for s in split_sentences("Notes\n\nWeekly amount £110.40 was paid late.\n")
                if s.meaning.startswith("Weekly amount:")]


def test_a_price_lists_terms_and_values_joined_by_dot_leaders_are_a_fact_each() -> None:
    """A chalkboard's "salad bag 100g ........ £2.50": read as "term: value" as a tab's would be;
    a contents page's page numbers and prose's ellipses are no such lines."""
    text = ("stall prices - nov 2026\n\nsalad bag 100g ........ £2.50  (2 for £4.50)\n"
            "leeks ................. £1 each / 3 for £2.50\njerusalem artichokes .. £3.00 /kg\n"
            "red onions.......£1.80 /kg\n\nIntroduction ........ 4\nGetting started ...... 12\n\n"
            "Wait... what happened there. He said so... and left.\nThen more... of it came.\n")
    facts = [s.meaning for s in split_sentences(text) if s.kind == "fact"]
    assert facts == ["salad bag 100g: £2.50  (2 for £4.50)", "leeks: £1 each / 3 for £2.50",
                     "jerusalem artichokes: £3.00 /kg", "red onions: £1.80 /kg"], facts
    assert texts(text)[1] == "salad bag 100g ........ £2.50  (2 for £4.50)"


def test_a_notes_lines_end_at_a_full_stop_and_a_list_indented_whole_is_a_line_each() -> None:
    """Notes written in lower case: a line ending with a full stop ends its sentence though the next
    opens in lower case; lines of one indent are a list (the passage lost the first one's indent),
    while an item's deeper lines are its wrapped text."""
    fees = "annual licence fee £587, paid 2 Sept by bank transfer.\n  renewal: paperwork must be in by 31 Jan.\n"
    assert texts(fees) == ["annual licence fee £587, paid 2 Sept by bank transfer.",
                           "renewal: paperwork must be in by 31 Jan."]
    shifts = "thurs 26th 9-2  pack boxes\n  sat 28th  7-1   market\n  tues 1 dec 9-1  mulch bed 7, strim tunnels"
    assert texts(shifts) == ["thurs 26th 9-2  pack boxes", "sat 28th  7-1   market",
                             "tues 1 dec 9-1  mulch bed 7, strim tunnels"]
    wrapped = "- chase Mike Jarvis about the box money\n  and his brother about the\n  delivery charge\n- pay tom"
    assert texts(wrapped)[0] == "chase Mike Jarvis about the box money\n  and his brother about the\n  delivery charge"


def test_a_contents_pages_numbered_lines_are_not_a_table() -> None:
    text = "Contents\n1\tThe problem\t2\n2\tOld solutions\t2\n2.1\tLATEX . . . . . . .\t2\n3\tOur solution\t3"
    assert not [s for s in split_sentences(text) if s.kind == "row"]


def test_a_markdown_tasks_box_is_quoted_but_not_read() -> None:
    text = ("- [ ] Book boiler service with Kieran (last service 12 Oct 2024)\n"
            "- [x] Renew home insurance with Hartwell, the premium went up.")
    found = split_sentences(text)
    assert [s.meaning for s in found] == ["Book boiler service with Kieran (last service 12 Oct 2024)",
                                          "Renew home insurance with Hartwell, the premium went up."]
    assert all(text[s.start:s.end] == s.text and s.text.startswith("[") for s in found)


def test_numbered_lines_a_pdf_sets_apart_are_not_a_table() -> None:
    """A code listing's line numbers set apart from its lines: read as with a space, not as rows."""
    text = "1\tVerbatim line.\n\n2\tSecond line.\n\n3\tThird verbatim line."
    spaced = split_sentences(text.replace("\t", " "))
    assert [(s.kind, s.start, s.end) for s in split_sentences(text)] == [(s.kind, s.start, s.end) for s in spaced]


def test_dated_lines_of_notes_are_sentences_though_they_hold_slashes_and_arrows() -> None:
    notes = ("Dates for 2024:\n- Preliminary tax for 2024 + 2023 return: 31/10/2024 (ROS extension -> 14/11/2024)\n"
             "- Pay Maeve's invoice by 30/11/2024\n")  # a date's slashes, an arrow and "Maeve's" read as code
    assert texts(notes)[-2:] == ["Preliminary tax for 2024 + 2023 return: 31/10/2024 (ROS extension -> 14/11/2024)",
                                 "Pay Maeve's invoice by 30/11/2024"]


def test_a_lists_entries_keep_the_indented_lines_under_them_and_no_more() -> None:
    kit = ("MacBook Pro 14\" M3 Pro - bought 08/02/2024 Harvey Norman Galway, 2,399.00\n"
           "   AppleCare+ till 08/02/2027 (serial in the drawer)\n"
           "Dell U2723QE monitor - 589.00 - 08/02/2024, 3 yr warranty\n"
           "Logitech MX Keys - 109.99 - 19/06/2024\n"
           "Pixel 8 work phone - on the Three business plan\n")  # the file's last paragraph: it ends in a line break
    assert texts(kit) == ["MacBook Pro 14\" M3 Pro - bought 08/02/2024 Harvey Norman Galway, 2,399.00\n"
                          "   AppleCare+ till 08/02/2027 (serial in the drawer)",
                          "Dell U2723QE monitor - 589.00 - 08/02/2024, 3 yr warranty",
                          "Logitech MX Keys - 109.99 - 19/06/2024",
                          "Pixel 8 work phone - on the Three business plan"]  # was one quote of all five lines
    wrapped = "- The first item is long and\n  wraps onto the next line\n- Second item is here today\n- Third one too\n"
    assert texts(wrapped)[0] == "The first item is long and\n  wraps onto the next line"


def test_a_tables_row_with_a_long_cell_is_prose_and_the_table_goes_on_after_it() -> None:
    # the long row ended the table, so the next row was read as a new table's header and lost
    text = ("Question\tAnswer\n\nCeremony time\t1pm\n\n"
            "Getting ready\tKate at the Avon Gorge Hotel from 9.30am, Harry at his parents' in Long Ashton\n\n"
            "First dance song\tMake You Feel My Love (Adele version)\n\nSecond shooter?\tyes\n")
    found = [(s.kind, s.meaning) for s in split_sentences(text)]
    assert ("row", "Question First dance song, Answer Make You Feel My Love (Adele version)") in found, found
    assert ("row", "Question Second shooter?, Answer yes") in found, found
    assert any(kind == "prose" and meaning.startswith("Getting ready") for kind, meaning in found), found
