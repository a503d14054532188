"""The domain catalog: its YAML tables, and prose documents classified into them on ingest."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from engine import Workspace
from engine.paths import resources_dir
from engine.tables.domain import ROW_FIELDS, load_catalog

CATALOG = ["ai_safety", "backup_dr", "business_intelligence", "business_playbooks", "codebases", "coding_agent",
           "compliance", "data_quality", "datasets", "discovery", "documents", "execution_logs", "feedback",
           "finance_treasury", "governance", "hr_playbooks", "insights", "market_intelligence",
           "marketing_campaigns", "media", "model_training", "notes", "partner_relations", "product_roadmaps",
           "prompts", "sales_assets", "security_runbooks", "self_healing", "sops", "sub_agents", "triggers",
           "vendor_management", "verification"]

RUNBOOK = """# Ransomware incident response runbook

Owner: Priya Natarajan
Severity: SEV-1
Last reviewed: 2024-03-18

This runbook tells the on-call engineer how to contain a ransomware outbreak on laptops and file servers.
Isolate infected hosts from the network within fifteen minutes of detection.

## Containment
1. Disable compromised accounts and revoke their tokens.
2. Block the command-and-control domains at the firewall and preserve disk images for forensics.
"""

MEMO = """Treasury memo: Q3 cash position and supplier invoices

Prepared by: Martin Keller

Our consolidated cash position at quarter end is EUR 4.2 million across three bank accounts. Two supplier
invoices fall due next month and will be paid from the operating account; the liquidity forecast stays above
the minimum cash buffer and FX exposure on the USD account remains hedged.
"""

BRIEF = """# Spring launch campaign brief

Audience: small-business owners in the UK and Ireland
Channels: email, paid social, search
Budget: 45000
Launch date: 2025-03-03

