"""What the chat's context takes from memory tables, over real DuckDB."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from engine.chat.context import table_matches, table_proposals


def _suppliers(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "suppliers.csv"
    path.write_text("name,city,rating\nAcme Tools,Lyon,4\nBolt & Nut,Oslo,5\nCogs Ltd,Lyon,3\nAb,Porto,2\n")
    assert ws.tables.import_file(path).status == "applied"


def test_rows_whose_text_the_question_mentions_come_with_their_table(ws: Workspace, tmp_path: Path) -> None:
    _suppliers(ws, tmp_path)
    (match,) = table_matches(ws, "Which suppliers in Lyon did we rate?")
    assert match["table"] == "suppliers" and match["named"] is True
    assert match["columns"] == ["name", "city", "rating"]
    assert [r[0] for r in match["rows"]] == ["Acme Tools", "Cogs Ltd"]


def test_whole_words_only_and_short_cells_are_ignored(ws: Workspace, tmp_path: Path) -> None:
    _suppliers(ws, tmp_path)
    assert table_matches(ws, "Is Lyonnais cuisine good in Oslow?") == []  # Lyon, Oslo only inside words
    assert table_matches(ws, "ab ab ab") == []  # 'Ab' is too short to count
    (match,) = table_matches(ws, "what did acme tools ship")
    assert match["named"] is False and [r[0] for r in match["rows"]] == ["Acme Tools"]


def test_a_name_the_question_says_finds_the_rows_whose_cells_hold_it(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "subscriptions.json"
    path.write_text('[{"service": "Spotify Family", "monthly_price": 17.99}, '
                    '{"service": "Netflix", "monthly_price": 9}]')
    assert ws.tables.import_file(path).status == "applied"
    (match,) = table_matches(ws, "How much is Spotify per month?")  # a word of the cell, said as a name
    assert [r[0] for r in match["rows"]] == ["Spotify Family"]
    assert table_matches(ws, "how much is spot on the family plan?") == []  # not names, nor whole cells
    answer = ws.chat.ask("How much is Spotify per month?")  # no file mentions it: the row answers
    assert not answer.abstained and "17.99" in answer.text  # the row, or its price added up over that one row


def test_a_named_table_without_mentioned_rows_shows_its_first_rows(ws: Workspace, tmp_path: Path) -> None:
    _suppliers(ws, tmp_path)
    (match,) = table_matches(ws, "show me the suppliers table", limit=2)
    assert match["named"] is True and [r[0] for r in match["rows"]] == ["Acme Tools", "Bolt & Nut"]


def test_pending_table_proposals_are_counted(ws: Workspace, tmp_path: Path) -> None:
    assert table_proposals(ws) == 0
    path = tmp_path / "odd.csv"
    path.write_text("a;b\n1;x\n")
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    ws.tables.import_file(path)
    assert table_proposals(ws) == len(ws.tables.proposals("pending")) == 1


def test_names_are_words_capitalised_mid_sentence() -> None:
    from engine.chat.words import names

    assert names("How do I open a pull request on GitHub from the website?") == ["GitHub"]
    assert names("Does the Mercurial backend know Mercurial tags?") == ["Mercurial"]
    assert names("What does it do. Then what? Is PDF or JSON fine?") == []  # starts, acronyms
    assert names('He said "Stop" in Lyon') == ["Lyon"]
    assert names("Hi Grace, how do I rebase?") == []  # the assistant's own name
    assert names("Greta's email? What's Tom’s number?") == ["Greta", "Tom"]  # a possessive opens with a name


def test_a_name_counts_as_mentioned_in_text_in_another_form_or_in_a_file_name(ws, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from engine.chat.reasoner_offline import declines
    from engine.search import unseen

    (tmp_path / "kilimanjaro-trip.txt").write_text("We climbed for six days.\n\nDie Dateien liegen im Ordner.\n\n"
                                                   "A doctor's certificate is needed after three days.\n")
    ws.ingest([tmp_path / "kilimanjaro-trip.txt"])
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        assert unseen(conn, ["Kilimanjaro", "Datei", "Langstroth", "Dataflow"]) == ["Langstroth", "Dataflow"]
        # four letters that begin a longer word are its abbreviation ("cert"); three are not ("cer")
        assert unseen(conn, ["cert", "doct", "cer", "Cert"]) == ["cer", "Cert"]  # a name is no abbreviation
    ctx = SimpleNamespace(unknown_names=["Langstroth"], unknown_terms=[], held=[])
    assert declines(ctx, 0.45, 0.40) and not declines(ctx, 0.60, 0.40)  # strong evidence wins
    assert not declines(SimpleNamespace(unknown_names=[], unknown_terms=[], held=[]), 0.45, 0.40)


def test_terms_are_lower_case_words_the_vocabulary_splits_and_decline_within_a_smaller_margin(
        ws: Workspace, tmp_path: Path) -> None:

    from engine.chat.context import assemble
    from engine.chat.reasoner_offline import declines
    from engine.chat.words import terms

    pieces = ws.embedder.count_tokens
    assert terms("How do I change a field with serde when I serialise it?", pieces) == ["serde", "serialise"]
    assert terms("Which tlmgr option sets a package, or Tlmgr?", pieces) == ["tlmgr"]  # names are names()
    assert terms("Is the water deep and cold today?", pieces) == []
    # contractions typed without their apostrophe are question words, not unknown terms
    assert terms("when did theyd say the bill hasnt been paid, and shouldnt youve sent it?", pieces) == []
    (tmp_path / "notes.txt").write_text("We serialise the records to JSON before sending them.\n")
    ws.ingest([tmp_path / "notes.txt"])
    ctx = assemble(ws, "How do I change a field with serde when I serialise it?")
    assert ctx.unknown_terms == ["serde"] and ctx.unknown_names == []
    assert declines(ctx, 0.42, 0.40) and not declines(ctx, 0.46, 0.40)  # a smaller margin than a name's


def test_codes_and_years_no_file_mentions_count_as_unknown_names(ws: Workspace, tmp_path: Path) -> None:
    from engine.chat.context import assemble
    from engine.chat.words import codes

    assert codes("What does error E999 mean, or IPv6, in 2021 on the 1st of 3 days?") == ["E999", "IPv6", "2021"]
    (tmp_path / "sync.md").write_text("# Bank sync\n\nError E401 means the bank login expired. Reconnect the "
                                      "account.\n\nRevenue grew to 4.2 million euros in 2023.\n")
    ws.ingest([tmp_path / "sync.md"])
    assert assemble(ws, "What does error E999 mean in bank sync?").unknown_names == ["E999"]
    assert assemble(ws, "What was the revenue in 2021?").unknown_names == ["2021"]
    assert assemble(ws, "What does error E401 mean in bank sync?").unknown_names == []
    assert ws.chat.ask("What does error E999 mean in bank sync?").abstained
    answer = ws.chat.ask("What does error E401 mean in bank sync?")
    assert not answer.abstained and "login expired" in answer.text


def test_table_rows_from_a_file_are_cited_by_their_line_and_rows_added_or_edited_by_hand_are_not(
        ws: Workspace, tmp_path: Path) -> None:
    _suppliers(ws, tmp_path)  # line 4 of suppliers.csv: "Cogs Ltd,Lyon,3"
    answer = ws.chat.ask("Which city is Cogs Ltd in?")
    assert not answer.abstained
    (cited,) = answer.citations
    assert (cited.path, cited.line_start, cited.line_end, cited.quote) == (
        str(tmp_path / "suppliers.csv"), 4, 4, "Cogs Ltd,Lyon,3")
    assert f"| Cogs Ltd | Lyon | 3 | [{cited.n}] |" in answer.text
    assert answer.as_json()["citations"][0]["quote"] == "Cogs Ltd,Lyon,3"
    ws.chat.sessions.feedback(answer.message_id, 1)  # a row's citation is no passage to rate
    key = ws.tables.query("SELECT _grace_id FROM suppliers WHERE name = 'Cogs Ltd'")[1][0][0]
    ws.tables.update_cell("suppliers", key, "city", "Porto")
    ws.tables.add_row("suppliers", {"name": "Cogs Annex", "city": "Porto", "rating": 1})
    edited = ws.chat.ask("Which suppliers are in Porto?")
    sources = [(c.path, c.line_start, c.quote) for c in edited.citations]
    assert (str(tmp_path / "suppliers.csv"), None, "") in sources  # edited: its file, no line
    assert (str(tmp_path / "suppliers.csv"), 5, "Ab,Porto,2") in sources
    assert len(sources) == 2 and "| Cogs Annex | Porto | 1 |  |" in edited.text  # added by hand: no source


def test_a_year_in_a_question_does_not_mention_an_id_or_a_date_that_holds_it(ws, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "patients.csv").write_text("patient_id,name,code\nP-2025,Sooty,X-1\nP-2026,Willow,2025\n"
                                           "P-2027,Bran,2025-03-01 booked\n")
    ws.tables.import_file(tmp_path / "patients.csv")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    found = ws.tables.mentioned("What was our turnover in 2025?", 10, ("2025",))
    assert [list(row[:2]) for m in found for row in m["rows"]] == [["P-2026", "Willow"]]  # not P-2025, not a date


def test_a_small_table_found_in_memory_gives_the_rows_duckdb_finds(ws, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from engine.tables import mentions

    (tmp_path / "people.csv").write_text("name,city,note\nChloé Martin,Lyon,\nBolt & Nut,Oslo,spare Chloe parts\n"
                                         "Cogs Ltd,Lyon,B1\nAb,Porto,\nÉmile Zola,Paris,writer\n")
    ws.tables.import_file(tmp_path / "people.csv")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    questions = [("what did chloe martin and cogs ltd buy in lyon?", ()), ("Where does Chloé live?", ("Chloé",)),
                 ("who is in Paris", ()), ("emile zola", ("Emile",)), ("b1 ab", ())]
    kept = [ws.tables.mentioned(q, 10, names) for q, names in questions]
    monkeypatch.setattr(mentions, "KEPT_CELLS", 0)  # every table asked of DuckDB
    assert [ws.tables.mentioned(q, 10, names) for q, names in questions] == kept
    assert [[r[0] for r in m["rows"]] for m in kept[0]] == [["Chloé Martin", "Cogs Ltd"]]  # both in Lyon


def test_rows_kept_in_memory_are_read_again_after_a_write(ws: Workspace, tmp_path: Path) -> None:
    _suppliers(ws, tmp_path)
    assert table_matches(ws, "who is in graz?") == []
    key = table_matches(ws, "what about Acme Tools?")[0]["keys"][0]
    ws.tables.update_cell("suppliers", key, "city", "Graz")
    assert [r[:2] for m in table_matches(ws, "who is in graz?") for r in m["rows"]] == [["Acme Tools", "Graz"]]


def test_a_word_the_files_write_in_two_parts_is_not_unseen(ws: Workspace, tmp_path: Path) -> None:
    from engine.search import unseen

    (tmp_path / "office.md").write_text("Guests use the Wi-Fi network larkspur-guest.\n\nSend an e-mail to Tomasz to "
                                        "log in for the first time.\n")
    ws.ingest([tmp_path / "office.md"])
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        assert unseen(conn, ["wifi", "email", "login", "wireless", "fiwi"]) == ["wireless", "fiwi"]


def test_acronyms_no_file_mentions_count_as_unknown_names(ws: Workspace, tmp_path: Path) -> None:
    from engine.chat.context import assemble
    from engine.chat.words import acronyms

    assert acronyms("whats the LOD for PFNA, or for Cd?") == ["LOD", "PFNA"]
    assert acronyms("WHAT IS THE LOD FOR PFNA") == []  # shouted, not named
    (tmp_path / "method.md").write_text("# Method\n\nThe LOD for PFOS is 0.2 ng/L and for PFOA 0.3 ng/L.\n")
    ws.ingest([tmp_path / "method.md"])
    assert assemble(ws, "whats the LOD for PFNA").unknown_names == ["PFNA"]
    assert assemble(ws, "whats the LOD for PFOS").unknown_names == []


def test_a_model_said_by_its_code_or_its_range_finds_its_row_and_the_row_answers(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    # "the r5" (two characters) and "my 70-200" (no letters; "70-200mm" in the cell) found no row
    path = tmp_path / "kit list.csv"
    path.write_text("item,make_model,serial_no,bought,paid\nCamera body,Canon EOS R5,032021004417,2022-03-14,4199\n"
                    "Camera body,Canon EOS R6 Mark II,103025000981,2023-05-02,2779\n"
                    "Lens,Canon RF 70-200mm f/2.8L IS USM,3510001872,2022-09-30,2699\n"
                    "Lens,Canon RF 24-70mm f/2.8L IS USM,9210003315,2022-03-14,2349\n", encoding="utf-8")
    assert ws.tables.import_file(path).status == "applied"
    (r5,) = table_matches(ws, "when did i buy the r5")
    assert [row[1] for row in r5["rows"]] == ["Canon EOS R5"]
    (lens,) = table_matches(ws, "whats the serial number on my 70-200")
    assert [row[1] for row in lens["rows"]] == ["Canon RF 70-200mm f/2.8L IS USM"]
    answer = ws.chat.ask("whats the serial number on my 70-200")
    assert "3510001872" in answer.text and "9210003315" not in answer.text and not answer.abstained, answer.text


def test_when_grace_filed_a_row_is_no_word_of_the_row() -> None:
    import datetime as dt

    from engine.chat.words import not_in_tables

    # a document's row filed at 23:24:41 "said" the 41 of "invoice 41" (at another second it did not)
    filed = {"table": "finance_treasury", "columns": ["title", "amount", "created_at"],
             "rows": [["Re: invoice 39", 60.0, dt.datetime(2026, 11, 24, 23, 24, 41)]]}
    assert not_in_tables("how much was the squash on invoice 41", [filed]) == ["squash", "41"]


def test_a_cell_whose_words_one_passage_says_is_not_held_by_the_tables_alone(
        ws: Workspace, tmp_path: Path) -> None:
    from engine.chat.context import assemble

    # "Lawson wedding" is a cell of the payments; Kate Lawson's e-mail about her wedding never says
    # the two words in a row, and the sparklers' time was declined as if only the table knew it
    (tmp_path / "payments.csv").write_text("date,who,job,amount\n2026-12-12,Priya Nair,Lawson wedding,200\n"
                                           "2026-10-10,Tom Achebe,Sharma wedding,180\n", encoding="utf-8")
    (tmp_path / "timings.eml").write_text(
        "From: Kate Lawson <kate@example.com>\nTo: Niamh <hello@example.com>\nSubject: Re: timings for the 12th\n"
        "Date: Mon, 16 Nov 2026 19:40:00 +0000\n\nHi Niamh,\n\nFew changes to the wedding day:\n"
        "- ceremony has moved to 1.30pm\n- we've added a sparkler exit at 8.30pm!! hope that's ok\n\nKate\n",
        encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "payments.csv").status == "applied"
    ws.ingest([tmp_path / "timings.eml"])
    assert assemble(ws, "what time are the sparklers at the lawson wedding").held == []
    assert assemble(ws, "what time are the sparklers at the sharma wedding").held == ["Sharma wedding"]