The spring campaign introduces the new invoicing app to small-business owners. Messaging focuses on getting paid
faster; creative includes three video ads and a landing page, and we track leads and conversion by channel.
"""


@pytest.fixture
def prose(tmp_path: Path) -> Path:
    root = tmp_path / "prose"
    root.mkdir()
    (root / "ransomware.md").write_text(RUNBOOK)
    (root / "q3_memo.txt").write_text(MEMO)
    (root / "spring.md").write_text(BRIEF)
    return root


def _row(ws: Workspace, table: str, source: Path) -> dict:
    cols = [c.name for c in ws.tables.columns(table)]
    rows = [dict(zip(cols, r[1:], strict=True)) for r in ws.tables.page(table, 0, 100)]
    return next(r for r in rows if r["source_document"] == str(source))


def test_the_catalog_declares_33_tables_each_with_a_description_fields_and_row_fields() -> None:
    files = sorted(p.stem for p in (resources_dir() / "catalog").glob("*.yaml"))
    assert files == CATALOG
    for name, table in load_catalog().items():
        assert len(table.description.split(". ")) >= 2, name
        assert {f.name for f in table.fields} >= {"title", "summary", *ROW_FIELDS}
        raw = yaml.safe_load((resources_dir() / "catalog" / f"{name}.yaml").read_text())
        assert [f["name"] for f in raw["row_fields"]] == list(ROW_FIELDS)


def test_catalog_tables_exist_with_their_fields_and_a_description(ws: Workspace) -> None:
    tables = {t.name: t for t in ws.tables.list()}
    assert set(CATALOG) <= set(tables)
    security = tables["security_runbooks"]
    assert security.rows == 0 and "incident" in security.description
    assert {c.name: c.type for c in security.columns}["trust_score"] == "DOUBLE"


def test_prose_documents_are_filed_into_the_right_catalog_tables(ws: Workspace, prose: Path) -> None:
    report = ws.ingest([prose])
    assert report.ingested == 3 and not report.failed
    by_source = {Path(p.source).name: p for p in ws.tables.proposals()}
    assert by_source["ransomware.md"].table == "security_runbooks"
    assert by_source["q3_memo.txt"].table == "finance_treasury"
    assert by_source["spring.md"].table == "marketing_campaigns"
    for p in by_source.values():
        assert p.kind == "row" and p.status == "applied" and p.confidence >= 0.9
        assert any(r.startswith("It reads closely like") and "well ahead of" in r for r in p.reasons), p.reasons
    runbook = _row(ws, "security_runbooks", prose / "ransomware.md")
    assert runbook["title"] == "Ransomware incident response runbook"
    assert runbook["severity"] == "SEV-1" and runbook["owner"] == "Priya Natarajan"
    assert runbook["occurred_on"] == dt.date(2024, 3, 18) and "ransomware" in runbook["tags"]
    assert runbook["summary"].startswith("This runbook tells the on-call engineer")
    memo = _row(ws, "finance_treasury", prose / "q3_memo.txt")
    assert (memo["amount"], memo["currency"], memo["owner"]) == (4_200_000.0, "EUR", "Martin Keller")
    brief = _row(ws, "marketing_campaigns", prose / "spring.md")
    assert brief["budget"] == 45000.0 and brief["launch_date"] == dt.date(2025, 3, 3)
    assert 0.9 <= brief["trust_score"] <= 1 and brief["created_at"] <= brief["updated_at"]


def test_a_document_that_fits_nothing_is_a_note_waiting_for_approval(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "errands.txt").write_text("Saturday: milk, eggs, a birthday card for Sam, batteries for the "
                                          "smoke alarm.\n")
    ws.ingest([tmp_path / "errands.txt"])
    (p,) = ws.tables.proposals()
    assert (p.table, p.status) == ("notes", "pending") and p.confidence < 0.9


def test_a_document_that_is_forgotten_or_deleted_withdraws_its_waiting_proposals(ws: Workspace,
                                                                                tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, day in (("errands.txt", "Saturday"), ("chores.txt", "Sunday")):  # notes that wait for approval
        (notes / name).write_text(f"{day}: milk, eggs, a birthday card for Sam, batteries for the smoke alarm.\n")
    ws.ingest([notes])
    assert ws.tables.pending_count() == 2
    ws.remove_documents([str(notes / "errands.txt")])  # forgotten in the Library or by chat
    assert ws.tables.pending_count() == 1
    for name in ("errands.txt", "chores.txt"):  # deleted from a folder Grace reads
        (notes / name).unlink()
    assert ws.ingest([notes]).removed == 1
    assert ws.tables.pending_count() == 0
    assert {(p.status, p.reason) for p in ws.tables.proposals()} == {("rejected", "its document was removed")}
    assert ws.verify_audit().ok


def test_a_changed_document_replaces_its_row(ws: Workspace, prose: Path) -> None:
    ws.ingest([prose])
    first = _row(ws, "security_runbooks", prose / "ransomware.md")
    (prose / "ransomware.md").write_text(RUNBOOK.replace("SEV-1", "SEV-2"))
    ws.ingest([prose])
    assert ws.tables.count("security_runbooks") == 1
    second = _row(ws, "security_runbooks", prose / "ransomware.md")
    assert second["severity"] == "SEV-2" and second["created_at"] == first["created_at"]
    assert second["updated_at"] >= first["updated_at"]


def test_a_row_can_be_approved_into_another_catalog_table(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "errands.txt").write_text("Saturday: milk, eggs, a birthday card for Sam, batteries.\n")
    ws.ingest([tmp_path / "errands.txt"])
    (p,) = ws.tables.proposals()
    ws.tables.approve(p.id, table="documents")
    assert ws.tables.proposal(p.id).table == "documents"
    assert _row(ws, "documents", tmp_path / "errands.txt")["title"].startswith("Saturday")


def test_tabular_files_given_to_ingest_become_tables_and_failures_are_sentences(ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "sales.csv").write_text("region,amount\nnorth,10\nsouth,20\n")
    (folder / "broken.json").write_text('[{"a": 1}, {"a": ')
    report = ws.ingest([folder])
    assert ws.tables.count("sales") == 2
    (failure,) = report.failed
    assert failure["path"] == str(folder / "broken.json")
    assert failure["reason"].startswith("its table could not be imported: ") and "JSON" in failure["reason"]
    again = ws.ingest([folder])
    assert again.unchanged == 1 and len(ws.tables.proposals()) == 1  # unchanged files are not proposed again
    assert again.failed == [failure]  # the broken one is tried, and reported, again


def _three_tables(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, column in (("apples", "tonnes"), ("pears", "crates"), ("plums", "boxes")):
        (folder / f"{name}.csv").write_text(f"orchard,{column}\nnorth,10\nsouth,20\n")
    return folder


def test_a_cancel_during_the_tables_step_leaves_the_rest_for_the_next_ingest(ws: Workspace, tmp_path: Path) -> None:
    from engine import Cancelled

    folder = _three_tables(tmp_path)
    with pytest.raises(Cancelled):
        ws.ingest([folder], is_cancelled=lambda: len(ws.tables.proposals()) >= 1)
    assert ws.status()["documents"] == 3 and len(ws.tables.proposals()) == 1  # the files are in; one table so far
    ws.resume()
    assert sorted(p.table for p in ws.tables.proposals()) == ["apples", "pears", "plums"]
    ws.ingest([folder])
    assert len(ws.tables.proposals()) == 3  # done once, never again


def test_a_crash_before_the_tables_step_loses_no_table(ws_dir: Path, embedder, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.tables.api import Tables

    folder = _three_tables(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(Tables, "follow_up", lambda self, reporter=None: (_ for _ in ()).throw(SystemExit("killed")))
        with Workspace(ws_dir, embedder) as ws, pytest.raises(SystemExit):
            ws.ingest([folder])
    with Workspace(ws_dir, embedder) as ws:
        assert ws.status()["documents"] == 3 and ws.tables.proposals() == []
        ws.resume()
        assert sorted(p.table for p in ws.tables.proposals()) == ["apples", "pears", "plums"]


def test_two_ingests_finishing_together_do_each_table_once(ws: Workspace, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from engine.tables.api import Tables

    with monkeypatch.context() as m:
        m.setattr(Tables, "follow_up", lambda self, reporter=None: [])
        ws.ingest([_three_tables(tmp_path)])  # three follow-ups queued, none done
    start = threading.Barrier(2)
    workers = [threading.Thread(target=lambda: (start.wait(), ws.tables.follow_up())) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(p.table for p in ws.tables.proposals()) == ["apples", "pears", "plums"]


def test_a_document_filed_by_its_words_alone_waits_for_the_person(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "bike.md").write_text("# Bike maintenance log\n\nThe chain should be lubricated every 300 kilometres "
                                      "or after riding in rain.\n\nTyre pressure for the commuter bike is 4.5 bar.\n")
    ws.ingest([tmp_path / "bike.md"])
    (p,) = ws.tables.proposals()
    assert p.status == "pending" and p.confidence <= 0.6, (p.table, p.confidence, p.reasons)
    if p.table != "notes":
        assert any("only its words suggest it" in r for r in p.reasons)
    figures = re.compile(r"\d\.\d\d|similarity|margin|score")
    assert not any(figures.search(r) for r in p.reasons), p.reasons  # words, not figures


ROWING_SAFETY = """Corrib ARC Safety Rules
Version 1 - adopted March 2022

1. General
1.1 Every outing must be entered in the boathouse log book before going on the water.
1.2 No rowing between sunset and sunrise.
1.3 Coxes must wear a lifejacket at all times.

2. Weather and water
2.1 Juniors may not go out when the water temperature is below 10 degrees C.
2.2 No crew boat outings when the wind exceeds 20 knots.
2.3 When the river is in flood (red flag at the Salmon Weir) no outings are allowed.

3. Emergencies
3.1 In an emergency call 112 and ask for the Coast Guard.
3.2 First aid kit and foil blankets are in the launch and in the boathouse office.
3.3 Safety officer: Peadar Hughes (087 600 1234).

4. Capsize
4.1 Stay with the boat. Do not try to swim to the bank.
"""


def test_a_loose_fit_far_from_the_rest_waits_for_the_person(ws: Workspace, tmp_path: Path) -> None:
    # rowing safety rules in a "safety" folder were filed into ai_safety at 0.99 and applied: the
    # margin over the next table was wide, and "safety" in the path counted as the table's name
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "safety_rules_v1_2022.md").write_text(ROWING_SAFETY)
    ws.ingest([tmp_path / "safety"])
    (p,) = ws.tables.proposals()
    assert p.status == "pending" and p.confidence < 0.9, (p.table, p.confidence, p.reasons)
    assert not any("folder or file name" in r for r in p.reasons), p.reasons
    (tmp_path / "sops").mkdir()  # a table's whole name in the path is a cue, and the reasons say so
    (tmp_path / "sops" / "opening_the_boathouse.md").write_text(
        "# Opening the boathouse: procedure\n\nScope: the first volunteer in on a weekday morning.\n\n"
        "1. Unlock the side door and switch off the alarm.\n2. Open the bay doors.\n"
        "3. Check the launch's fuel and the first aid kit.\n4. Sign the log book.\n")
    ws.ingest([tmp_path / "sops"])
    (sop,) = [q for q in ws.tables.proposals() if q.source.endswith("opening_the_boathouse.md")]
    assert sop.table == "sops" and "Its folder or file name says sops." in sop.reasons, (sop.table, sop.reasons)


PAYMENT_POLICY = """Payment policy

Version 1 - effective 1 March 2023. Owner: Tomasz Wojcik, Practice Manager.

Fees are payable in full when treatment is given. We accept cash and debit or credit cards. We do not accept cheques.
A written estimate is given before any procedure expected to cost more than £150.
Clients with a bill over £300 may ask for a payment plan. The balance may be spread over at most 3 months, and every
plan must be approved by the practice manager.
An account unpaid after 30 days receives a written reminder. Accounts still unpaid after 60 days are passed to our
debt collection agency.
"""


def test_a_policy_loosely_like_a_table_with_two_of_its_words_waits_for_the_person(ws: Workspace,
                                                                                    tmp_path: Path) -> None:
    # a clinic's payment policy was filed into finance_treasury at 0.93 and applied, as a money row of
    # £150 due on 1 March 2023: "payment" and "cash" were cues, though its text fits the table loosely
    (tmp_path / "payment_policy_v1.md").write_text(PAYMENT_POLICY)
    ws.ingest([tmp_path / "payment_policy_v1.md"])
    (p,) = ws.tables.proposals()
    assert p.status == "pending" and p.confidence < 0.9, (p.table, p.confidence, p.reasons)
