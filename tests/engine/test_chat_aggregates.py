"""Memory tables in chat: questions that add a table up become one read-only query, and "log a repair: …"
adds a row; over real DuckDB and the real model."""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path

import pytest

from engine import Workspace
from engine.chat import aggregates
from engine.chat.render import query_text

EXPENSES = """date,category,shop,amount
2026-01-03,groceries,Lidl,42.10
2026-01-10,groceries,Edeka,61.35
2026-01-15,transport,BVG,86.00
2026-02-02,groceries,Lidl,38.90
2026-02-11,eating out,Pizzeria Roma,54.00
2025-12-20,groceries,Edeka,70.00
"""
REPAIRS = """date,garage,work,cost,km
2025-03-02,QuickFix,brake pads,180,61200
2025-09-14,AutoFix,battery,95,64800
2026-01-20,QuickFix,oil change,1120,67000
"""


def _asked(ws: Workspace, path: Path, body: str, question: str) -> str:
    """The answer's text to ``question`` once ``body`` is written to ``path`` and made a table."""
    path.write_text(body)
    assert ws.tables.import_file(path).status == "applied"
    return ws.chat.ask(question).text


@pytest.fixture
def books(ws: Workspace, tmp_path: Path) -> Workspace:
    folder = tmp_path / "money"
    folder.mkdir()
    for name, body in (("expenses.csv", EXPENSES), ("car_repairs.csv", REPAIRS)):
        (folder / name).write_text(body)
    ws.ingest([folder])  # tabular files: read, and applied by policy
    assert {t.name for t in ws.tables.list() if t.rows} == {"expenses", "car_repairs"}
    return ws


@pytest.mark.parametrize(("question", "sentence"), [
    ("how much did we spend on groceries in January?",
     "Adding up amount in expenses where category is groceries and date is in January: **103.45**, over 2 rows."),
    ("what did we spend at lidl in total?", "Adding up amount in expenses where shop is Lidl: **81**, over 2 rows."),
    ("what's the total I spent on eating out in February 2026?",
     "where category is eating out and date is in February 2026: **54**, over 1 row."),
    ("how many repairs did the car have in 2025?",
     "Counting the rows of car_repairs where date is in 2025: **2 rows**."),
    ("what was the average cost of the car repairs?", "Averaging cost in car_repairs: **465**, over 3 rows."),
    ("how much did the QuickFix repairs cost altogether?", "where garage is QuickFix: **1,300**, over 2 rows."),
    ("how many times did we go to QuickFix?", "Counting the rows of car_repairs where garage is QuickFix: **2 rows**."),
    ("how many expenses were there in May?", "Counting the rows of expenses where date is in May (its dates run "
                                             "from 20 December 2025 to 11 February 2026): **0 rows**."),
    ("what is our average monthly spend on groceries?", "Averaging the monthly totals of amount in expenses where "
                                                        "category is groceries: **70.78**, over 3 months."),
    ("what was our average monthly grocery spend?", "where category is groceries: **70.78**, over 3 months."),
    ("how much did we spend on groceries excluding Lidl?", "where category is groceries and shop is not Lidl: "
                                                           "**131.35**, over 2 rows."),
    ("how much did we spend on groceries in Feb 2026?", "where category is groceries and date is in February 2026: "
                                                        "**38.90**, over 1 row."),
    ("what is the total of the expenses?", "Adding up amount in expenses: **352.35**, over 6 rows."),
    # a value misspelt: the only one a letter or two off, and the sentence says the one read
    ("how much did we spend on groseries in January?", "where category is groceries and date is in January: "
                                                       "**103.45**, over 2 rows."),
    ("how much did we spend at Lidle?", "Adding up amount in expenses where shop is Lidl: **81**, over 2 rows."),
    ("how much did we spend at Edkea in total?", "where shop is Edeka: **131.35**, over 2 rows."),
])
def test_a_question_that_adds_up_a_table_is_answered_by_a_query_that_runs_at_once(
        books: Workspace, question: str, sentence: str) -> None:
    answer = books.chat.ask(question)
    (action,) = answer.actions
    assert (action.type, action.tier, action.status) == ("query", 1, "executed")
    assert action.params["sql"].startswith("SELECT ") and sentence in answer.text
    assert not answer.abstained and answer.confidence == 1.0


@pytest.mark.parametrize("question", [
    "how much did we spend on groceries at Aldi?",  # no row says Aldi: not the total of all groceries
    "how many km has the car done?",  # neither table is named nor a value said
    "how much may I spend on a hotel?",  # "may" is not May, and no row is about hotels
    "how much did Edeka and the bakery charge?",  # the bakery is in no row
    "how much does it cost?",  # no table, value or period: about something earlier in the chat
])
def test_a_word_no_table_accounts_for_leaves_the_question_to_the_files(books: Workspace, question: str) -> None:
    assert aggregates.plans(question, books.tables, books.embedder.embed) == []
    answer = books.chat.ask(question)
    assert all(a.type != "query" for a in answer.actions)
    assert "no readable files" not in answer.text  # the tables' files were read


def test_values_are_quoted_and_two_tables_that_could_answer_are_each_added_up(books: Workspace, tmp_path: Path) -> None:
    (tmp_path / "gifts.csv").write_text("person,shop,amount\nO'Brien,Lidl,20\nAnna,Edeka,35\n")
    assert books.tables.import_file(tmp_path / "gifts.csv").status == "applied"
    both = books.chat.ask("how much did we spend at Lidl in total?")
    assert [a.status for a in both.actions] == ["executed", "executed"] and not both.abstained
    assert "Adding up amount in expenses where shop is Lidl: **81**, over 2 rows." in both.text
    assert "Adding up amount in gifts where shop is Lidl: **20**, over 1 row." in both.text
    assert "expenses and gifts could each answer this" in both.text
    (found,) = aggregates.plans("how much did we spend on O'Brien's gifts?", books.tables, books.embedder.embed)
    assert "IN ('o''brien')" in found.sql
    assert books.tables.query(found.sql) == (["total_amount", "rows"], [(20.0, 1)])


def test_log_a_noun_adds_a_row_to_the_table_named_by_it_after_approval(books: Workspace) -> None:
    answer = books.chat.ask("log a repair: 2026-03-02, QuickFix, brakes, 180, 70000")
    (action,) = answer.actions
    assert (action.type, action.status, action.params["table"]) == ("add_rows", "pending", "car_repairs")
    books.chat.actions.approve(action.id)
    assert books.tables.query("SELECT garage, cost FROM car_repairs WHERE work = 'brakes'") == (
        ["garage", "cost"], [("QuickFix", 180)])
    short = books.chat.ask("add an expense: 2026-03-01, groceries")  # 2 values for 4 columns: which?
    assert short.actions == [] and "expenses has 4 columns (date, category, shop, amount)" in short.text
    assert books.chat.ask("record a run: 10 km").actions == []  # no table of runs: a question
    walk = books.chat.ask("log a walk: 2026-03-08, Kinder Scout, 14.5")  # no table of walks, three values
    assert walk.actions == [] and "There is no table of walks to log this in" in walk.text, walk.text
    assert "create a table called walks with columns column 1 (date), column 2, column 3 (number)" in walk.text


def test_money_over_a_period_names_no_table_and_each_of_two_tables_is_added_up(books: Workspace) -> None:
    question = "how much did we spend in January 2026?"  # expenses and car_repairs both have money and dates
    assert [p.table for p in aggregates.plans(question, books.tables, books.embedder.embed)] == ["car_repairs",
                                                                                                 "expenses"]
    books.tables.drop_table("car_repairs", reason="sold the car")
    (found,) = aggregates.plans(question, books.tables, books.embedder.embed)
    assert books.tables.query(found.sql)[1] == [(189.45, 3)]


def test_money_over_a_period_is_not_added_up_by_a_date_that_is_not_when_it_was_spent(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "subscriptions.csv").write_text(
        "service,monthly_eur,renews,owner\nNetflix,13.99,2026-03-05,Tom\nAudible,9.95,2026-01-20,Marta\n")
    assert ws.tables.import_file(tmp_path / "subscriptions.csv").status == "applied"
    # "renews" is when a subscription renews, not when money was spent: left to the files
    assert aggregates.plans("how much did we spend in January?", ws.tables, ws.embedder.embed) == []
    (named,) = aggregates.plans("how much do the subscriptions cost in January?", ws.tables, ws.embedder.embed)
    assert ws.tables.query(named.sql)[1] == [(9.95, 1)]


SALES = """month,beer,channel,litres,revenue_gbp
2024-01-01,Nightjar,taproom,500,4000
2024-02-01,Nightjar,pubs,800,6400
2024-02-01,Pale Ghost,taproom,300,2700
"""


@pytest.mark.parametrize(("question", "total"), [
    ("How much revenue did we make in February 2024?", 9100),  # money taken in, by the month column
    ("What was the total revenue in sales_2024_q1?", 13100),  # "revenue" says revenue_gbp
    ("what were the total sales in the taproom?", 6700),  # "sales" names the table (digits are no noun)
    ("How many litres of Nightjar did we sell in total?", 1300),  # "sell" names the sales, litres said
    ("how many litres did we sell in February 2024?", 1100),
])
def test_sales_are_added_up_by_money_taken_in_or_what_was_sold(books: Workspace, tmp_path: Path, question: str,
                                                               total: int) -> None:
    (tmp_path / "sales_2024_q1.csv").write_text(SALES)
    assert books.tables.import_file(tmp_path / "sales_2024_q1.csv").status == "applied"
    (found,) = aggregates.plans(question, books.tables, books.embedder.embed)
    assert found.table == "sales_2024_q1", found
    assert books.tables.query(found.sql)[1][0][0] == total


def test_a_short_column_name_is_said_by_the_words_it_stands_for(books: Workspace, tmp_path: Path) -> None:
    (tmp_path / "batches.csv").write_text("batch_id,beer,og,fg\n24-001,Nightjar,1.062,1.016\n"
                                          "24-002,Pale Ghost,1.061,1.010\n24-006,Pale Ghost,1.059,1.009\n")
    assert books.tables.import_file(tmp_path / "batches.csv").status == "applied"
    (found,) = aggregates.plans("What was the average original gravity of the Pale Ghost batches?", books.tables,
                                books.embedder.embed)
    assert books.tables.query(found.sql)[1][0][0] == 1.06, found
    final = books.chat.ask("What's the final gravity of batch 24-002?")  # a look-up: fg
    assert not final.abstained and final.text.startswith("fg of 24-002: **1.01**"), final.text
    assert "has changed or gone" not in final.text  # imported as a table, never read as a document
    for unsaid in ("What was the average gravity of the Pale Ghost batches?", "What's the ABV of batch 24-002?"):
        assert books.chat.ask(unsaid).abstained, unsaid  # "gravity" alone is neither og nor fg; no ABV column


def test_the_row_with_the_highest_or_lowest_value_answers_most_and_cheapest(books: Workspace) -> None:
    dearest = books.chat.ask("what was the most expensive repair?")
    assert dearest.actions[0].type == "query" and "The row of car_repairs with the highest cost:" in dearest.text
    assert "| 2026-01-20 | QuickFix | oil change | 1120 | 67000 |" in dearest.text
    cheapest = books.chat.ask("which repair was the cheapest?")
    assert "| 2025-09-14 | AutoFix | battery | 95 | 64800 |" in cheapest.text
    assert aggregates.plans("what was the longest repair?", books.tables, books.embedder.embed) == []  # no duration


def test_the_persons_own_table_answers_before_a_catalog_table_grace_filled(books: Workspace) -> None:
    books.tables.drop_table("car_repairs", reason="sold the car")  # else it could answer too
    from engine.errors import NotApproved

    with pytest.raises(NotApproved) as waiting:  # edits to catalog tables wait for approval
        books.tables.add_row("finance_treasury", {"title": "Invoice 7", "amount": 500.0, "due_date": "2026-01-31"})
    books.tables.approve(int(str(waiting.value).rsplit(" ", 1)[-1].rstrip(".")))
    assert books.tables.count("finance_treasury") == 1
    (found,) = aggregates.plans("how much did we spend in January 2026?", books.tables, books.embedder.embed)
    assert found.table == "expenses"


def test_a_total_asked_of_a_table_still_waiting_for_approval_says_where_it_waits(ws: Workspace) -> None:
    from engine.paths import resources_dir

    ws.ingest([resources_dir() / "sample"])  # its budget table waits: its months become dates
    (waiting,) = [p for p in ws.tables.proposals("pending") if p.kind == "new"]
    question = "how much did we spend on groceries in January?"
    answer = ws.chat.ask(question)
    assert answer.actions == [] and "A table waits for your approval in Approvals" in answer.text
    assert f"{waiting.table}, from household-budget.csv" in answer.text
    assert "Approvals" not in ws.chat.ask("how do I feed a sourdough starter?").text  # only for totals
    ws.tables.approve(waiting.id)
    added = ws.chat.ask(question)
    assert added.actions[0].type == "query" and "**412.35**" in added.text and "waits" not in added.text


def test_a_row_from_a_workbooks_sheet_is_cited_without_saying_its_file_changed(ws: Workspace, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Books"
    for row in (("title", "author", "rating"), ("Piranesi", "Susanna Clarke", 5),
                ("Klara and the Sun", "Kazuo Ishiguro", 4)):
        sheet.append(row)
    book.save(tmp_path / "reading.xlsx")
    assert ws.tables.import_file(tmp_path / "reading.xlsx").status == "applied"
    answer = ws.chat.ask("Who is the author of Piranesi?")
    assert answer.text.startswith("author of Piranesi: **Susanna Clarke**"), answer.text
    assert [c.path for c in answer.citations] == [f"{tmp_path / 'reading.xlsx'}#Books"]
    assert "changed or gone" not in answer.text  # the sheet's file is there, unchanged


WORKOUTS = """date,activity,duration_min,distance_km
2025-03-02,run,32,5.1
2025-03-04,cycling,65,22.4
2025-03-09,run,40,6.5
2025-03-11,yoga,50,0
2025-04-06,run,90,15.5
2025-04-08,yoga,45,0
"""


@pytest.mark.parametrize(("question", "sentence"), [
    ("How many km did I run in March?", "Adding up distance km in workout_log where activity is run and date is in "
                                        "March: **11.60**, over 2 rows."),
    ("How many kilometres did I run?", "Adding up distance km in workout_log where activity is run: **27.10**"),
    ("How many minutes of yoga did I do?", "Adding up duration min in workout_log where activity is yoga: **95**"),
    ("How many workouts did I log in April?", "Counting the rows of workout_log where date is in April: **2 rows**."),
])
def test_how_many_of_a_unit_adds_up_the_column_named_for_it(ws: Workspace, tmp_path: Path, question: str,
                                                            sentence: str) -> None:
    text = _asked(ws, tmp_path / "workout_log.csv", WORKOUTS, question)
    assert sentence in text, text


def test_rows_in_an_answer_read_as_in_the_grid_and_keep_their_table_whole() -> None:
    from engine.chat.render import table_text

    shown = table_text((["cost", "note"], [(1150.0, "rent | March"), (127.94999999999999, "two\nlines"), (None, 3)]))
    # money with cents somewhere in its column is written with two decimals throughout
    assert shown.splitlines()[2:] == ["| 1150.00 | rent \\| March |", "| 127.95 | two lines |", "|  | 3 |"]
    shown = table_text((["km", "note"], [(1150.0, "x"), (127.94999999999999, "y")]))
    assert shown.splitlines()[2:] == ["| 1150 | x |", "| 127.95 | y |"]


INVOICES = """invoice_no,client,issue_date,due_date,amount
INV-7,Harbor Coffee,2025-03-18,2025-04-17,3150
INV-8,Maple Bakery,2025-04-02,2025-05-02,780
INV-9,Greenleaf Dental,2025-04-15,2025-05-15,1325
"""


def test_of_two_date_columns_the_one_said_or_the_one_when_it_happened_counts(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "invoices.csv").write_text(INVOICES)
    assert ws.tables.import_file(tmp_path / "invoices.csv").status == "applied"
    invoiced = ws.chat.ask("How much did we invoice in April?")  # when invoiced, not when due
    assert "Adding up amount in invoices where issue date is in April: **2,105**, over 2 rows." in invoiced.text
    (due,) = aggregates.plans("What is the total of the invoices with a due date in April?", ws.tables,
                              ws.embedder.embed)
    assert "month(\"due_date\") IN (4)" in due.sql and ws.tables.query(due.sql)[1] == [(3150.0, 1)]


@pytest.mark.parametrize(("question", "sentence"), [
    ("List the expenses over 50 euros", "The rows of expenses where amount is over 50:\n\n| date | category | shop "
                                        "| amount |\n|---|---|---|---|\n| 2026-01-10 | groceries | Edeka | 61.35 |"),
    ("How many expenses were over €60?", "Counting the rows of expenses where amount is over 60: **3 rows**."),
    ("How much did we spend on groceries under 50 euros?",
     "Adding up amount in expenses where category is groceries and amount is under 50: **81**, over 2 rows."),
    ("Which repairs cost more than 1000?", "The rows of car_repairs where cost is over 1000:"),
    ("Which car repairs cost over 2000?", "The rows of car_repairs where cost is over 2000: none."),
])
def test_a_comparison_with_a_number_filters_the_rows_listed_counted_or_added_up(books: Workspace, question: str,
                                                                               sentence: str) -> None:
    answer = books.chat.ask(question)
    assert [a.type for a in answer.actions] == ["query"], answer.text
    assert sentence in answer.text, answer.text
    assert "year(" not in answer.actions[0].params["sql"]  # "over 2000" is an amount, not a year


def test_which_or_what_without_a_comparison_is_no_list(books: Workspace) -> None:
    assert aggregates.plans("Which garage did the oil change?", books.tables, books.embedder.embed) == []


PAID = """date,category,shop,amount,paid_by
2026-01-03,groceries,Lidl,42.10,Anna
2026-01-10,groceries,Edeka,61.35,Anna
2026-01-15,transport,BVG,86.00,Ben
2026-02-02,groceries,Lidl,38.90,Ben
2026-02-11,eating out,Pizzeria Roma,54.00,Anna
2025-12-20,groceries,Edeka,70.00,Ben
"""


@pytest.mark.parametrize(("question", "lines"), [
    ("Who paid the most?", ["Adding up amount in expenses by paid by, largest first:",
                            "| paid by | total amount | rows |", "| Ben | 194.90 | 3 |\n"
                            "| Anna | 157.45 | 3 |"]),
    ("Which shop did we spend the least at?", ["Adding up amount in expenses by shop, smallest first:",
                                               "| Pizzeria Roma | 54 | 1 |\n| Lidl | 81 | 2 |"]),
    ("Which month did we spend the most on groceries?",
     ["Adding up amount in expenses by month where category is groceries, largest first:", "| 2026-01 | 103.45 | 2 |"]),
])
def test_who_or_which_with_the_most_adds_up_each_group_largest_first(ws: Workspace, tmp_path: Path, question: str,
                                                                    lines: list[str]) -> None:
    (tmp_path / "expenses.csv").write_text(PAID)
    assert ws.tables.import_file(tmp_path / "expenses.csv").status == "applied"
    answer = ws.chat.ask(question)
    assert all(line in answer.text for line in lines), answer.text


def test_last_month_and_this_year_count_from_today(ws: Workspace, tmp_path: Path) -> None:
    import datetime as dt

    today = dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    (tmp_path / "spending.csv").write_text(f"date,category,amount\n{today.replace(day=1)},groceries,40\n"
                                           f"{last_month},groceries,25\n{today.year - 2}-06-01,groceries,99\n")
    assert ws.tables.import_file(tmp_path / "spending.csv").status == "applied"
    answer = ws.chat.ask("How much did we spend on groceries last month?")
    assert f"date is in {last_month:%B %Y}: **25**, over 1 row." in answer.text, answer.text
    this_year = ws.chat.ask("How much did we spend on groceries this year?")
    expected = 65 if last_month.year == today.year else 40
    assert f"date is in {today.year}: **{expected}**" in this_year.text, this_year.text


@pytest.mark.parametrize(("question", "sentence"), [
    ("How much has not been paid yet?", "Adding up amount in invoices where status is not paid: **2,105**, over 2 "
                                        "rows."),
    ("How many invoices haven't been paid?", "Counting the rows of invoices where status is not paid: **2 rows**."),
    ("Which invoices are not paid?", "The rows of invoices where status is not paid:\n\n| invoice no | client |"),
])
def test_a_value_said_with_not_leaves_its_rows_out(ws: Workspace, tmp_path: Path, question: str,
                                                   sentence: str) -> None:
    (tmp_path / "invoices.csv").write_text(INVOICES.replace("amount\n", "amount,status\n").replace(
        "3150\n", "3150,paid\n").replace("780\n", "780,sent\n").replace("1325\n", "1325,overdue\n"))
    assert ws.tables.import_file(tmp_path / "invoices.csv").status == "applied"
    answer = ws.chat.ask(question)
    assert sentence in answer.text, answer.text


MONTHLY = """date,category,amount
2024-11-05,groceries,10
2024-12-05,groceries,20
2025-01-05,groceries,40
2025-02-05,groceries,80
2025-03-05,groceries,160
2025-04-05,groceries,320
2025-07-05,groceries,640
2025-11-05,groceries,1280
"""


@pytest.mark.parametrize(("question", "sentence"), [
    ("How much did we spend on groceries between February and April 2025?",
     "where category is groceries and date is from February to April 2025: **560**, over 3 rows."),
    ("How much did we spend on groceries from March to May?",
     "date is from March to May: **480**, over 2 rows."),
    ("How much did we spend on groceries from Nov 2024 to Feb 2025?",
     "date is from November 2024 to February 2025: **150**, over 4 rows."),
    ("How much did we spend on groceries in Q1 2025?", "date is from January to March 2025: **280**, over 3 rows."),
    ("How much did we spend on groceries in the second half of 2025?",
     "date is from July to December 2025: **1,920**, over 2 rows."),
    ("How much did we spend on groceries between November and January?",
     "date is from November to January: **1,350**, over 4 rows."),
])
def test_a_range_of_months_counts_every_month_from_one_to_the_other(ws: Workspace, tmp_path: Path, question: str,
                                                                    sentence: str) -> None:
    text = _asked(ws, tmp_path / "spending.csv", MONTHLY, question)
    assert sentence in text, text


WORKSHOP = {
    "repairs.csv": """ticket_no,intake_date,pickup_date,customer_name,job,labour_hours,labour_chf,parts_chf
R-1,2025-03-02,2025-03-05,Lea Brunner,full service,2.5,200,45.5
R-2,2025-06-10,2025-06-12,Tobias Meier,flat tyre,0.5,40,12
R-3,2025-12-29,2026-01-04,Lea Brunner,full service,2.5,200,80
R-4,2026-02-01,2026-02-03,Aylin Demir,new wheel,1,80,166.8
""",
    "volunteers.csv": "name,role,hours_2025\nDario,mechanic,212\nRuth,treasurer,85\n",
    "parts.csv": "part_no,description,supplier,unit_cost_chf,qty_in_stock\nP-1,brake pads,Velo AG,14.5,30\n"
                 "P-2,inner tube,Velo AG,6.2,80\nP-3,chain,Bike Parts GmbH,22,12\n",
    "bike_sales.csv": "sold_on,model,price_chf\n2025-04-01,city bike,450\n2025-09-12,cargo bike,890\n",
}


def _answers(ws: Workspace, question: str, said: str, result: str) -> None:
    """The answer to ``question`` says ``said`` and ``result``."""
    answer = ws.chat.ask(question).text
    assert said in answer and result in answer, answer


def _approved(ws: Workspace, path: Path, body: str) -> Workspace:
    """``ws`` with ``body`` written to ``path`` and made a table, approved when it waits (a few rows)."""
    path.write_text(body)
    if (found := ws.tables.import_file(path)).status == "pending":
        ws.tables.approve(found.id)
    return ws


def _tables_of(ws: Workspace, folder: Path, files: dict[str, str]) -> Workspace:
    """``ws`` with each of ``files`` (name: text) written to ``folder`` and made a table."""
    for name, body in files.items():
        (folder / name).write_text(body)
        assert ws.tables.import_file(folder / name).status == "applied"
    return ws


def _all_approved(ws: Workspace, folder: Path, files: dict[str, str]) -> Workspace:
    """``ws`` with each of ``files`` (name: text) written to ``folder`` and made a table, approved when it waits."""
    for name, body in files.items():
        _approved(ws, folder / name, body)
    return ws


@pytest.fixture
def workshop(ws: Workspace, tmp_path: Path) -> Workspace:
    return _tables_of(ws, tmp_path, WORKSHOP)


@pytest.mark.parametrize(("question", "sentence"), [
    # of two money columns, the one whose word is said; not the one "labour" and "charge" half fit
    ("What's the average labour charge for a full service?",
     "Averaging labour chf in repairs where job is full service, in CHF: **200**, over 2 rows."),
    # neither said: each added up on its own, named, not one guessed
    ("How much did we charge in total for repairs?", "Adding up labour chf and parts chf in repairs, in CHF: total "
                                                     "labour chf **520** and total parts chf **304.30**, over 4 rows."),
    # two dates, neither said: the first, and the answer names it
    ("How many repairs did we do in 2025?", "Counting the rows of repairs where intake date is in 2025: **3 rows**."),
    # the unit a few words after "how many"
    ("How many volunteer hours were there in total?", "Adding up hours 2025 in volunteers: **297**, over 2 rows."),
    # the rows of each group counted: "the most repairs"
    ("Which customer brought the most repairs?", "Counting the rows of repairs by customer name, most first:\n\n"
                                                 "| customer name | rows |\n|---|---|\n| Lea Brunner | 2 |"),
    ("Who brought in the fewest repairs?", "Counting the rows of repairs by customer name, fewest first:"),
    # of two money columns compared with a currency, the one a word names
    ("List the repairs where parts cost more than 100 francs", "The rows of repairs where parts chf is over 100:"),
    # "bikes" is the table's "bike": a word and its plural share a stem when it ends in -e
    ("How many bikes did we sell in 2025?", "Counting the rows of bike_sales where sold on is in 2025: **2 rows**."),
])
def test_the_column_added_up_is_the_one_the_question_means(workshop: Workspace, question: str,
                                                           sentence: str) -> None:
    answer = workshop.chat.ask(question)
    assert sentence in answer.text, answer.text


@pytest.mark.parametrize("question", [
    "How much did we pay for parts from Velo AG?",  # unit costs are a rate: their sum is no payment
    "How much money did we spend in 2025?",  # bike sales are money taken in, not spent
    "Which customer paid the most?",  # labour or parts: which total is meant is not said
    "What was the average price of the e-bikes we sold?",  # "e-bikes" is not "bikes": no sale says e-bike
])
def test_a_sum_that_would_not_mean_what_was_asked_is_not_made(workshop: Workspace, question: str) -> None:
    answer = workshop.chat.ask(question)
    made = [a.params["sql"] for a in answer.actions if a.type == "query"]
    assert not [sql for sql in made if "unit_cost" in sql or "bike_sales" in sql or "GROUP BY" in sql], made


def test_a_name_typed_without_its_accent_finds_the_rows_that_have_it(ws: Workspace, tmp_path: Path) -> None:
    body = "date,paid_by,amount\n2026-01-03,Chloé,40\n2026-01-09,Chloé,25.50\n2026-01-12,Zoë,12\n"
    answer = _asked(ws, tmp_path / "payments.csv", body, "How much did Chloe pay in total?")
    assert "where paid by is Chloé: **65.50**, over 2 rows." in answer
    assert "**12**" in ws.chat.ask("how much did zoe pay?").text


BOOKINGS = """booking_no,guest_name,nights,amount,currency,paid_on
B-1,Ana Silva,3,450,EUR,2025-04-02
B-2,Tom Baker,5,600,GBP,2025-05-10
B-3,Ana Silva,7,980,EUR,2025-07-21
B-4,Jack Reid,2,260.50,GBP,2025-08-03
B-5,Lena Vogt,4,620,EUR,2026-01-15
"""


@pytest.mark.parametrize(("question", "sentence"), [
    # never one figure of euros and pounds added together: each with its code
    ("What is the total amount of the bookings in 2025?",
     "Adding up amount in bookings where paid on is in 2025, each currency on its own: **EUR 1,430 and GBP 860.50**, "
     "over 4 rows."),
    ("How much did Ana Silva pay in total?",
     "where guest name is Ana Silva, each currency on its own: **EUR 1,430**,"),
    # a currency said in words keeps its rows
    ("How much was paid in pounds?",
     "Adding up amount in bookings where currency is GBP: **GBP 860.50**, over 2 rows."),
    ("Which bookings were over 500 euros?",
     "The rows of bookings where currency is EUR and amount is over 500:\n\n"
     "| booking no | guest name | nights | amount | currency | paid on |\n|---|---|---|---|---|---|\n"
     "| B-3 | Ana Silva | 7 | 980 | EUR | 2025-07-21 |\n| B-5 | Lena Vogt | 4 | 620 | EUR | 2026-01-15 |"),
    # the largest of each currency, not euros ranked against pounds
    ("Which guest paid the most?",
     "Adding up amount in bookings by guest name, each currency on its own, largest first:\n\n"
     "| guest name | currency | total amount | rows |\n|---|---|---|---|\n| Ana Silva | EUR | 1430.00 | 2 |\n"
     "| Lena Vogt | EUR | 620.00 | 1 |\n| Tom Baker | GBP | 600.00 | 1 |\n| Jack Reid | GBP | 260.50 | 1 |"),
])
def test_money_in_several_currencies_is_added_up_in_each_currency_and_says_it(ws: Workspace, tmp_path: Path,
                                                                             question: str, sentence: str) -> None:
    text = _asked(ws, tmp_path / "bookings.csv", BOOKINGS, question)
    assert sentence in text, text


@pytest.mark.parametrize("question", [
    "How much was paid in dollars?",  # no booking is in dollars: not 0, not all of them
    "How many bookings cost over 500?",  # 500 euros or 500 pounds: not said
    "How much was paid not in euros?",  # "not" of a currency is not read
])
def test_a_currency_the_table_does_not_say_plans_nothing(ws: Workspace, tmp_path: Path, question: str) -> None:
    (tmp_path / "bookings.csv").write_text(BOOKINGS)
    assert ws.tables.import_file(tmp_path / "bookings.csv").status == "applied"
    assert aggregates.plans(question, ws.tables, ws.embedder.embed) == []


def test_a_money_column_named_in_a_currency_says_it_and_answers_no_other(workshop: Workspace) -> None:
    (found,) = aggregates.plans("How much did we charge for labour on repairs in francs?", workshop.tables,
                                workshop.embedder.embed)
    assert found.about == "Adding up labour chf in repairs, in CHF:", found
    assert aggregates.plans("How much did we charge for labour on repairs in euros?", workshop.tables,
                            workshop.embedder.embed) == []


CLUB = {
    "members.csv": "name,country,city,level,joined\nAnna Berg,DE,Leipzig,B1,2025-02-01\n"
                   "Leo Marchetti,IN,Pune,A2,2025-03-11\nSara Holm,DE,Leipzig,B1,2025-06-20\n"
                   "Omar Haddad,US,Boston,C1,2026-01-09\n",
    "classes.csv": "class,level,max_members,room\nTuesday conversation,B1,8,Room 2\nFriday grammar,A2,6,Room 1\n",
}


@pytest.fixture
def club(ws: Workspace, tmp_path: Path) -> Workspace:
    return _tables_of(ws, tmp_path, CLUB)


def test_a_short_code_with_a_digit_is_a_value_and_how_many_counts_the_table_it_names(club: Workspace) -> None:
    # "B1" is a value; "students" of the classes is their max_members, not what is counted
    (found,) = aggregates.plans("How many members are at B1 level?", club.tables, club.embedder.embed)
    assert found.table == "members" and club.tables.query(found.sql)[1] == [(2,)], found
    assert found.about == "Counting the rows of members where level is B1:"
    # two letters without a digit are never a value: "in" and "us" are words, not India and the US
    assert "country" not in str(aggregates.plans("How many members joined us in 2025?", club.tables,
                                                 club.embedder.embed))


STAFF_HOURS = """date,employee,project,hours
2026-03-02,Mia Keller,website,2
2026-03-03,Mia Keller,website,1.5
2026-03-04,Jonas Roth,audit,8
2026-03-09,Mia Keller,audit,1
2026-04-01,Jonas Roth,audit,3
"""


@pytest.mark.parametrize("question", ["Which employee logged the most hours in March?",
                                      "Who has worked the most hours in March?"])  # an employee column is a person
def test_the_most_of_a_number_column_adds_it_up_though_the_table_is_named_for_it(ws: Workspace, tmp_path: Path,
                                                                                 question: str) -> None:
    text = _asked(ws, tmp_path / "staff_hours.csv", STAFF_HOURS, question)
    assert ("Adding up hours in staff_hours by employee where date is in March, largest first:\n\n"
            "| employee | total hours | rows |\n|---|---|---|\n"
            "| Jonas Roth | 8 | 1 |\n| Mia Keller | 4.5 | 3 |") in text, text


def test_words_between_which_x_and_the_most_are_accounted_only_as_one_verb(workshop: Workspace) -> None:
    # no repair is from Zurich: not the customers of all repairs
    assert aggregates.plans("Which customer in Zurich brought the most repairs?", workshop.tables,
                            workshop.embedder.embed) == []


LESSONS = """lesson_date,pupil_id,pupil_name,minutes,fee
2026-01-05,P-01,Noah Weber,45,40
2026-01-07,P-02,Lina Arslan,60,52
2026-01-12,P-01,Noah Weber,45,40
"""


def test_of_an_id_and_a_name_column_which_x_groups_by_the_name(ws: Workspace, tmp_path: Path) -> None:
    text = _asked(ws, tmp_path / "lessons.csv", LESSONS, "Which pupil had the most lessons?")
    assert ("Counting the rows of lessons by pupil name, most first:\n\n| pupil name | rows |\n|---|---|\n"
            "| Noah Weber | 2 |\n| Lina Arslan | 1 |") in text, text


@pytest.mark.parametrize(("question", "about", "count"), [
    ("How many members live in Leipzig?", "Counting the rows of members where city is Leipzig:", 2),
    ("How many members come from Boston?", "Counting the rows of members where city is Boston:", 1),
    # "signed up" and "new" are what the joined date says
    ("How many new members signed up in 2025?", "Counting the rows of members where joined is in 2025:", 3),
])
def test_a_verb_of_place_before_a_value_or_of_joining_before_a_join_date_is_accounted(
        club: Workspace, question: str, about: str, count: int) -> None:
    (found,) = aggregates.plans(question, club.tables, club.embedder.embed)
    assert (found.about, club.tables.query(found.sql)[1]) == (about, [(count,)])


@pytest.mark.parametrize("question", [
    "How many members live in Oslo?",  # no member lives in Oslo
    "How many members signed up in Leipzig?",  # no date asked: "signed up" says nothing of the rows
    "How many members live?",  # no value after the verb
])
def test_an_everyday_verb_is_accounted_only_by_the_value_or_date_it_is_said_of(club: Workspace,
                                                                                question: str) -> None:
    assert aggregates.plans(question, club.tables, club.embedder.embed) == []


TREATMENTS = """date,patient_name,therapist,fee
2025-02-03,Lena Graf,Dr Roth,120
2025-06-11,Lena Graf,Dr Roth,95
2026-01-08,Lena Graf,Dr Roth,120
2025-03-15,Tim Bauer,Dr Roth,210
"""


@pytest.mark.parametrize(("question", "sentence"), [
    # "treated" (treat) and "treatment" (treat) are the table's noun, treatments (treatm)
    ("How many times was Lena Graf treated in 2025?",
     "Counting the rows of treatments where patient name is Lena Graf and date is in 2025: **2 rows**."),
    ("What was the most expensive treatment?", "| 2025-03-15 | Tim Bauer | Dr Roth | 210 |"),
])
def test_a_verb_or_singular_that_begins_the_tables_noun_names_it(ws: Workspace, tmp_path: Path, question: str,
                                                                  sentence: str) -> None:
    text = _asked(ws, tmp_path / "treatments.csv", TREATMENTS, question)
    assert sentence in text, text


def _plans_once(ws: Workspace, question: str, about: str, result: list[tuple]) -> None:
    """``question`` plans one query, which says ``about`` and returns ``result``."""
    (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)
    assert found.about == about, found
    assert ws.tables.query(found.sql)[1] == result


SCHOOL = {
    "enrolments.csv": "enrolment_id,enrolled_on,student_name,course_code,amount,currency,discount_pct,paid_on,status\n"
                      "E-1,2025-01-20,Lukas Müller,DE-A1,725,EUR,,2025-02-12,completed\n"
                      "E-2,2025-01-22,Zoé Favre,DE-A1,690,CHF,,2025-02-10,completed\n"
                      "E-3,2025-02-04,Ana Pérez,FR-B1,590,CHF,10,2025-03-08,completed\n"
                      "E-4,2025-12-28,Zoé Favre,EN-B2,640,CHF,,2026-01-05,active\n"
                      "E-5,2026-01-10,Lukas Müller,EN-B2,675,EUR,15,,active\n"
                      "E-6,2026-02-01,Ana Pérez,IT-A1,480,CHF,,,active\n",
    "teacher_hours.csv": "date,teacher,course_code,hours,pay_chf\n2025-10-02,Jana Köhler,DE-A1,4,248\n"
                         "2025-10-03,Hélène Morel,FR-B1,3,180\n2025-10-09,Jana Köhler,DE-A1,5,310\n"
                         "2025-10-10,Hélène Morel,FR-B1,1.5,90\n2025-11-04,Jana Köhler,DE-A1,2,124\n",
    # a price list: its prices are no money taken in, nor paid to the teachers
    "courses.csv": "course_code,teacher,start_date,price_chf\nDE-A1,Jana Köhler,2025-02-24,690\n"
                   "FR-B1,Hélène Morel,2025-03-03,590\nEN-B2,Sarah Whitfield,2025-10-06,640\n",
}


@pytest.fixture
def school(ws: Workspace, tmp_path: Path) -> Workspace:
    return _tables_of(ws, tmp_path, SCHOOL)


@pytest.mark.parametrize(("question", "about", "result"), [
    # money taken in: counted by when it was paid (paid_on), not when the student enrolled
    ("How much did we take in course fees in 2025?",
     "Adding up amount in enrolments where paid on is in 2025, each currency on its own:",
     [("CHF 1,280 and EUR 725", 3)]),
    ("How much have we received in euros in 2025?",
     "Adding up amount in enrolments where currency is EUR and paid on is in 2025:", [("EUR 725", 1)]),
    ("How much money did the enrolments bring in in 2025?",
     "Adding up amount in enrolments where paid on is in 2025, each currency on its own:",
     [("CHF 1,280 and EUR 725", 3)]),
    # "each X": the total of every group
    ("How much did we take each month in 2025?",
     "Adding up amount in enrolments by month where paid on is in 2025, each currency on its own:",
     [("2025-02", "CHF", 690.0, 1), ("2025-03", "CHF", 590.0, 1), ("2025-02", "EUR", 725.0, 1)]),
    ("How many hours did each teacher work in October?",
     "Adding up hours in teacher_hours by teacher where date is in October:",
     [("Jana Köhler", 9.0, 2), ("Hélène Morel", 4.5, 2)]),
    # a blank payment date is a row not paid yet
    ("How many enrolments haven't been paid yet?",
     "Counting the rows of enrolments where paid on is empty:", [(2,)]),
    ("Which enrolments are still unpaid?", None, None),
    ("How much did Lukas Müller pay?",
     "Adding up amount in enrolments where student name is Lukas Müller and paid on is filled in, each currency on its "
     "own:", [("EUR 725", 1)]),
    # of two tables that could, the one whose money column the question names
    ("How much did we pay Jana Köhler in October?",
     "Adding up pay chf in teacher_hours where teacher is Jana Köhler and date is in October, in CHF:", [(558.0, 2)]),
    # a number column said names its table; blanks are not counted as rows averaged
    ("What's the average discount we give?", "Averaging discount pct in enrolments:", [(12.5, 2)]),
    # a year the dates do not reach is said to be outside them, not answered "0" as if counted
    ("How many enrolments did we have in 2023?",
     "Counting the rows of enrolments where enrolled on is in 2023 (its dates run from 20 January 2025 to "
     "1 February 2026):", [(0,)]),
])
def test_money_taken_in_each_group_unpaid_rows_and_a_period_outside_the_dates(
        school: Workspace, question: str, about: str | None, result: list[tuple] | None) -> None:
    found = aggregates.plans(question, school.tables, school.embedder.embed)
    assert len(found) == 1, (question, found)
    if about is None:  # a list of the rows: those with no payment date
        assert found[0].sql.endswith('"paid_on" IS NULL LIMIT 50'), found
        assert [r[0] for r in school.tables.query(found[0].sql)[1]] == ["E-5", "E-6"]
        return
    _plans_once(school, question, about, result)


def test_money_in_a_table_of_rows_keeps_its_cents(books: Workspace) -> None:
    # 61.35 and 86 in one column: 86.00, as the grid and a bank statement write it; km stays as it is
    text = books.chat.ask("list the expenses over 60 euros").text
    assert "| 2026-01-10 | groceries | Edeka | 61.35 |" in text and "| 2026-01-15 | transport | BVG | 86.00 |" in text


CLINIC = {
    "invoices_2026.csv": "date,invoice_no,client,net_eur,vat_eur,total_eur,status\n"
                         "2026-03-02,INV-1,Niamh Walsh,100,23,123,paid\n2026-03-09,INV-2,Conor Ryan,500,115,615,paid\n"
                         "2026-04-01,INV-3,Niamh Walsh,40,9.2,49.2,unpaid\n",
    "patients.csv": "name,species,insured,owner\nBran,Dog,yes,Niamh Walsh\nLuna,Cat,no,Conor Ryan\n"
                    "Molly,Dog,yes,Conor Ryan\n",
    "reminders.csv": "pet,species,due,booked_for,reminder_sent\nBran,Dog,2026-12-01,2026-12-03,yes\n"
                     "Molly,Dog,2026-12-05,,no\n",
}


@pytest.fixture
def clinic(ws: Workspace, tmp_path: Path) -> Workspace:
    return _tables_of(ws, tmp_path, CLINIC)


@pytest.mark.parametrize(("question", "about", "result"), [
    # of net, VAT and total, the total is what an invoice comes to; "invoice" is a money verb
    ("How much did we invoice in March?", "Adding up total eur in invoices_2026 where date is in March, in EUR:",
     [(738.0, 2)]),
    ("What is the total of the invoices?", "Adding up total eur in invoices_2026, in EUR:", [(787.2, 3)]),
    ("How many invoices were over 500 euro?", "Counting the rows of invoices_2026 where total eur is over 500:",
     [(1,)]),
    ("How much VAT did we invoice in March?", "Adding up vat eur in invoices_2026 where date is in March, in EUR:",
     [(138.0, 2)]),
    # a yes/no column said keeps the rows it says yes (or no) of
    ("How many patients are insured?", "Counting the rows of patients where insured is yes:", [(2,)]),
    ("How many patients are not insured?", "Counting the rows of patients where insured is no:", [(1,)]),
])
def test_invoices_with_net_vat_and_total_and_a_yes_no_column(clinic: Workspace, question: str, about: str,
                                                               result: list[tuple]) -> None:
    _plans_once(clinic, question, about, result)


def test_a_word_only_an_unused_date_columns_name_accounts_for_plans_nothing(clinic: Workspace) -> None:
    # "books" is no booked_for date: counting the reminders of dogs would answer another question
    assert aggregates.plans("How many dogs are on our books?", clinic.tables, clinic.embedder.embed) == []


def test_a_table_the_question_names_that_cannot_answer_leaves_the_catalogs_rows_out(clinic: Workspace) -> None:
    from engine.errors import NotApproved

    with pytest.raises(NotApproved) as waiting:  # an invoice filed from a note, in a catalog table
        clinic.tables.add_row("finance_treasury", {"title": "Invoice 7", "tags": "invoice", "amount": 280.0,
                                                   "due_date": "2026-01-31"})
    clinic.tables.approve(int(str(waiting.value).rsplit(" ", 1)[-1].rstrip(".")))
    # invoices_2026 is named but has no due date: not the one invoice filed from a note, at confidence 1.00
    assert aggregates.plans("What is the total amount of the invoices due in January?", clinic.tables,
                            clinic.embedder.embed) == []


@pytest.mark.parametrize(("question", "about"), [
    ("How many invoices are still unpaid?", "Counting the rows of invoices_2026 where status is unpaid:"),
    ("What do the unpaid invoices add up to?", "Adding up total eur in invoices_2026 where status is unpaid, in EUR:"),
])
def test_everyday_words_around_a_total_are_not_left_over(clinic: Workspace, question: str, about: str) -> None:
    (found,) = aggregates.plans(question, clinic.tables, clinic.embedder.embed)
    assert found.about == about, found


@pytest.mark.parametrize("question", [
    "How much is the consultation fee?",  # a price, said in the price list: not the invoices added up
    "When does the consultation fee go up, and to how much?",
])
def test_a_fee_asked_of_no_period_is_a_price_not_a_total(clinic: Workspace, tmp_path: Path, question: str) -> None:
    (tmp_path / "visits.csv").write_text("date,service,total_eur\n2026-03-02,Consultation,58\n"
                                         "2026-03-09,Consultation,58\n")
    clinic.tables.import_file(tmp_path / "visits.csv")
    for proposal in clinic.tables.proposals("pending"):
        clinic.tables.approve(proposal.id)
    assert aggregates.plans(question, clinic.tables, clinic.embedder.embed) == []


def test_a_superlative_that_names_a_measure_finds_its_row(ws: Workspace, tmp_path: Path) -> None:
    body = "name,species,weight_kg,age\nMolly,Dog,49.4,6\nBran,Dog,31.0,9\nLuna,Cat,4.2,12\n"
    text = _asked(ws, tmp_path / "pets.csv", body, "Which is our heaviest dog?")
    assert "The row of pets with the highest weight kg where species is Dog:" in text and "| Molly | Dog |" in text


def test_values_found_in_memory_are_those_duckdb_finds(books: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.tables import mentions

    questions = ["how much did we spend on groceries in January?", "how much did the QuickFix repairs cost?",
                 "how much did we spend at lidl in total?", "how many repairs were brake pads?",
                 "How much did we spend at Roma in total?"]  # a name said alone: Pizzeria Roma
    kept = [[p.sql for p in aggregates.plans(q, books.tables)] for q in questions]
    monkeypatch.setattr(mentions, "KEPT_CELLS", 0)  # every table asked of DuckDB
    assert [[p.sql for p in aggregates.plans(q, books.tables)] for q in questions] == kept
    assert all(kept) and "'groceries'" in kept[0][0]


@pytest.fixture
def landlord(ws: Workspace, tmp_path: Path) -> Workspace:
    folder = tmp_path / "flats"
    folder.mkdir()
    (folder / "repairs.csv").write_text("id,flat,cost,contractor\n1,A1,250,Bauer\n2,A2,120,Bauer\n3,B1,900,Klein\n"
                                        "4,B2,80,Klein\n")
    (folder / "flats.csv").write_text("flat,floor,size_m2,monthly_rent\nA1,0,55,850\nA2,1,62,900\nB1,1,48,720\n"
                                      "B2,2,75,1020\n")
    (folder / "tenants.csv").write_text("name,flat,deposit,moved_in,pets\nAnna Kowalski,A1,2550,2019-03-01,yes\n"
                                        "Peter Novak,B2,3060,2025-08-01,no\nGreta Lindqvist,A2,2160,2018-05-15,no\n")
    ws.ingest([folder])
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    return ws


@pytest.mark.parametrize(("question", "sentence"), [
    # "how many" counts its noun; a column named before a comparison is compared, not added up
    ("how many repairs cost more than 200 euros?", "Counting the rows of repairs where cost is over 200: **2 rows**."),
    ("how many tenants paid a deposit over 2500?", "of tenants where deposit is over 2500: **2 rows**."),
    # a number after a number column's name picks the rows equal to it
    ("how many flats are on floor 1?", "Counting the rows of flats where floor is 1: **2 rows**."),
    ("what is the total rent of flats on floor 1?", "Adding up monthly rent in flats where floor is 1: **1,620**"),
    # "monthly" of monthly_rent is the column, not a total each month
    ("what is the average monthly rent?", "Averaging monthly rent in flats: **872.50**, over 4 rows."),
    # a superlative of size, and of a date
    ("which flat is the biggest", "The row of flats with the highest size m2:"),
    ("who moved in most recently?", "The row of tenants with the latest moved in:"),
    ("which tenant moved in earliest?", "The row of tenants with the earliest moved in:"),
])
def test_landlord_questions_are_added_up_as_asked(landlord: Workspace, question: str, sentence: str) -> None:
    answer = landlord.chat.ask(question)
    assert sentence in answer.text and answer.confidence == 1.0


@pytest.mark.parametrize("question", [
    "how many flats are on floor 3 in the old wing?",  # "old wing" is in no table: not all rows
    "which tenant has been with me the longest",  # not the highest deposit, the only number column
    "how many tenants are in flat 2?",  # flat holds A1, B2: the 2 is not dropped, counting every tenant
])
def test_a_question_whose_words_the_tables_do_not_carry_is_not_added_up(landlord: Workspace, question: str) -> None:
    assert not aggregates.plans(question, landlord.tables, landlord.embedder.embed)


def test_a_name_that_stems_like_a_column_is_no_column_of_the_row(landlord: Workspace) -> None:
    answer = landlord.chat.ask("what car does Peter Novak drive")  # "Peter" is no "pets"
    assert answer.abstained and "pets of Peter Novak" not in answer.text
    assert "deposit of Peter Novak: **3060**" in landlord.chat.ask("what's Peter Novak's deposit?").text


@pytest.mark.parametrize(("question", "sentence"), [
    ("how much deposit did Anna pay?", "Adding up deposit in tenants where name is Anna Kowalski: **2,550**"),
    ("How many repairs did Bauer do?", "Counting the rows of repairs where contractor is Bauer: **2 rows**."),
])
def test_a_name_said_alone_is_the_one_value_that_holds_it(landlord: Workspace, question: str, sentence: str) -> None:
    assert sentence in landlord.chat.ask(question).text


def test_a_first_name_two_values_hold_or_a_month_is_not_read_as_one(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "payments.csv").write_text("date,payer,amount,note\n2026-08-02,Markus Brandt,400,partial\n"
                                           "2026-08-29,Markus Brandt,320,rest of August\n"
                                           "2026-08-03,Anna Kowalski,850,\n2026-08-04,Anna Weber,650,\n")
    assert ws.tables.import_file(tmp_path / "payments.csv").status == "applied"
    (plan,) = aggregates.plans("How much did Markus pay in August?", ws.tables)
    assert plan.about == "Adding up amount in payments where payer is Markus Brandt and date is in August:"
    assert not aggregates.plans("How much did Anna pay in August?", ws.tables)  # which Anna is not said


def test_rows_not_done_yet_are_those_whose_done_date_is_empty(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "repairs.csv").write_text("id,flat,issue,reported,fixed,cost\nR-1,A1,leaking tap,2026-01-03,2026-01-05,"
                                          "80\nR-2,A2,doorbell dead,2026-10-02,,\nR-3,B1,damp patch,2026-10-09,,\n"
                                          "R-4,B2,broken window,2026-09-01,2026-09-20,310\n")
    ws.tables.import_file(tmp_path / "repairs.csv")
    for proposal in ws.tables.proposals("pending"):
        ws.tables.approve(proposal.id)
    still_open = ws.chat.ask("which repairs are still open?").text
    assert "The rows of repairs where fixed is empty:" in still_open and "doorbell dead" in still_open
    assert "leaking tap" not in still_open
    (plan,) = aggregates.plans("how many repairs have been fixed?", ws.tables)
    assert plan.about == "Counting the rows of repairs where fixed is filled in:"


@pytest.mark.parametrize(("question", "sentence"), [
    # the rows of a table with money in it are its payments; "across" says nothing of which rows
    ("how many payments were there at Lidl?", "Counting the rows of expenses where shop is Lidl: **2 rows**."),
    ("what was the average cost across the car repairs?", "Averaging cost in car_repairs: **465**, over 3 rows."),
])
def test_payments_are_the_rows_of_a_table_of_money(books: Workspace, question: str, sentence: str) -> None:
    assert sentence in books.chat.ask(question).text


def test_payments_are_no_rows_of_a_table_without_money(landlord: Workspace) -> None:
    assert not aggregates.plans("how many payments are on floor 1?", landlord.tables)  # flats: no amounts


BOAT_REPAIRS = """boat,problem,reported_by,fixed_by,status
Heron,cracked rigger,Paddy Joyce,Paddy Joyce,Fixed
Kingfisher,loose seat,Aoife Burke,Paddy Joyce,Fixed
Swan,hull scratch,Paddy Joyce,Paddy Joyce,Fixed
Osprey,bent oar,Aoife Burke,Paddy Joyce,Fixed
Swan,slide stuck,Paddy Joyce,,Open
Osprey,fin missing,Aoife Burke,Aoife Burke,Fixed
"""


@pytest.mark.parametrize(("question", "said"), [
    ("How many repairs did Paddy Joyce fix?", "where fixed by is Paddy Joyce: **4 rows**"),
    ("How many repairs were fixed by Paddy Joyce?", "where fixed by is Paddy Joyce: **4 rows**"),
    ("How many repairs did Paddy Joyce report?", "where reported by is Paddy Joyce: **3 rows**"),
    ("How many repairs are fixed?", "where status is Fixed: **5 rows**"),
])
def test_a_name_in_two_columns_counts_in_the_one_the_question_names(ws: Workspace, tmp_path: Path, question: str,
                                                                   said: str) -> None:
    # it counted rows where Paddy Joyce both reported and fixed (2), and "fixed by" added status = Fixed
    (tmp_path / "boat_repairs.csv").write_text(BOAT_REPAIRS)
    proposal = ws.tables.import_file(tmp_path / "boat_repairs.csv")
    if proposal.status == "pending":  # the blank cell makes it wait for the person
        ws.tables.approve(proposal.id)
    assert said in ws.chat.ask(question).text


MEMBERS = "id,name,category,status\n1,Aoife Brennan,Senior,Active\n2,Liam Burke,Senior,Active\n" \
          "3,Ella Ward,Junior,Active\n4,Rory Dolan,Junior,Active\n5,Mary Fallon,Novice,Inactive\n"
ATTENDANCE = "date,member,session\n2024-05-04,Ella Ward,Juniors\n2024-05-11,Ella Ward,Juniors\n" \
             "2024-05-11,Rory Dolan,Juniors\n2024-05-12,Aoife Brennan,Seniors\n"


def test_the_table_the_question_names_whole_is_added_up_not_an_older_copy_beside_it(ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    # "how many active members?" added up members (4) and members_export_2023_09 (3) at 1.0;
    # "junior members" led with the junior sessions of attendance
    for name, body, table in (("members.csv", MEMBERS, "members"), ("attendance.csv", ATTENDANCE, "attendance"),
                              ("members_export_2023-09.csv", MEMBERS.rsplit("\n4,", 1)[0] + "\n",
                               "members_export_2023_09")):
        (tmp_path / name).write_text(body)
        proposal = ws.tables.import_file(tmp_path / name)
        if proposal.status == "pending" or proposal.table != table:
            ws.tables.approve(proposal.id, table=table)
    active = ws.chat.ask("How many active members do we have?").text
    assert "members where status is Active: **4 rows**" in active and "members_export" not in active, active
    juniors = ws.chat.ask("How many junior members are there?").text
    assert "members where category is Junior: **2 rows**" in juniors and "attendance" not in juniors, juniors
    sessions = ws.chat.ask("How many junior sessions were there?").text
    assert "attendance where session is Juniors: **3 rows**" in sessions, sessions


ROTA = "date,role,volunteer\n2024-07-06,Launch driver,Brian Geraghty\n2024-07-13,Launch driver,Declan Fahy\n" \
       "2024-07-20,Launch driver,Mark Egan\n2024-07-13,Coach,Aoife Brennan\n"


@pytest.mark.parametrize("question", ["Who is the launch driver on 13 July?", "Who is the launch driver on July 13th?"])
def test_a_day_said_in_words_picks_the_row_of_that_date(ws: Workspace, tmp_path: Path, question: str) -> None:
    # it was declined ("July" matched no value) while showing every launch driver's row as related
    answer = ws.chat.ask(question) if (tmp_path / "rota.csv").exists() else None
    text = _asked(ws, tmp_path / "rota.csv", ROTA, question) if answer is None else answer.text
    assert "Declan Fahy" in text and "Brian Geraghty" not in text and "Mark Egan" not in text, text
    assert not text.startswith("I could not find")


SESSIONS = "date,session,member,coach\n2024-04-02,Tue PM,Ella Ward,Declan Fahy\n" \
           "2024-04-02,Tue PM,Rory Dolan,Declan Fahy\n2024-04-04,Thu PM,Ella Ward,Aoife Brennan\n" \
           "2024-04-06,Sat AM,Ella Ward,Declan Fahy\n2024-04-06,Sat AM,Mary Fallon,Aoife Brennan\n"


def test_who_did_the_most_of_what_a_tables_rows_record_counts_them_by_person(ws: Workspace, tmp_path: Path) -> None:
    # declined: two person columns, and months in the table's name hid its noun ("may");
    # each row is one member at one session, and the first person column is the rows' own
    text = _asked(ws, tmp_path / "attendance_apr_may_2024.csv", SESSIONS, "Who attended the most sessions?")
    assert ("Counting the rows of attendance_apr_may_2024 by member, most first:\n\n"
            "| member | rows |\n|---|---|\n| Ella Ward | 3 |") in text, text
    # a coach's rows are not his sessions (two members at one session): not counted
    assert aggregates.plans("Which coach ran the most sessions?", ws.tables, ws.embedder.embed) == []


BOATS = "boat_name,type,year_built,rack,status\nCorrib,8+,2009,A1,In use\nThe Old Lady,8+,1985,,For sale\n" \
        "Terryland,2x,2024,C3,In use\nDangan,4x,1998,B2,In use\n"


@pytest.mark.parametrize(("question", "boat"), [("Which is our oldest boat?", "The Old Lady"),
                                                ("What is the newest boat?", "Terryland")])
def test_oldest_and_newest_are_of_the_year_a_thing_was_made(ws: Workspace, tmp_path: Path, question: str,
                                                            boat: str) -> None:
    text = _asked(ws, tmp_path / "boats.csv", BOATS, question)
    assert text.startswith("The row of boats with the") and f"| {boat} |" in text, text
    assert all(f"| {b} |" not in text for b in ("Corrib", "Dangan")), text


def test_the_oldest_by_an_age_column_has_the_highest_age(ws: Workspace, tmp_path: Path) -> None:
    text = _asked(ws, tmp_path / "dogs.csv", "dog,breed,age\nRex,Collie,3\nBella,Pug,11\nMax,Beagle,7\n",
                  "Which is the oldest dog?")
    assert "| Bella |" in text and "| Rex |" not in text, text


@pytest.mark.parametrize(("question", "said"), [
    ("Which boats have no rack?", "The rows of boats where rack is empty:"),
    ("How many boats are without a rack?", "Counting the rows of boats where rack is empty: **1 row**"),
])
def test_no_or_without_a_columns_value_keeps_the_rows_where_it_is_blank(ws: Workspace, tmp_path: Path,
                                                                        question: str, said: str) -> None:
    text = _asked(ws, tmp_path / "boats.csv", BOATS, question)
    assert said in text, text
    assert "Corrib" not in text and ("The Old Lady" in text or "**1 row**" in text), text


def test_how_many_of_a_number_column_adds_it_up_and_a_month_past_the_dates_says_so(
        ws: Workspace, tmp_path: Path) -> None:
    body = "month,consultations,vaccinations,revenue_gbp\n" + "".join(
        f"2024-0{m},{400 + m},{150 + m},{38000 + 100 * m}\n" for m in range(1, 7))
    path = tmp_path / "monthly_activity_2024.csv"
    path.write_text(body)
    proposal = ws.tables.import_file(path)  # months such as 2024-01 wait to be read as the month's first day
    ws.tables.approve(proposal.id)
    march = ws.chat.ask("how many consultations did we do in March 2024?").text
    assert "Adding up consultations in monthly_activity_2024 where month is in March 2024: **403**" in march, march
    july = ws.chat.ask("how many consultations did we do in July 2024?").text
    assert "in July 2024 (its dates run from 1 January 2024 to 1 June 2024)" in july, july
    (tmp_path / "annual_report_2023.md").write_text(
        "# Annual report 2023\n\nIn 2023 we carried out 4,812 consultations, 1,476 vaccinations and 498 surgical "
        "procedures.\n\nOur charity registration number is 1187342.\n")
    ws.ingest([tmp_path / "annual_report_2023.md"])
    before = ws.chat.ask("how many consultations did we do in 2023?")  # outside the table: the report says
    assert not before.abstained and "4,812 consultations" in before.text and before.citations, before.text


FOH_ROTA = ("date,performance,role,volunteer\n2025-05-07,Evening,Usher,Aoife Brennan\n"
            "2025-05-07,Evening,Usher,Tom Hale\n2025-05-07,Evening,Bar,Ewan MacLeod\n"
            "2025-05-10,Matinee,Usher,Aoife Brennan\n2025-05-10,Matinee,Bar,Owain Price\n")


@pytest.mark.parametrize("question", ["how many ushers do I need to find for each performance?",
                                      "how many ushers are needed at a matinee?",
                                      "how many ushers should we have for each performance?"])
def test_how_many_are_needed_asks_what_a_rule_says_not_what_rows_hold(
        ws: Workspace, tmp_path: Path, question: str) -> None:
    (tmp_path / "foh_rota.csv").write_text(FOH_ROTA)
    assert ws.tables.import_file(tmp_path / "foh_rota.csv").status == "applied"
    assert aggregates.plans(question, ws.tables, ws.embedder.embed) == []
    assert aggregates.plans("how many ushers are on the rota for each performance?", ws.tables, ws.embedder.embed)


def test_money_taken_is_a_gross_or_takings_column(ws: Workspace, tmp_path: Path) -> None:
    body = ("show,performance,adult,child,gross\nCinderella,Fri eve,88,60,1791\nCinderella,Sat mat,70,90,1650\n"
            "The Importance of Being Earnest,Sat eve,120,0,2009\nThe Importance of Being Earnest,Thu eve,80,0,1320\n"
            "Abigail's Party,Fri eve,60,0,860\n")
    text = _asked(ws, tmp_path / "box_office_returns.csv", body, "How much money did Earnest take at the box office?")
    assert "Adding up gross in box_office_returns where show is The Importance of Being Earnest: **3,329**" in text, \
        text
    (tmp_path / "expenses.csv").write_text(
        "date,production,supplier,amount\n2024-11-02,Cinderella,Kestrel Print,146.80\n"
        "2024-12-20,Cinderella,Quayside Trust,2280\n2025-04-15,Earnest,Co-op,57.60\n")
    assert ws.tables.import_file(tmp_path / "expenses.csv").status == "applied"
    spent = ws.chat.ask("How much did we spend on Cinderella?").text  # the gross is money taken, not spent
    assert "Adding up amount in expenses where production is Cinderella: **2,426.80**" in spent, spent
    assert "gross" not in spent, spent


THEATRE = {
    "donations_2024.csv": "donor,received,amount_gbp,gift_aid,method\nKestrel Bay Building Society,2024-02-14,1500.00,"
                          "false,Grant\nMaureen Quinn,2024-03-02,50.00,true,Cash\nHarbour Cafe,2024-06-20,250.00,false,"
                          "Card\nTom Hale,2024-11-30,25.00,true,Cash\n",
    "expenses.csv": "date,supplier,category,amount,receipt\n2024-11-19,Kestrel Print,Publicity,146.80,\n"
                    "2024-12-20,Quayside Trust,Venue,2280.00,true\n2025-03-22,Co-op,Bar stock,57.60,\n"
                    "2025-04-01,Ravenscourt,Costumes,780.00,true\n",
    "staff.csv": "name,role,extension,rcvs_number\nPriya Raman,Vet,203,7562910\nBen Hartley,Student nurse,212,\n"
                 "Chloe Martin,Receptionist,100,\nZoe Lind,Head nurse,210,1093372\n",
}


@pytest.fixture
def theatre(ws: Workspace, tmp_path: Path) -> Workspace:
    for name, body in THEATRE.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
        proposal = ws.tables.import_file(tmp_path / name)
        if proposal.status == "pending":
            ws.tables.approve(proposal.id)
    return ws


@pytest.mark.parametrize(("question", "about", "first"), [
    ("What was our single biggest expense?", "The row of expenses with the highest amount:", "Quayside Trust"),
    ("Who gave us the biggest donation?", "The row of donations_2024 with the highest amount gbp:",
     "Kestrel Bay Building Society"),
    ("How much did people donate to us in 2024?", "Adding up amount gbp in donations_2024 where received is in 2024",
     None),
    ("Which expenses don't have a receipt?", "The rows of expenses where receipt is empty:", "Kestrel Print"),
    ("Which staff members don't have an RCVS number?", "The rows of staff where rcvs number is empty:",
     "Ben Hartley"),
])
def test_everyday_words_for_the_biggest_a_giver_and_what_rows_do_not_have(
        theatre: Workspace, question: str, about: str, first: str | None) -> None:
    found = aggregates.plans(question, theatre.tables, theatre.embedder.embed)
    assert len(found) == 1 and found[0].about.startswith(about), (question, found)
    if first is not None:
        assert theatre.tables.query(found[0].sql)[1][0][{"expenses": 1, "staff": 0}.get(found[0].table, 0)] == first


def test_a_sum_of_a_decimal_column_is_written_with_thousands() -> None:
    # a Parquet or typed DECIMAL(10,2) column sums to a Decimal, which was written "2781.95"
    assert query_text((["total_amount_gbp", "rows"], [(decimal.Decimal("2781.95"), 11)]), "Adding up:") == \
        "Adding up: **2,781.95**, over 11 rows."
    # of several columns added up, one whose cells are all empty in those rows was written "None"
    assert query_text((["total_fee", "total_deposit", "rows"], [(1505, None, 6)]), "Adding up:") == \
        "Adding up: total fee **1,505** and total deposit **nothing**, over 6 rows."


def test_rows_shown_in_an_answer_leave_out_the_catalogs_own_fields() -> None:
    from engine.chat.render import tables_text

    match = {"table": "notes", "named": True, "keys": [1],
             "columns": ["title", "summary", "source_document", "trust_score", "created_at", "updated_at"],
             "rows": [["AGM 2024", "Fees agreed.", "/files/agm.md", 0.8, "2026-11-23", "2026-11-23"]]}
    text = tables_text([match])
    assert "| title | summary |\n" in text and "| AGM 2024 | Fees agreed. |" in text, text
    assert "trust_score" not in text and "created_at" not in text and "/files/agm.md" not in text, text


def test_how_many_people_is_no_count_of_rows_that_are_not_people(theatre: Workspace) -> None:
    assert aggregates.plans("How many people came to the Co-op?", theatre.tables, theatre.embedder.embed) == []


def test_a_decimal_columns_sum_from_parquet_is_written_with_thousands(ws: Workspace, tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "donations_2024.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('Kestrel Bay Building Society', DATE '2024-02-14', 1500.00::DECIMAL(10,2)), "
        "('Harbour Cafe', DATE '2024-06-20', 1281.95::DECIMAL(10,2))) t(donor, received, amount_gbp)) "
        f"TO '{path}' (FORMAT parquet)")
    assert ws.tables.import_file(path).status == "applied"
    text = ws.chat.ask("How much did we receive in donations in 2024?").text
    assert "**2,781.95**" in text, text


def test_what_we_spent_in_a_month_is_added_up_from_a_table_whose_dates_hold_it(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"expenses.csv": "date,supplier,amount\n2024-11-19,Kestrel Print,146.80\n"
                                              "2024-11-30,StageSmoke,38.50\n2025-03-22,Co-op,57.60\n",
                              "members.csv": "name,category,fee_due,date_paid,amount_paid\n"
                                             "Priya Raman,Adult,40,2025-01-03,40\n"
                                             "Gwen Lloyd,Junior,12,2025-01-07,12\n"})
    # not the members' fees too, paid in January ("no rows match")
    found = aggregates.plans("What did we spend in November 2024?", ws.tables, ws.embedder.embed)
    assert [p.about for p in found] == ["Adding up amount in expenses where date is in November 2024:"], found
    assert ws.tables.query(found[0].sql)[1][0][0] == pytest.approx(185.30)


def test_paid_out_of_her_own_pocket_is_what_she_paid(ws: Workspace, tmp_path: Path) -> None:
    body = ("date,supplier,amount,paid_by\n2024-11-19,Kestrel Print,146.80,Priya Raman\n"
            "2024-12-03,StageSmoke,38.50,Priya Raman\n2025-03-22,Co-op,57.60,Tomás Ferreira\n")
    text = _asked(ws, tmp_path / "expenses.csv", body, "How much has Priya paid for out of her own pocket?")
    assert "Adding up amount in expenses where paid by is Priya Raman: **185.30**" in text, text


BANK = ("date,description,category,money_out,money_in,balance\n2025-03-01,TESCO STORES 3041,Groceries,80.10,,900\n"
        "2025-03-08,LIDL GB THORNBURY,Groceries,35.12,,864.88\n2025-03-15,TESCO STORES 3041,Groceries,61.40,,803.48\n"
        "2025-03-28,AVONBRIDGE ENGINEERING SALARY,Income,,3100.00,3903.48\n"
        "2025-04-02,TESCO STORES 3041,Groceries,40.00,,3863.48\n"
        "2025-04-28,AVONBRIDGE ENGINEERING SALARY,Income,,3100.00,6963.48\n")


@pytest.mark.parametrize(("question", "about", "total"), [
    # a shop written lower-case, part of a bank's description; money out, not money in
    ("how much did we spend at tesco in march?", "Adding up money out in bank where description is TESCO STORES 3041 "
                                                 "and date is in March:", 141.50),
    ("how many times did we go to lidl", "Counting the rows of bank where description is LIDL GB THORNBURY:", 1),
    ("how much money came in during april", "Adding up money in from bank where date is in April:", 3100.00),
])
def test_a_bank_statements_shop_in_lower_case_and_which_way_the_money_went(ws: Workspace, tmp_path: Path,
                                                                           question: str, about: str,
                                                                           total: float) -> None:
    (tmp_path / "bank.csv").write_text(BANK)
    assert ws.tables.import_file(tmp_path / "bank.csv").status == "applied"
    (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed, ws.embedder.count_tokens)
    assert found.about == about, found
    assert ws.tables.query(found.sql)[1][0][0] == pytest.approx(total)
    if "lidl" in question:
        assert "None of them mention" not in ws.chat.ask(question).text


CATEGORIES = ("date,description,category,money_out,money_in\n2025-03-01,TESCO STORES 3041,Groceries,80.10,\n"
              "2025-03-04,SHELL THORNBURY,Transport,55.40,\n2025-03-08,PETS AT HOME BRISTOL,Pets,42.13,\n"
              "2025-03-11,MEADOWBANK VETS,Pets,62.50,\n2025-03-15,LIDL GB THORNBURY,Groceries,35.12,\n"
              "2025-03-18,ZARA BRISTOL,Shopping,49.99,\n2025-03-22,HAPPY GARDEN TAKEAWAY,Eating out,24.60,\n"
              "2025-03-28,AVONBRIDGE ENGINEERING,Income,,3100.00\n")


@pytest.mark.parametrize(("question", "about", "total"), [
    ("how much did we spend on food in march?", "Adding up money out in bank where category is Groceries and date "
                                                "is in March:", 115.22),
    ("how much did the dog cost us in march", "Adding up money out in bank where category is Pets and date is in "
                                              "March:", 104.63),
    # "MEADOWBANK VETS" holds it: that row, not every Pets row
    ("how much did we spend at the vet?", "Adding up money out in bank where description mentions “vet”:", 62.50),
    ("how much did we spend on food shopping?", None, None),  # Shopping is as close as Groceries
    ("how much did we spend on the holiday?", None, None),  # no category means it
])
def test_a_word_no_value_holds_is_read_as_the_category_it_means(ws: Workspace, tmp_path: Path, question: str,
                                                                about: str | None, total: float | None) -> None:
    (tmp_path / "bank.csv").write_text(CATEGORIES)
    assert ws.tables.import_file(tmp_path / "bank.csv").status == "applied"
    found = aggregates.plans(question, ws.tables, ws.embedder.embed, ws.embedder.count_tokens)
    if about is None:
        assert not found, found
        return
    assert [p.about for p in found] == [about], found
    assert ws.tables.query(found[0].sql)[1][0][0] == pytest.approx(total)


def test_a_table_the_question_names_comes_before_a_column_that_fits_its_words(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"subscriptions.csv": "service,cost_gbp,billing\nNetflix,10.99,monthly\n"
                                                   "Spotify,19.99,monthly\nAmazon Prime,95,yearly\n",
                              "budget.csv": "category,monthly_budget,jan_actual,feb_actual\n"
                                            "Subscriptions,45,44.97,44.97\nEating out,120,96.10,186.55\n"})
    (found,) = aggregates.plans("what do the monthly subscriptions add up to?", ws.tables, ws.embedder.embed)
    assert found.table == "subscriptions" and ws.tables.query(found.sql)[1][0][0] == pytest.approx(30.98), found
    text = ws.chat.ask("what did we actually spend eating out in january?").text  # jan_actual alone
    assert "jan_actual of Eating out: **96.1**" in text and "feb_actual" not in text.split("From table")[0], text


def test_a_month_alone_outside_every_year_of_a_tables_dates_says_what_they_are(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "bank.csv").write_text(BANK)
    assert ws.tables.import_file(tmp_path / "bank.csv").status == "applied"
    text = ws.chat.ask("how much did we spend at tesco in january?").text  # the export starts in March
    assert "(its dates run from 1 March 2025 to 28 April 2025): no rows match." in text, text
    (found,) = aggregates.plans("how much did we spend at tesco in april?", ws.tables, ws.embedder.embed,
                                ws.embedder.count_tokens)
    assert "its dates run" not in found.about and ws.tables.query(found.sql)[1][0][0] == pytest.approx(40.0)


def test_which_rows_fall_in_a_period_is_a_list_of_them(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "appliance_warranties.csv").write_text(
        "appliance,bought,price,warranty_ends\nDishwasher,2022-11-26,379,2025-11-25\n"
        "Fridge freezer,2023-06-02,649,2028-06-01\nTelevision,2024-11-29,699,2025-11-28\n")
    assert ws.tables.import_file(tmp_path / "appliance_warranties.csv").status == "applied"
    text = ws.chat.ask("Which appliance warranties end in 2025?").text
    assert text.startswith("The rows of appliance_warranties where warranty ends is in 2025:"), text
    assert "Dishwasher" in text and "Television" in text and "Fridge" not in text, text


@pytest.mark.parametrize(("question", "about", "first"), [
    ("which club is the most expensive?", "The row of kids_clubs_timetable with the highest cost per term", "Ngozi"),
    ("how much do Ngozi's clubs cost a term?", "Adding up cost per term in kids_clubs_timetable where child is Ngozi",
     264),
    ("what's everything in the home inventory worth in total?", "Adding up replacement value in home_inventory", 4130),
])
def test_a_timetables_rows_are_its_clubs_a_term_is_per_term_and_worth_is_a_value(
        ws: Workspace, tmp_path: Path, question: str, about: str, first: object) -> None:
    _tables_of(ws, tmp_path, {"kids_clubs_timetable.csv": "child,club,day,cost_per_term\nNgozi,Swimming,Monday,96\n"
                                                          "Elias,Cubs,Tuesday,45\nNgozi,Piano lesson,Thursday,168\n",
                              "home_inventory.csv": "room,item,year_bought,replacement_value\nLounge,Piano,2015,2800\n"
                                                    "Kitchen,Fridge freezer,2023,649\nStudy,Laptop,2022,681\n"})
    (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed, ws.embedder.count_tokens)
    assert found.about.startswith(about), found
    assert ws.tables.query(found.sql)[1][0][0] == first


def test_the_last_one_is_the_latest_row_and_the_last_month_a_period(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "mot_history.csv").write_text("date,type,mileage,cost\n2023-09-11,MOT,39882,54.85\n"
                                              "2024-03-18,Service,44120,199\n2024-09-09,MOT,47763,54.85\n")
    assert ws.tables.import_file(tmp_path / "mot_history.csv").status == "applied"
    text = ws.chat.ask("What was the mileage at the last MOT?").text
    assert text.startswith("The row of mot_history with the latest date where type is MOT:") and "47763" in text, text
    assert aggregates.operation("how much did we spend in the last month?") == "sum"


def test_membership_fees_collected_are_what_the_members_paid(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "members_2025.csv").write_text("name,category,fee_due,date_paid,amount_paid\n"
                                               "Priya Raman,Adult,40,2025-01-03,40\n"
                                               "Gwen Lloyd,Junior,12,2025-01-07,12\n"
                                               "Tomás Ferreira,Adult,40,2025-02-01,35\nDeclan Moss,Adult,40,,\n")
    assert ws.tables.import_file(tmp_path / "members_2025.csv").status == "applied"
    (found,) = aggregates.plans("How much have we collected in membership fees so far?", ws.tables, ws.embedder.embed)
    assert found.about.startswith("Adding up amount paid in members_2025"), found
    assert ws.tables.query(found.sql)[1][0][0] == 87


LANES = {"lane_bookings.csv": "booking_id,date,lane,booked_by,guests\n"
                              "1,2024-07-01,3,Ana Ruiz,1\n2,2024-07-02,3,Ana Ruiz,0\n3,2024-07-09,1,Ben Ode,2\n"
                              "4,2024-07-15,3,Ana Ruiz,0\n5,2024-08-01,2,Ben Ode,0\n6,2024-08-02,3,Cy Park,1\n"}


def test_a_number_that_names_a_lane_is_grouped_by_never_added_up_and_how_many_counts_rows(
        ws: Workspace, tmp_path: Path) -> None:
    pool = _tables_of(ws, tmp_path, LANES)
    july = pool.chat.ask("how many lane bookings were there in july")  # was the sum of the lane numbers: 10
    assert "where date is in July: **4 rows**" in july.text, july.text
    guests = pool.chat.ask("how many guest bookings were there in july")  # bookings counted, not guests added up
    assert "**4 rows**" in guests.text and "guests" not in july.text.split("**")[0], guests.text
    who = pool.chat.ask("who books the lanes the most")
    assert "Counting the rows of lane_bookings by booked by, most first" in who.text and "| Ana Ruiz | 3 |" in who.text
    lane = pool.chat.ask("which lane gets booked the most")
    assert "Counting the rows of lane_bookings by lane, most first" in lane.text and "| 3 | 4 |" in lane.text, lane.text


OLD_BANK = {"bank_2019.csv": "date,category,amount\n2019-03-04,Utilities,80.5\n2019-11-20,Utilities,99.5\n"
                             "2019-12-02,Groceries,45\n2018-12-30,Utilities,70\n"}


def test_this_year_past_a_tables_last_date_is_counted_from_that_date_and_says_so(
        ws: Workspace, tmp_path: Path) -> None:
    bank = _tables_of(ws, tmp_path, OLD_BANK)  # its dates end in 2019, long before today
    year = bank.chat.ask("how much have we spent on utilities this year")  # was "no rows match" at 1.0
    assert "date is in 2019 (“this year” counted from its last date, 2 December 2019" in year.text, year.text
    assert "**180**, over 2 rows" in year.text
    month = bank.chat.ask("how much did we spend on utilities last month")
    assert "date is in November 2019" in month.text and "**99.50**, over 1 row" in month.text, month.text


def test_who_does_a_thing_is_answered_by_a_column_of_people_whatever_its_verb(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "sessions.csv").write_text("id,name,coach,day\nS01,Beginners,Tom Brierley,Monday\n"
                                           "S04,Cardio tennis,Becky Lund,Thursday\nS07,Match play,Ann Cole,Sunday\n")
    p = ws.tables.import_file(tmp_path / "sessions.csv")
    if p.status == "pending":
        ws.tables.approve(p.id)
    runs = ws.chat.ask("who runs cardio tennis")  # declined: no column or value matched "runs"
    assert not runs.abstained and "Becky Lund" in runs.text and "Tom Brierley" not in runs.text, runs.text


def test_where_a_thing_is_kept_and_whose_it_is_are_answered_by_columns_of_places_and_people(
        ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"garage.csv": "tool,bought,location,owner\nHedge trimmer,2021,Shed shelf 2,Dad\n"
                                            "Pressure washer,2023,Garage back wall,Priya\nTile cutter,2019,Loft,Sam\n"})
    for question, wanted, other in [("where is the pressure washer kept", "Garage back wall", "Loft"),
                                    ("what belongs to sam", "Tile cutter", "Hedge trimmer")]:
        said = ws.chat.ask(question)  # declined: no column or value matched "kept", "belongs"
        assert not said.abstained and wanted in said.text and other not in said.text, (question, said.text)


FLATS = {"meter_readings.csv": "date,flat,meter,reading\n2024-01-01,A,electric,55102\n2024-07-01,A,electric,56890\n"
                               "2024-07-01,C,electric,41210\n2024-07-01,C,gas,9120\n",
         "boiler_log.csv": "flat,date,engineer,cost\nA,2024-03-14,Gary Pike,95\nC,2023-05-02,Gary Pike,110\n"
                           "C,2024-05-03,Gary Pike,120\nB,2024-08-01,Redland,60\n",
         "expenses.csv": "date,flat,category,amount\n2024-01-18,Flat C,Repairs,165\n2024-04-02,Flat C,Repairs,300\n"
                         "2024-04-09,Flat A,Repairs,75\n2024-05-01,Flat C,Insurance,284.58\n"}


def test_a_short_value_said_after_its_columns_name_picks_the_rows(ws: Workspace, tmp_path: Path) -> None:
    flats = _tables_of(ws, tmp_path, FLATS)
    latest = flats.chat.ask("latest electric reading for flat a")  # was Flat C's: "a" alone is no value
    assert "flat is A" in latest.text and "| 56890 |" in latest.text and "41210" not in latest.text, latest.text
    total = flats.chat.ask("total cost in the boiler log for flat C")  # was all 4 rows, 385
    assert "where flat is C: **230**, over 2 rows" in total.text, total.text


def test_spend_as_a_noun_adds_up_and_a_phone_number_of_someone_is_no_count(ws: Workspace, tmp_path: Path) -> None:
    flats = _tables_of(ws, tmp_path, FLATS)
    spend = flats.chat.ask("repairs spend on flat c")  # was declined: no operation word
    assert "where flat is Flat C and category is Repairs: **465**, over 2 rows" in spend.text, spend.text
    assert aggregates.operation("phone number of Jakub Nowak") is None  # was a count: "1 row"
    assert aggregates.operation("what is the number of bookings in july") == "count"
    assert aggregates.operation("number of bookings in july") == "count"
    assert aggregates.operation("how much did we spend on repairs") == "sum"


LETTINGS = {"tenants.csv": "name,flat,move_in,rent_pcm\nDaniel Okafor,A,2021-09-01,1225\n"
                           "Jakub Nowak,B,2024-05-15,1025\n",
            "rent_ledger_2024.csv": "date,flat,tenant,amount\n2024-01-01,Flat A,Daniel Okafor,1150\n"
                                    "2024-02-01,Flat A,Daniel Okafor,1150\n2024-06-01,Flat B,Jakub Nowak,1025\n"}
OLD_LEDGER = "date,flat,tenant,amount\n2022-01-03,Flat B,Sophie Brennan,925\n2022-02-03,Flat B,Sophie Brennan,925\n"


def test_rent_received_is_the_ledgers_not_a_monthly_rate_counted_by_move_in_date(ws: Workspace, tmp_path: Path) -> None:
    lets = _tables_of(ws, tmp_path, LETTINGS)
    total = lets.chat.ask("total rent received in 2024")  # was rent_pcm of tenants where move_in is in 2024: 1,025
    assert "amount in rent_ledger_2024 where date is in 2024: **3,325**, over 3 rows" in total.text, total.text


def test_a_table_of_old_files_is_left_out_when_a_current_one_answers_and_says_so(ws: Workspace, tmp_path: Path) -> None:
    lets = _tables_of(ws, tmp_path, LETTINGS)
    (tmp_path / "Old").mkdir()
    (tmp_path / "Old" / "rent ledger 2022.csv").write_text(OLD_LEDGER)
    proposal = lets.tables.import_file(tmp_path / "Old" / "rent ledger 2022.csv")
    assert (proposal.table, proposal.status) == ("rent_ledger_2022", "applied")  # its own table, not 2024's rows
    by_flat = lets.chat.ask("total rent ledger amount by flat")  # was both ledgers, the 2022 one first
    assert "rent_ledger_2024 by flat" in by_flat.text and "| Flat B | 1025" in by_flat.text, by_flat.text
    assert "*Left out rent_ledger_2022: its file is in a folder of old files.*" in by_flat.text
    old = lets.chat.ask("how much rent did flat b pay in 2022")  # only the old ledger holds 2022
    assert "rent_ledger_2022 where flat is Flat B and date is in 2022: **1,850**" in old.text, old.text
    year = lets.chat.ask("how much rent came in from flat b this year")  # one "this year": the newest table's
    assert "rent_ledger_2024 where flat is Flat B and date is in 2024" in year.text, year.text
    assert "2022" not in year.text


def test_a_column_named_with_its_unit_is_said_without_it(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "sonde.csv").write_text("timestamp,site,water_temp_c,do_mg_l,turbidity_ntu\n"
                                        "2026-01-10 00:00,DON-03,5.1,11.2,20.5\n"
                                        "2026-01-12 04:00,DON-03,4.9,10.4,212.4\n"
                                        "2026-01-13 08:00,DON-03,6.3,10.9,35.0\n")
    (tmp_path / "samples.csv").write_text("sample_id,analyte,concentration,operator\n"
                                          "S1,PFOS,3.2,T. Hargreaves\nS2,PFOA,1.1,T. Hargreaves\n"
                                          "S3,PFOS,2.0,Tom Reilly\n")
    for name in ("sonde.csv", "samples.csv"):
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    for question, column in [("when was turbidity highest", "turbidity_ntu"), ("max turbidity", "turbidity_ntu"),
                             ("lowest dissolved oxygen the sonde recorded", "do_mg_l"),
                             ("average water temp", "water_temp_c")]:
        (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)
        assert f'"{column}"' in found.sql, (question, found.sql)
    highest = ws.chat.ask("when was turbidity highest")
    assert "2026-01-12 04:00" in highest.text and "212.4" in highest.text, highest.text
    (tom,) = aggregates.plans("how many samples did tom hargreaves do", ws.tables, ws.embedder.embed)
    assert ws.tables.query(tom.sql)[1] == [(2,)]  # written "T. Hargreaves"; Tom Reilly is someone else


def test_a_value_of_a_long_table_names_what_its_number_measures(ws: Workspace, tmp_path: Path) -> None:
    # one row for each test of each visit: "cholesterol" is a value of test, and result its number
    (tmp_path / "blood.csv").write_text("visit_id,date,test,result,unit\n"
                                        "V1,2025-03-02,cholesterol,5.9,mmol/L\nV1,2025-03-02,glucose,5.1,mmol/L\n"
                                        "V1,2025-03-02,ferritin,40,ug/L\nV2,2025-09-14,cholesterol,5.2,mmol/L\n"
                                        "V2,2025-09-14,glucose,5.6,mmol/L\nV2,2025-09-14,ferritin,55,ug/L\n"
                                        "V3,2026-02-20,cholesterol,4.8,mmol/L\nV3,2026-02-20,glucose,5.3,mmol/L\n")
    # one row for each purchase: "tesco" picks rows, it does not say what amount measures
    (tmp_path / "shopping.csv").write_text("date,shop,item,amount\n2026-01-03,Tesco,bread,1.2\n"
                                           "2026-01-04,Aldi,milk,0.9\n2026-01-05,Tesco,eggs,2.4\n")
    for name in ("blood.csv", "shopping.csv"):
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    for question, expected in [("average glucose", [(5.33, 3)]), ("highest cholesterol we've had", 5.9),
                               ("latest ferritin result", 55)]:
        (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)
        rows = ws.tables.query(found.sql)[1]
        assert rows == expected if isinstance(expected, list) else expected in rows[0], (question, found.sql, rows)
    assert aggregates.plans("highest tesco", ws.tables, ws.embedder.embed) == []
    # three rows share each visit_id: counting its rows would not count the visits
    assert aggregates.plans("how many visits were there", ws.tables, ws.embedder.embed) == []


def test_results_and_readings_are_a_tables_rows(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"water.csv": "date,tap,lead_ug_l,flag\n2026-01-05,kitchen,2.1,\n"
                                           "2026-01-05,bathroom,11.8,over limit\n2026-02-05,kitchen,1.9,\n"})
    over = ws.chat.ask("which results were over limit")  # declined: no column or value matched "results"
    assert not over.abstained and "11.8" in over.text and "2.1" not in over.text, over.text


MOVE = {"packing.csv": "box_no,room,contents,fragile,weight_kg\n1,kitchen,plates,yes,14.5\n2,kitchen,pans,no,11.0\n"
                      "3,study,books,no,19.5\n4,lounge,lamps,yes,6.0\n",
        "flat_viewings_may_2026.csv": "address,rent_eur,size_m2,lift\n4 rue Neuve,1400,78,yes\n9 quai Sud,1650,96,no\n"
                                      "2 place Haute,1500,88,yes\n",
        "school_options.csv": "school,for_child,distance_km\nÉcole Dru,Oscar,0.4\nCollège Rosset,Ella,0.9\n"}


def test_a_tables_rows_are_called_by_its_first_name_word_and_its_key_columns_noun(ws: Workspace,
                                                                                 tmp_path: Path) -> None:
    moved = _tables_of(ws, tmp_path, MOVE)
    for question, wanted, rows in [("which is the heaviest box", [3, 19.5], 1),  # box_no: each row is a box
                                   ("how heavy are the kitchen boxes altogether", [25.5], 1),  # heavy: weight_kg
                                   ("how many boxes are fragile", [2], 1),
                                   ("which flat was the biggest", ["9 quai Sud"], 1),  # flat_viewings_may_2026
                                   ("which flats had a lift", ["4 rue Neuve", "2 place Haute"], 2),
                                   ("which school is nearest", ["École Dru"], 1)]:
        (found,) = aggregates.plans(question, moved.tables, moved.embedder.embed)  # each found no table before
        got = moved.tables.query(found.sql)[1]
        assert len(got) == rows and all(any(w in row for row in got) for w in wanted), (question, found.sql, got)


def test_rows_with_no_date_do_not_answer_when(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"budget.csv": "category,item,amount_gbp\npets,Biscuit travel crate and vet,180\n"
                                            "house,removals,3650\n"})
    travel = ws.chat.ask("when can biscuit travel")  # was the budget's row, at 0.9: it holds no date
    assert "budget" not in travel.text or travel.abstained, travel.text
    cost = ws.chat.ask("how much is biscuit's travel crate and vet")
    assert not cost.abstained and "180" in cost.text, cost.text


def test_the_row_a_document_was_filed_as_does_not_answer_for_it(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Pepper - pet travel.txt").write_text(
        "Pepper (dog, 4 years, male, collie) - travel to Spain\n\nMicrochip: 941000024567812 (checked at the vet "
        "05/03/2026, reads fine)\nRabies vaccination: 05/03/2026 at Hillside Vets, Dr Ana Ruiz. Must wait 21 days "
        "after the jab before travel (so OK from 26/03/2026).\nAnimal Health Certificate (AHC): must be issued "
        "within 10 days before we enter Spain -> book for 02/07/2026.\nTapeworm treatment needed 1-5 days before "
        "arrival.\nFerry: Portsmouth to Bilbao, pet cabin booked.\n", encoding="utf-8")
    ws.ingest([tmp_path])
    for p in ws.tables.proposals():
        if p.status == "pending":
            ws.tables.approve(p.id)
    answer = ws.chat.ask("when can Pepper travel")  # was the notes row of the file: its title and date, at 0.9
    assert "From table **notes**" not in answer.text.split("Related rows")[0], answer.text


def test_a_table_is_called_by_its_folder_with_a_word_of_its_name_and_a_budget_is_money(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Removals").mkdir()
    (tmp_path / "Removals" / "quote Q-881 line items.csv").write_text(
        "item,amount_gbp\npacking,650\ntransport,2900\ninsurance,240\n")
    (tmp_path / "moving budget.csv").write_text("category,item,amount_gbp,amount_eur\nhouse,removals,3790,4430\n"
                                                "travel,ferry and fuel,410,480\n")
    for path in (tmp_path / "Removals" / "quote Q-881 line items.csv", tmp_path / "moving budget.csv"):
        assert ws.tables.import_file(path).status == "applied"
    (quote,) = aggregates.plans("whats the total of the removals quote", ws.tables, ws.embedder.embed)
    assert ws.tables.query(quote.sql)[1] == [(3790, 3)], quote.sql  # "removals" is its folder's name
    (budget,) = aggregates.plans("whats the total moving budget", ws.tables, ws.embedder.embed)
    assert ws.tables.query(budget.sql)[1] == [(4200, 4910, 2)], budget.sql  # each currency's column


def test_a_meters_readings_are_not_added_up(ws: Workspace, tmp_path: Path) -> None:
    readings = _tables_of(ws, tmp_path, {"readings.csv": "date,flat,meter,reading\n2024-01-01,A,gas,4410.2\n"
                                         "2024-01-01,A,electric,55102\n2024-07-01,A,gas,4699.8\n"
                                         "2024-07-01,A,electric,56890\n"})
    # one row for each meter of each day (a table in long form), but a reading runs on: its rise was used
    assert aggregates.plans("how much gas did flat a use in 2024", readings.tables, readings.embedder.embed) == []
    (latest,) = aggregates.plans("latest gas reading", readings.tables, readings.embedder.embed)
    assert 4699.8 in readings.tables.query(latest.sql)[1][0], latest.sql


def test_a_word_a_table_writes_as_a_name_finds_its_row_typed_in_lower_case(ws: Workspace, tmp_path: Path) -> None:
    boxes = _tables_of(ws, tmp_path, {"boxes.csv": "box_no,room,contents\n14,study,files and paperwork\n"
                                      "16,Ella's room,Lego and craft box\n17,kitchen,pans and trays\n"})
    answer = boxes.chat.ask("which box is the lego in")  # declined: "lego" was no name, and no cell is "lego"
    assert not answer.abstained and "| 16 |" in answer.text and "| 14 |" not in answer.text, answer.text


def test_rows_that_mention_a_name_do_not_answer_how_many(ws: Workspace, tmp_path: Path) -> None:
    guests = _tables_of(ws, tmp_path, {"guests.csv": "name,side,relationship,table_no\nFiona Grant,bride,Anna's "
                                       "colleague,6\nTom Hill,groom,Ben's uncle,2\nSue Park,bride,cousin,3\n"})
    answer = guests.chat.ask("how many guests are on annas side")  # was every row, at 0.9: no count
    assert "Fiona Grant" not in answer.text.split("Related rows")[0], answer.text


DRESSES = """bridesmaid,role,price_gbp
Emily Reid,maid of honour,119
Sarah Patel,bridesmaid,119
Chloe Okoro,bridesmaid,119
Grace Lin,bridesmaid,119
"""


def test_a_table_named_by_its_words_in_a_row_is_not_kept_to_rows_of_a_value_that_is_one_of_them(
        ws: Workspace, tmp_path: Path) -> None:
    # "bridesmaid dresses" names bridesmaid_dresses; its role "bridesmaid" would leave the maid of honour out
    text = _asked(ws, tmp_path / "bridesmaid_dresses.csv", DRESSES, "how much did the bridesmaid dresses cost in total")
    assert "Adding up price gbp in bridesmaid_dresses, in GBP: **476**, over 4 rows." in text, text
    assert "**357**" in ws.chat.ask("how much did the dresses of the bridesmaid role cost in total").text


GUESTS = """name,side,rsvp,plus_one
Margaret Reid,bride,yes,no
Olivia Hughes,bride,yes,yes
Comfort Okoro,groom,no,no
Tunde Bakare,groom,,no
Jess Thornton,bride,,yes
"""


@pytest.mark.parametrize(("question", "sentence", "names"), [
    ("how many people have said yes", "Counting the rows of guest_list where rsvp is yes: **2 rows**.", []),
    ("who hasnt replied yet", "The rows of guest_list where rsvp is empty:", ["Tunde Bakare", "Jess Thornton"]),
    ("which guests can't come", "The rows of guest_list where rsvp is no:", ["Comfort Okoro"]),
    ("whos bringing a plus one", "The rows of guest_list where plus one is yes:", ["Olivia Hughes", "Jess Thornton"]),
])
def test_a_reply_column_is_read_as_yes_no_or_no_reply_yet(ws: Workspace, tmp_path: Path, question: str,
                                                          sentence: str, names: list[str]) -> None:
    text = _asked(ws, tmp_path / "guest_list.csv", GUESTS, question)
    assert sentence in text, text
    listed = [n for n in ("Margaret Reid", "Olivia Hughes", "Comfort Okoro", "Tunde Bakare", "Jess Thornton")
              if n in text]
    assert listed == names or not names


READINGS = """date,measure,value,unit
2026-09-04,blood sugar,9.6,mmol/L
2026-09-04,weight,74.6,kg
2026-10-27,blood sugar,13.2,mmol/L
2026-10-27,weight,74.1,kg
2026-11-02,blood sugar,8.1,mmol/L
"""


@pytest.mark.parametrize(("question", "sentence"), [
    ("whats the highest his sugar has been", "13.2"),
    ("how many sugar readings were over 10", "where measure is blood sugar and value is over 10: **1 row**"),
])
def test_the_last_word_of_one_category_value_names_it(ws: Workspace, tmp_path: Path, question: str,
                                                      sentence: str) -> None:
    text = _asked(ws, tmp_path / "weight_and_sugar.csv", READINGS, question)
    assert sentence in text and "74.6" not in text, text


VISITS = """date,carer,arrived,left
2026-10-01,Helen B,08:00,08:40
2026-10-02,Helen M,08:20,09:05
2026-10-03,Helen B,08:05,08:45
"""
PRESSURE = """date,systolic,diastolic,taken_by
2026-10-01,142,88,Helen B
2026-10-05,138,84,Priya
"""


def test_of_two_tables_that_could_count_the_one_the_question_calls_by_its_rows_noun_answers(
        ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "blood_pressure.csv").write_text(PRESSURE)
    assert ws.tables.import_file(tmp_path / "blood_pressure.csv").status == "applied"
    text = _asked(ws, tmp_path / "visit_log.csv", VISITS, "how many visits did helen b do in october")
    assert "Counting the rows of visit_log where carer is Helen B and date is in October: **2 rows**." in text, text
    assert "blood_pressure" not in text


def test_the_rows_of_an_old_files_table_give_way_to_its_newer_version(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "Old").mkdir()
    (tmp_path / "medications.csv").write_text("drug,dose,when,prescriber,stopped\n"
                                              "Amlodipine,10mg,morning,Dr Iyer,\nMetformin,500mg,evening,Dr Iyer,\n")
    (tmp_path / "Old" / "meds list march.csv").write_text("drug,dose,when,notes\nAmlodipine,5mg,morning,BP\n")
    meds = ws
    for path in (tmp_path / "medications.csv", tmp_path / "Old" / "meds list march.csv"):
        proposal = meds.tables.import_file(path)
        if proposal.status != "applied":
            meds.tables.approve(proposal.id)
    answer = meds.chat.ask("what dose of amlodipine is he on")
    assert "10mg" in answer.text and "5mg" not in answer.text, answer.text
    only_old = meds.chat.ask("what were the notes for amlodipine in the march list")  # only the old one has notes
    assert "BP" in only_old.text, only_old.text


def test_not_typed_without_its_apostrophe_still_says_no_of_a_yes_no_column(ws: Workspace, tmp_path: Path) -> None:
    rooms = "room,guests,nights,booked\n1,Margaret Reid,2,yes\n7,Olivia Hughes,1,no\n"
    text = _asked(ws, tmp_path / "hotel_block.csv", rooms, "who still hasnt booked their hotel room")
    assert "where booked is no" in text and "Olivia Hughes" in text and "Margaret Reid" not in text, text


def test_a_word_said_as_one_value_does_not_also_name_another_it_ends(ws: Workspace, tmp_path: Path) -> None:
    prices = ("category,supplier,item,price_gbp\nflowers,Wild Meadow Flowers,bouquet,165\n"
              "flowers,Bloomsbury Blooms,bouquet,150\ncake,Sugar Loaf,cake,455\n")
    (tmp_path / "price_comparison.csv").write_text(prices)
    assert ws.tables.import_file(tmp_path / "price_comparison.csv").status == "applied"
    for question in ("whats the total for the flowers", "total price of the flowers"):
        assert all("supplier" not in p.sql for p in aggregates.plans(question, ws.tables, ws.embedder.embed))


def test_the_last_word_of_a_category_names_it_not_when_it_names_another_table(ws: Workspace, tmp_path: Path) -> None:
    expenses = "date,category,amount\n2024-03-01,Ground rent,250\n2024-04-02,Repairs,180\n2024-05-02,Insurance,320\n"
    ledger = "date,flat,amount\n2024-01-01,Flat A,1150\n2024-02-01,Flat A,1150\n"
    for name, body in (("expenses_2024.csv", expenses), ("rent_ledger_2024.csv", ledger)):
        (tmp_path / name).write_text(body)
        assert ws.tables.import_file(tmp_path / name).status == "applied"
    (found,) = aggregates.plans("total rent received in 2024", ws.tables, ws.embedder.embed)
    assert found.table == "rent_ledger_2024"  # not also expenses where category is Ground rent


def test_not_before_a_yes_no_columns_words_keeps_its_no_and_names_its_table(ws: Workspace, tmp_path: Path) -> None:
    pupils = ("pupil,form,deposit_10_paid,consent_form_back\nJasmine Begum,10C,yes,yes\nMaya Desai,10C,no,no\n"
              "Freya Hunt,10A,,yes\n")
    (tmp_path / "trip_pupils.csv").write_text(pupils)
    assert ws.tables.import_file(tmp_path / "trip_pupils.csv").status == "applied"
    for question in ("which pupils have not paid the deposit", "who hasnt paid their deposit yet"):
        (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)  # were the payers, or nothing
        assert ws.tables.query(found.sql)[1] == [("Maya Desai", "10C", False, False), ("Freya Hunt", "10A", None, True)]
    (back,) = aggregates.plans("who has not got their consent form back", ws.tables, ws.embedder.embed)
    assert [r[0] for r in ws.tables.query(back.sql)[1]] == ["Maya Desai"]  # its no, not its blanks


@pytest.fixture
def classes(ws: Workspace, tmp_path: Path) -> Workspace:
    """Tables named by class codes as a school writes them: "10X2 gradebook", "11X1 mocks", "10C class list"."""
    files = {
        "10X2 gradebook.csv": "student,form,atomic_test_40,rp1_write_up_20\nAmira Haddad,10C,40,18\n"
                              "Maya Desai,10C,31,12\nLuca Fletcher,10A,22,absent\nNoah Fitz,10B,35,16 (late)\n",
        "11X1 mocks.csv": "cand_no,name,paper_1_100,paper_2_100,grade\n4101,Callum Barker,58,39,5\n"
                          "4102,Arthur Begum,65,78,8\n4103,Megan Hunt,71,ABS,7\n4104,Kacper Collins,90,88,9\n",
        "10C class list.csv": "surname,first_name,dob\nBegum,Jasmine,2011-01-07\nBrooks,Ella,2010-10-28\n"
                              "Haddad,Amira,2011-03-02\nDesai,Maya,2010-12-12\nHunt,Ella,2011-05-05\n",
        "attendance 10C.csv": "pupil,week_beginning,sessions_present,late_marks\nMaya Desai,2026-09-07,8,2\n"
                              "Maya Desai,2026-09-14,9,3\nAmira Haddad,2026-09-07,10,0\n",
        "trip pupils.csv": "pupil,form,deposit_paid\nMaya Desai,10C,yes\nLuca Fletcher,10A,no\nAmira Haddad,10C,yes\n",
    }
    for name, body in files.items():
        (tmp_path / name).write_text(body)
        assert ws.tables.import_file(tmp_path / name).status == "applied", name
    return ws


@pytest.mark.parametrize(("question", "table", "first"), [
    ("how many students are in 10x2", "t_10_x2_gradebook", 4),   # the code written whole, the rows its students
    ("how many pupils in 10c", "t_10_c_class_list", 5),  # the class list, not 10C's rows of the trip's pupils
    ("average paper 1 in the y11 mocks", "t_11_x1_mocks", 71.0),  # "paper 1" names paper_1_100; y11 its year
    ("how many got grade 7 or above in the 11x1 mocks", "t_11_x1_mocks", 3),  # "7 or above" is at least 7
    ("how many late marks has maya had", "attendance_10_c", 5),  # "maya" typed in lower case
])
def test_a_class_code_names_its_table_and_a_number_in_a_columns_name_names_the_column(
        classes: Workspace, question: str, table: str, first: object) -> None:
    (found,) = aggregates.plans(question, classes.tables, classes.embedder.embed)  # none were planned
    assert found.table == table and classes.tables.query(found.sql)[1][0][0] == first, found.sql


def test_top_marks_is_the_highest_of_the_test_named_and_a_mark_kept_as_text_is_read_as_its_number(
        classes: Workspace) -> None:
    (top,) = aggregates.plans("who got top marks in the atomic test", classes.tables, classes.embedder.embed)
    assert classes.tables.query(top.sql)[1][0][0] == "Amira Haddad", top.sql  # was a list of nothing
    (paper,) = aggregates.plans("highest paper 2 mark in 11x1", classes.tables, classes.embedder.embed)
    assert classes.tables.query(paper.sql)[1][0][1] == "Kacper Collins", paper.sql  # ABS left out, not paper 1


def test_not_done_or_not_handed_in_keeps_the_rows_whose_cell_is_blank(ws: Workspace, tmp_path: Path) -> None:
    marks = ("name,particles_quiz_20,acids_homework_10,effort_1_4\nDixon Leo,20,,4\nGray Layla,18,7,4\n"
             "Marsh Sophie,12,,2\nNowak Jack,20,9,3\n")
    (tmp_path / "9Y3 chem marks.csv").write_text(marks)
    assert ws.tables.import_file(tmp_path / "9Y3 chem marks.csv").status == "applied"
    for question in ("who in 9y3 hasnt done the acids homework", "who has not handed in the acids homework"):
        (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)  # was every row, or none
        assert [r[0] for r in ws.tables.query(found.sql)[1]] == ["Dixon Leo", "Marsh Sophie"], found.sql
    (effort,) = aggregates.plans("which 9y3 students got effort 4", ws.tables, ws.embedder.embed)  # no list before
    assert [r[0] for r in ws.tables.query(effort.sql)[1]] == ["Dixon Leo", "Gray Layla"], effort.sql


@pytest.mark.parametrize(("question", "count"), [
    ("how many paid the deposit", 2),  # counted its yeses, not "deposits" of another column
    ("how many have not paid the deposit", 2),  # "not" is no word of medical_notes
    ("how many have paid the balance in full", 1),
    ("how many havent got their consent form back", 1),  # its no: not "form" blank
])
def test_how_many_with_a_yes_no_column_named_counts_its_yes_or_its_no(ws: Workspace, tmp_path: Path, question: str,
                                                                      count: int) -> None:
    pupils = ("pupil,form,deposit_10_paid,balance_32_paid,consent_form_back,medical_notes\n"
              "Jasmine Begum,10C,yes,yes,yes,\nMaya Desai,10C,no,no,no,asthma\nFreya Hunt,10A,,no,yes,\n"
              "Amira Haddad,10A,yes,no,yes,nut allergy\n")
    (tmp_path / "trip_pupils.csv").write_text(pupils)
    assert ws.tables.import_file(tmp_path / "trip_pupils.csv").status == "applied"
    (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)  # none were planned
    assert ws.tables.query(found.sql)[1] == [(count,)], found.sql


def test_health_and_needs_columns_and_a_persons_other_tables_stay_out_of_an_answer_not_about_them(
        ws: Workspace, tmp_path: Path) -> None:
    school = _tables_of(ws, tmp_path, {
        "gradebook.csv": "student,rp1_write_up_20,bonding_test_50\nNoah Fitzgerald,16 (late),36\nAmira Haddad,18,44\n",
        "merits.csv": "date,pupil,type,points\n2026-10-06,Noah Fitzgerald,detention,-1\n"})
    _approved(school, tmp_path / "class_list.csv", "pupil,form,sen_eal,medical_allergies\nNoah Fitzgerald,10C,dyslexia,"
              "\nAmira Haddad,10C,,severe nut allergy\n")
    looked = school.chat.ask("what did noah get for his practical write up")
    assert "16 (late)" in looked.text and "dyslexia" not in looked.text, looked.text  # was his SEN row
    assert "detention" not in looked.text, looked.text  # and his detentions: the gradebook's row answers
    declined = school.chat.ask("what did Amira Haddad's dad ask me about the trip")
    assert "nut allergy" not in declined.text, declined.text  # rows shown beside a decline: no medical cells
    asked = school.chat.ask("what allergies does Amira Haddad have")
    assert "severe nut allergy" in asked.text, asked.text  # asked of them: shown


def test_who_did_the_most_of_a_measure_kept_as_text_adds_it_up_and_a_y_n_column_is_named_by_its_words(
        ws: Workspace, tmp_path: Path) -> None:
    cafe = _tables_of(ws, tmp_path, {
        "timesheets.csv": "date,staff,hours\n2026-11-03,Sophie T,8\n2026-11-03,Dan,8\n2026-11-04,Dan,8\n"
                          "2026-11-05,Dan,sick\n2026-11-04,Priya,6\n2026-11-05,Priya,6\n2026-11-06,Priya,6\n",
        "staff.csv": "name,role,first_aider_y_n\nSophie Turner,Supervisor,Y\nDan Okafor,Baker,Y\n"
                     "Priya Shah,Barista,N\n"})
    (most,) = aggregates.plans("who did the most hours", cafe.tables, cafe.embedder.embed)  # none: "sick" made it text
    assert cafe.tables.query(most.sql)[1][0][:2] == ("Priya", 18.0), most.sql  # hours added up, not rows counted
    (aiders,) = aggregates.plans("who are our first aiders", cafe.tables, cafe.embedder.embed)  # "y n" was unsaid
    assert [r[0] for r in cafe.tables.query(aiders.sql)[1]] == ["Sophie Turner", "Dan Okafor"], aiders.sql


def test_a_code_names_a_table_but_not_what_it_adds_up_and_a_row_shown_leaves_out_health_notes(
        ws: Workspace, tmp_path: Path) -> None:
    form = _tables_of(ws, tmp_path, {
        "10C merits.csv": "date,pupil,type,points,reason\n2026-10-06,Amira Haddad,merit,1,helped with bake sale\n"
                          "2026-10-08,Noah Fitz,merit,2,improved write-up\n"})
    _approved(form, tmp_path / "10C class list.csv", "surname,first_name,dob,medical_allergies\nHaddad,Amira,"
              "2011-03-02,severe nut allergy\nDesai,Maya,2011-08-29,asthma\n")
    # "10c" names the merits table, which says nothing of money: not its points added up
    assert aggregates.plans("how much did 10c make at the bake sale", form.tables, form.embedder.embed) == []
    (youngest,) = aggregates.plans("who is the youngest in 10c", form.tables, form.embedder.embed)
    youngest_row = form.tables.query(youngest.sql)[1]
    assert youngest_row == [("Desai", "Maya", datetime.date(2011, 8, 29))], youngest.sql  # no asthma


def test_an_average_by_a_column_is_each_groups_average_of_the_marks_it_has(ws: Workspace, tmp_path: Path) -> None:
    marks = _approved(ws, tmp_path / "10X2 gradebook.csv", "student,form,end_of_unit_test_60\nAmira Haddad,10C,52\n"
                      "Maya Desai,10C,absent\nLuca Fletcher,10A,30\nNoah Fitz,10A,36\nElla Hunt,10C,44\n")
    (found,) = aggregates.plans("average end of unit test mark by form in 10x2", marks.tables, marks.embedder.embed)
    assert marks.tables.query(found.sql)[1] == [("10C", 48.0, 2), ("10A", 33.0, 2)], found.sql  # was one average


def test_how_many_of_the_rows_own_things_have_a_yes_no_column_counts_its_yes_and_its_name_counted_is_no_row(
        ws: Workspace, tmp_path: Path) -> None:
    grid = _tables_of(ws, tmp_path, {"allergen_matrix.csv": "menu_item,gluten,eggs,milk\nVictoria sponge,yes,yes,yes\n"
                                     "Carrot cake,yes,yes,no\nLeek soup,no,no,yes\nGranola pot,yes,no,no\n"})
    (items,) = aggregates.plans("how many menu items have eggs", grid.tables, grid.embedder.embed)  # none before
    assert grid.tables.query(items.sql)[1] == [(2,)], items.sql
    # not how many eggs: the rows whose eggs is yes (1, at confidence 1.0) answered it
    assert aggregates.plans("how many eggs go in the victoria sponge", grid.tables, grid.embedder.embed) == []


def test_money_taken_of_parts_and_their_total_is_the_total_unless_a_part_is_said(ws: Workspace, tmp_path: Path) -> None:
    takings = _approved(ws, tmp_path / "daily takings.csv", "date,day,card,cash,total\n2026-10-01,Thu,400.00,100.50,"
                        "500.50\n2026-10-02,Fri,600.00,closed,600.00\n2026-10-03,Sat,700.00,50.00,750.00\n"
                        "2026-11-02,Mon,300.00,20.00,320.00\n")
    for question, column, total in (("what did we take in october", "total", 1850.5),  # was cash, 150.50
                                     ("how much cash did we take in oct", "cash", 150.5)):
        (found,) = aggregates.plans(question, takings.tables, takings.embedder.embed)
        assert f'sum("{column}")' in found.sql and takings.tables.query(found.sql)[1][0][0] == total, found.sql


def test_the_best_or_worst_day_for_money_is_the_row_of_the_highest_or_lowest_total(ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    y = datetime.date.today().year  # "this year" counts from today
    takings = _approved(ws, tmp_path / "daily takings.csv", f"date,card,cash,total\n{y}-01-01,400.00,100.50,500.50\n"
                        f"{y}-01-02,600.00,closed,600.00\n{y}-01-31,1900.00,213.55,2113.55\n{y - 1}-11-02,300.00,"
                        "20.00,320.00\n")
    for question, day in (("whats been our best day for takings", f"{y}-01-31"),  # no answer before
                          ("whats our worst day for takings this yr", f"{y}-01-01")):  # "this yr" is this year
        (found,) = aggregates.plans(question, takings.tables, takings.embedder.embed)
        assert str(takings.tables.query(found.sql)[1][0][0]) == day, found.sql


def test_last_week_is_monday_to_sunday_before_this_one_and_a_weekday_keeps_its_days(ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday(), weeks=1)  # last week's
    days = [monday + datetime.timedelta(days=n) for n in range(-1, 8)]  # a Sunday before it to a Monday after
    body = "date,covers,total\n" + "".join(f"{d},{10 + i},{100 * (i + 1)}\n" for i, d in enumerate(days))
    takings = _approved(ws, tmp_path / "daily takings.csv", body)
    (week,) = aggregates.plans("how many covers did we do last week", takings.tables, takings.embedder.embed)
    assert takings.tables.query(week.sql)[1][0][0] == sum(range(11, 18)), week.sql  # its seven days: "week" unsaid
    saturday = days[6]  # Saturday of last week
    (sat,) = aggregates.plans(f"average takings on a saturday in {saturday:%B %Y}".lower(), takings.tables,
                              takings.embedder.embed)
    assert takings.tables.query(sat.sql)[1][0][0] == 700.0, sat.sql  # only Saturdays


def test_a_word_for_a_yes_no_columns_no_keeps_its_rows(ws: Workspace, tmp_path: Path) -> None:
    log = _tables_of(ws, tmp_path, {
        "maintenance log.csv": "date,equipment,work_issue,fixed\n2026-01-14,Espresso machine,descale,yes\n"
                               "2026-10-27,Espresso machine,steam wand leaking,no\n2026-11-05,Chest freezer,"
                               "thermostat,yes\n2026-11-17,Dishwasher,not draining,\n",
        "bookings.csv": "date,customer,confirmed\n2026-12-12,Parish Council,yes\n2026-12-19,Rotary Club,no\n"})
    for question in ("whats still broken", "which equipment is still broken"):  # declined: "broken" said nothing
        (found,) = aggregates.plans(question, log.tables, log.embedder.embed)
        assert [r[2] for r in log.tables.query(found.sql)[1]] == ["steam wand leaking", "not draining"], found.sql
    (unconfirmed,) = aggregates.plans("which bookings are unconfirmed", log.tables, log.embedder.embed)
    assert [r[1] for r in log.tables.query(unconfirmed.sql)[1]] == ["Rotary Club"], unconfirmed.sql


def test_how_many_days_of_a_dated_table_counts_its_rows_with_a_word_kept_in_a_number_column(
        ws: Workspace, tmp_path: Path) -> None:
    sheets = _approved(ws, tmp_path / "timesheets nov 2026.csv", "date,staff,hours\n2026-11-03,Tom,8\n2026-11-04,Tom,"
                       "sick\n2026-11-05,Tom,sick\n2026-11-06,Tom,8\n2026-11-04,Priya,6\n2026-11-05,Priya,hol\n"
                       "2026-10-30,Tom,sick\n")
    (found,) = aggregates.plans("how many days was tom off sick in nov", sheets.tables, sheets.embedder.embed)
    assert sheets.tables.query(found.sql)[1] == [(2,)], found.sql  # declined: "days" and "off" were unsaid



def test_a_table_kept_for_health_shows_its_health_columns_when_it_answers(ws: Workspace, tmp_path: Path) -> None:
    health = _approved(ws, tmp_path / "dad health.csv", "date,conditions,notes\n2026-10-01,AF; type 2 diabetes,"
                       "seen by GP\n2026-11-01,AF,review\n")
    (latest,) = aggregates.plans("what was the latest entry in dad health", health.tables, health.embedder.embed)
    assert health.tables.query(latest.sql)[1] == [(datetime.date(2026, 11, 1), "AF", "review")], latest.sql


def test_this_week_past_every_tables_dates_is_no_query(ws: Workspace, tmp_path: Path) -> None:
    old = datetime.date.today() - datetime.timedelta(weeks=3)
    sheets = _approved(ws, tmp_path / "timesheets.csv", f"date,staff,hours\n{old},Dan,8\n{old},Priya,6\n")
    # was "no rows match" at confidence 1.0: the week lies past the timesheets' last date
    assert aggregates.plans("how many hours is dan on this week", sheets.tables, sheets.embedder.embed) == []
    (last,) = aggregates.plans(f"how many hours did dan work in {old:%B %Y}".lower(), sheets.tables,
                               sheets.embedder.embed)
    assert sheets.tables.query(last.sql)[1][0][0] == 8, last.sql  # a period its dates hold still adds up


WEEK_ROTA = ("name,mon,tue,wed,thu,fri,sat,sun,hours\nSophie Turner,off,8-16,8-16,off,8-16,8-16,9-15,38\n"
        "Dan Okafor,6-14,6-14,off,6-14,6-14,off,off,40\nPriya Shah,off,10-16,off,,9-17,8-16,9-17,29\n")


def test_a_rotas_column_of_the_day_said_keeps_who_works_or_is_off_then(ws: Workspace, tmp_path: Path) -> None:
    monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
    # no date column: its name says the week
    rota = _approved(ws, tmp_path / f"rota w c {monday:%d %b %Y}.csv", WEEK_ROTA)
    rota = _approved(rota, tmp_path / "daily takings.csv", f"date,day,total\n{monday},Mon,500\n"
                     f"{monday + datetime.timedelta(days=5)},Sat,900\n")
    for question, names in (("whos working sat", ["Sophie Turner", "Priya Shah"]),
                            ("who's off on wednesday", ["Dan Okafor", "Priya Shah"]),
                            ("who isn't working on tues", []),
                            ("whos on thursday", ["Dan Okafor"])):  # a blank cell is no shift
        (found,) = aggregates.plans(question, rota.tables, rota.embedder.embed)  # not the takings of Saturdays
        assert [r[0] for r in rota.tables.query(found.sql)[1]] == names, (question, found.sql)
    (working,) = aggregates.plans("how many people are working on friday", rota.tables, rota.embedder.embed)
    assert rota.tables.query(working.sql)[1] == [(3,)], working.sql
    # was declined: the rota has no date column, and "this week" is the week its name says
    for question, hours in (("total hours on the rota this week?", 107), ("how many hours is dan on this week", 40)):
        (found,) = aggregates.plans(question, rota.tables, rota.embedder.embed)
        assert rota.tables.query(found.sql)[1][0][0] == hours, (question, found.sql)
    assert aggregates.plans("how many hours is dan on next week", rota.tables, rota.embedder.embed) == []
    # a table whose dates hold the month comes before the rota only named for a week of it
    rota = _approved(rota, tmp_path / "timesheets.csv", f"date,staff,hours\n{monday},Dan,8\n{monday},Priya,6\n")
    (most,) = aggregates.plans(f"who did the most hours in {monday:%B}".lower(), rota.tables, rota.embedder.embed)
    assert most.table == "timesheets", most


def test_a_rate_said_by_its_unit_is_the_rate_column_not_the_units_added_up(ws: Workspace, tmp_path: Path) -> None:
    staff = _tables_of(ws, tmp_path, {"rota.csv": WEEK_ROTA, "staff.csv": "name,role,hourly_rate,contracted_hrs\n"
                                      "Sophie Turner,Supervisor,13.20,38\nDan Okafor,Baker,12.60,40\n"})
    # was "Adding up hours in rota where name is Sophie Turner: 38" at confidence 1.0
    (found,) = aggregates.plans("what do i pay sophie turner an hour", staff.tables, staff.embedder.embed)
    assert found.table == "staff" and staff.tables.query(found.sql)[1][0][0] == 13.2, found.sql
    (average,) = aggregates.plans("what do we pay an hour on average", staff.tables, staff.embedder.embed)
    assert staff.tables.query(average.sql)[1][0][0] == 12.9, average.sql
    (hours,) = aggregates.plans("how many hours is dan on the rota", staff.tables, staff.embedder.embed)
    assert staff.tables.query(hours.sql)[1][0][0] == 40, hours.sql  # hours said, not "an hour": still added up


VAT_PURCHASES = ("date,supplier,invoice,net,vat,gross,category\n2026-08-31,Dale Dairy,DD-08,561.75,0,561.75,Dairy\n"
                 "2026-09-30,Dale Dairy,DD-09,572.10,0,572.10,Dairy\n2026-09-12,Kitchen Kare,KK-1,180,36,216,Repairs\n"
                 "2026-10-03,CoolServ,CS-7,86,17.20,103.20,Repairs\n2026-10-20,Hartley Flour,H-1,194.30,0,194.30,Dry\n")


def test_the_quarter_a_tables_name_says_is_the_table_and_gross_beside_net_is_spent(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    vat = _approved(ws, tmp_path / "vat q3 2026 purchases.csv", VAT_PURCHASES)
    # were declined: "quarter" was unsaid by the name's "q3", and a gross column was taken for income
    for question, result in (("how much did we spend with dale dairy in the vat quarter", 1133.85),
                             ("what did repairs cost us in the vat quarter", 319.2),
                             ("how much vat did we pay in q3", 53.2)):  # q3 of the name: August to October here
        (found,) = aggregates.plans(question, vat.tables, vat.embedder.embed)
        assert vat.tables.query(found.sql)[1][0][0] == result, (question, found.sql)
    (biggest,) = aggregates.plans("biggest purchase invoice in the vat quarter?", vat.tables, vat.embedder.embed)
    assert vat.tables.query(biggest.sql)[1][0][2] == "DD-09", biggest.sql  # the gross, not the vat


def test_a_number_column_with_words_for_no_number_yet_adds_up_its_numbers(ws: Workspace, tmp_path: Path) -> None:
    log = _approved(ws, tmp_path / "equipment maintenance log.csv", "date,equipment,work_issue,cost\n"
                    "2026-01-14,Espresso machine,descale,165.00\n2026-03-03,Dishwasher,drain pump,212.50\n"
                    "2026-05-22,Combi oven,door hinge,98.00\n2026-08-09,Dishwasher,wash arm,180.00\n"
                    "2026-09-01,Fridge 2,door seal,n/a (warranty)\n2026-11-17,Dishwasher,not draining,tbc\n")
    (found,) = aggregates.plans("how much has the dishwasher cost us in 2026", log.tables, log.embedder.embed)
    assert log.tables.query(found.sql)[1][0][0] == 392.5, found.sql  # half numbers: "n/a (warranty)", "tbc" left out


def test_the_warmest_is_the_highest_reading_of_the_column_named_but_for_its_time_of_day(ws: Workspace,
                                                                                      tmp_path: Path) -> None:
    temps = _approved(ws, tmp_path / "fridge temps nov 2026.tsv", "date\tfridge_2_am\tfridge_2_pm\tfreezer_am\n"
                      "2026-11-03\t3.4\t4.9\t-19.1\n2026-11-05\t3.9\t4.2\t-14.2\n2026-11-17\t5.0\t8.4\t-18.5\n"
                      "2026-10-30\t3.0\t3.1\t-12.0\n")
    # was declined: "warmest" asked for nothing, and freezer_am was not "the freezer"
    (warmest,) = aggregates.plans("whats the warmest the freezer has been in nov", temps.tables, temps.embedder.embed)
    assert temps.tables.query(warmest.sql)[1][0][0] == datetime.date(2026, 11, 5), warmest.sql
    (coldest,) = aggregates.plans("whats the coldest the freezer has been in nov", temps.tables, temps.embedder.embed)
    assert temps.tables.query(coldest.sql)[1][0][0] == datetime.date(2026, 11, 3), coldest.sql


def test_a_grid_of_ticks_kept_as_text_is_asked_as_yes_or_no(ws: Workspace, tmp_path: Path) -> None:
    grid = _approved(ws, tmp_path / "allergen matrix.csv", "menu_item,gluten,eggs,tree_nuts,sesame\n"
                     "Carrot cake,Y,Y,Y,\nVictoria sponge,Y,Y,may,\nGF orange cake,,Y,Y,\nGranola pot,may,,Y,Y\n"
                     "Avocado toast,Y,,,Y\nLeek soup,,,,may\n")
    # were declined: a column with a "may" in it is text, and no yes/no column to count
    for question, items in (("how many menu items contain sesame", [(2,)]),
                            ("which menu items have tree nuts", [("Carrot cake",), ("GF orange cake",),
                                                                 ("Granola pot",)]),
                            ("which menu items don't contain gluten", [("GF orange cake",), ("Leek soup",)])):
        (found,) = aggregates.plans(question, grid.tables, grid.embedder.embed)  # "may" is neither yes nor no
        assert [r[:1] for r in grid.tables.query(found.sql)[1]] == items, (question, found.sql)


def test_the_most_shows_the_top_three_and_those_tied_with_the_third(ws: Workspace, tmp_path: Path) -> None:
    merits = _approved(ws, tmp_path / "merits.csv", "pupil,points\nAmira,3\nAmira,2\nJayden,3\nNoah,2\nElla,2\n"
                       "Maya,1\n")
    (found,) = aggregates.plans("who has the most points", merits.tables, merits.embedder.embed)
    # was three rows, the third of the two tied with 2 points whichever DuckDB read first
    assert merits.tables.query(found.sql)[1] == [("Amira", 5, 2), ("Jayden", 3, 1), ("Ella", 2, 1), ("Noah", 2, 1)]


def test_notes_under_a_tables_rows_are_not_counted_and_are_said_beside_its_answers(ws: Workspace,
                                                                                   tmp_path: Path) -> None:
    body = ("item,qty,unit_price\n15mm elbow,40,0.65\n22mm elbow,25,1.10\nPTFE tape,9,0.80\n"
            "Notes: counted 20/11 by Callum.\n* prices exclude VAT\n")
    counted = _asked(ws, tmp_path / "van_stock.csv", body, "how many items are in the van stock?")
    assert "**3 rows**" in counted and "“* prices exclude VAT”" in counted, counted
    looked_up = ws.chat.ask("ptfe tape price").text
    assert "0.80" in looked_up and "“Notes: counted 20/11 by Callum.”" in looked_up, looked_up


@pytest.mark.parametrize(("question", "said", "sql"), [
    # the quantity of the same row, not the price (money), against the reorder level: were declined
    ("which items are below their reorder level?", "The rows of van_stock where qty is under reorder at",
     '"qty" < "reorder_at"'),
    ("how many items are under reorder level", "Counting the rows of van_stock where qty is under reorder at",
     '"qty" < "reorder_at"'),
    # the one number left beside the budget
    ("which lines went over budget", "The rows of budget_2026 where actual is over budget", '"actual" > "budget"'),
])
def test_a_column_compared_with_another_of_the_same_row(ws: Workspace, tmp_path: Path, question: str, said: str,
                                                        sql: str) -> None:
    _tables_of(ws, tmp_path, {
        "van_stock.csv": "item,qty,unit_price,reorder_at\n15mm elbow,40,0.65,20\nPTFE tape,9,0.80,10\n"
                         "22mm tee,3,1.90,5\n",
        "budget_2026.csv": "line,budget,actual\nVan insurance,1200,1340\nTools,800,650\nTraining,400,455\n"})
    answer = ws.chat.ask(question)
    assert said in answer.text and sql in answer.actions[0].params["sql"], answer.text


def test_how_much_over_a_column_is_no_sum_of_that_column_over_itself(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"budget_2026.csv": "line,budget,actual\nTools,800,650\nTraining,400,455\n"})
    answer = ws.chat.ask("how much over budget is training")
    assert all('"budget" > "budget"' not in a.params.get("sql", "") for a in answer.actions), answer.text


def test_rows_a_status_calls_void_are_left_out_unless_asked_of(ws: Workspace, tmp_path: Path) -> None:
    # INV-1047 was voided and reissued as INV-1047A: "total invoiced in october" counted both
    _tables_of(ws, tmp_path, {"invoices.csv": "inv_no,date,customer,amount,status\n"
                                              "INV-1046,2026-10-07,Cwm Lettings,253,Paid\n"
                                              "INV-1047,2026-10-09,Steve Morris,612,VOID\n"
                                              "INV-1047A,2026-10-30,Steve Morris,557,\n"})
    total = ws.chat.ask("total invoiced in october").text
    assert "**810**" in total and "status is not VOID" in total, total
    assert "**612**" in ws.chat.ask("how much was the void invoice").text


@pytest.mark.parametrize(("question", "said", "result"), [
    # hrs kept by hand (breaks taken off), not the minutes from start to finish (29.50); "hours" names hrs
    ("how many hours has callum been at college on the timesheet", "Adding up hrs", "**6**"),
    ("total hours on the timesheet in november", "Adding up hrs", "**22**"),
])
def test_a_column_named_for_its_unit_is_named_by_the_unit_and_comes_before_start_and_finish(
        ws: Workspace, tmp_path: Path, question: str, said: str, result: str) -> None:
    _tables_of(ws, tmp_path, {"callum_timesheet.csv": "date,start,finish,break_mins,hrs,site\n"
                                                      "2026-11-16,08:00,16:30,30,8.0,Mill Lane\n"
                                                      "2026-11-17,08:00,14:30,30,6.0,COLLEGE\n"
                                                      "2026-11-23,08:00,16:30,30,8.0,Hill St\n"})
    _answers(ws, question, said, result)


INVOICES_OWED = ("inv_no,date,customer,amount,status\n"
                 "INV-1046,2026-10-07,Cwm Lettings,253,Paid\n"
                 "INV-1047,2026-10-09,Steve Morris,612,VOID\n"
                 "INV-1052,2026-10-21,The Lamb Inn,587.50,OVERDUE\n"
                 "INV-1060,2026-11-09,Kevin Pugh,2960,Part paid\n"
                 "INV-1066,2026-11-19,Cwm Lettings,168,Unpaid\n")


@pytest.mark.parametrize(("question", "said", "result"), [
    # every status but Paid (and the void one) is owed: not only the rows whose status is "Unpaid"
    ("who still owes me money", "where status is not Paid or VOID", "The Lamb Inn"),
    ("which invoices are unpaid", "where status is not Paid or VOID", "OVERDUE"),
    ("how much am i owed in total rn", "Adding up amount in invoices where status is not Paid or VOID", "**3,715.50**"),
    ("how much is outstanding", "Adding up amount", "**3,715.50**"),
])
def test_what_is_owed_is_every_row_whose_status_is_not_paid(ws: Workspace, tmp_path: Path, question: str,
                                                              said: str, result: str) -> None:
    _tables_of(ws, tmp_path, {"invoices.csv": INVOICES_OWED})
    answer = ws.chat.ask(question).text
    assert said in answer and result in answer and "Cwm Lettings | 253" not in answer, answer


@pytest.mark.parametrize(("question", "said", "result"), [
    # "avg" is an average
    ("avg litres of diesel", "Averaging litres in fuel where fuel is diesel", "**60**"),
    # the total paid, not the price of a litre, when the table has both
    ("how much did i spend on diesel in october", "Adding up total in fuel where fuel is diesel", "**170.30**"),
    # "the most i paid" is the highest total
    ("whats the most i paid for diesel", "with the highest total where fuel is diesel", "| 90.3 |"),
])
def test_a_total_beside_a_unit_price_is_the_money_spent(ws: Workspace, tmp_path: Path, question: str, said: str,
                                                        result: str) -> None:
    _tables_of(ws, tmp_path, {"fuel.csv": "date,fuel,litres,price_per_litre,total\n"
                                          "2026-10-02,diesel,58,1.38,80.00\n2026-10-09,AdBlue,10,1.50,14.99\n"
                                          "2026-10-16,diesel,62,1.46,90.30\n"})
    _answers(ws, question, said, result)


SUPPLIER_PRICES = ("supplier,code,description,category,price_ex_vat\n"
                   "City Plumbing,CP-282,Fernox F1 inhibitor 500ml,Chemicals,16.90\n"
                   "Screwfix,SF-289,Fernox F1 inhibitor 500ml,Chemicals,14.99\n"
                   "City Plumbing,CP-121,Honeywell V4043H 22mm 2-port zone valve,Controls,79.20\n"
                   "Screwfix,SF-135,Honeywell V4043H 22mm 2-port zone valve,Controls,74.99\n"
                   "Screwfix,SF-140,15mm isolating valve,Valves,3.49\n"
                   "Toolstation,TS-296,Fernox F1 inhibitor 500ml,Chemicals,15.48\n")


@pytest.mark.parametrize(("question", "said", "result"), [
    # no cell is "fernox f1", but the descriptions that hold it are the rows meant (here all one value)
    ("where's cheapest for fernox f1", "where description ", "| Screwfix | SF-289 |"),
    # "valve" is no category here: the zone valve is a control, and the description holds all three words
    ("whos cheapest for a 22mm zone valve", "where description mentions “22mm zone valve”", "| Screwfix | SF-135 |"),
    ("how many fernox f1 prices have i got", "where description ", "**3 rows**"),
    ("how many zone valves are listed", "where description mentions “zone valves”", "**2 rows**"),
])
def test_words_inside_longer_text_cells_keep_the_rows_that_hold_them(ws: Workspace, tmp_path: Path, question: str,
                                                                      said: str, result: str) -> None:
    _tables_of(ws, tmp_path, {"supplier_prices.csv": SUPPLIER_PRICES})
    _answers(ws, question, said, result)


def test_words_no_one_cell_holds_together_keep_no_rows(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"supplier_prices.csv": SUPPLIER_PRICES})
    answer = ws.chat.ask("where's cheapest for fernox zone valves")
    assert not any("mentions" in a.params.get("sql", "") + a.summary for a in answer.actions), answer.text


JOB_LOG = ("date,job_no,cust,postcode,job_type,hrs,parts,labour,total,paid\n"
           "2026-08-20,J-99,Ann Beynon,CF38 1DX,Boiler install,16,1985,880,2865,Y\n"
           "2026-09-01,J-101,Jean Howells,CF38 1DX,Boiler service,1,,85,85,Y\n"
           "2026-09-03,J-103,Cwm Lettings,CF37 1EL,Breakdown,2.5,48.60,137.50,186.10,Y\n"
           "2026-10-05,J-118,Cwm Lettings,CF37 2TP,Repair,2,58,110,168,N\n"
           "2026-11-05,J-133,Kevin Pugh,CF38 2TT,Bathroom,24,1640,1320,2960,part\n")


@pytest.mark.parametrize(("question", "said", "result"), [
    # "since sept" is from the first of September until today, not September alone
    ("whats the biggest job ive done since sept 2026", "with the highest total where date is from 01 September 2026",
     "| Kevin Pugh |"),
    # "parts" names the parts column, not the rows whose paid is "part"
    ("how much did parts come to on jobs in oct", "Adding up parts in job_log where date is in October:", "**58**"),
    # "cust" is short for customer
    ("which customer have i done the most jobs for", "by cust, most first", "| Cwm Lettings | 2 |"),
    ("how many jobs in CF38 postcodes", "where postcode mentions “cf38”", "**3 rows**"),
])
def test_a_job_log_asked_in_a_tradesman_s_words(ws: Workspace, tmp_path: Path, question: str, said: str,
                                                 result: str) -> None:
    _tables_of(ws, tmp_path, {"job_log.csv": JOB_LOG})
    _answers(ws, question, said, result)


@pytest.mark.parametrize(("said", "first"), [
    ("since sept", datetime.date(2026, 9, 1)),
    ("since december", datetime.date(2025, 12, 1)),  # December is still to come this year: last year's
    ("since the start of march 2024", datetime.date(2024, 3, 1)),
])
def test_since_a_month_is_from_its_first_day_until_today(said: str, first: datetime.date) -> None:
    period = aggregates._period(f"how much have we spent {said}", datetime.date(2026, 11, 24))
    assert period.span == (first, datetime.date(2026, 11, 25)), period


def test_the_balance_at_the_end_of_a_month_is_its_last_row_of_that_day_too(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"bank_statement.csv": "date,description,paid_out,paid_in,balance\n"
                                               "2026-10-29,SCREWFIX,12.99,,6065.66\n"
                                               "2026-10-30,B PRICE INV-1054,,206.00,6271.66\n"
                                               "2026-10-30,C JAMES WAGES,296.70,,5974.96\n"
                                               "2026-11-01,TO SAVER,500.00,,5474.96\n"})
    answer = ws.chat.ask("what was the bank balance at the end of october").text
    assert "with the latest date where date is in October" in answer and "5974.96" in answer, answer
    assert "6271.66" not in answer, answer


def test_a_part_paid_row_in_what_is_owed_is_said_to_count_whole(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"invoices.csv": INVOICES_OWED})
    answer = ws.chat.ask("how much am i owed").text
    assert "(rows Part paid counted in full): **3,715.50**" in answer, answer


def test_how_many_of_a_stocked_thing_adds_up_its_quantity(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"van_stock.csv": "item,size,qty,min\n15mm endfeed elbow,15mm,15,20\n"
                                               "22mm endfeed elbow,22mm,22,10\n15mm equal tee,15mm,12,10\n"
                                               "PTFE tape,,10,5\n"})
    answer = ws.chat.ask("how many 15mm elbows on the van").text
    assert "Adding up qty in van_stock where" in answer and "**15**" in answer, answer
    assert "**1 row**" in ws.chat.ask("how many items are below min").text  # the rows, not the qty


@pytest.mark.parametrize(("question", "said", "result"), [
    # "have i paid" City Plumbing is money out; the shop is inside the description
    ("how much have i paid city plumbing in nov", "Adding up paid out in bank where date is in November and "
                                                  "description mentions “city plumbing”", "**2,198.40**"),
    ("how much did p walsh pay me", "Adding up paid in from bank where description mentions “walsh”", "**85**"),
])
def test_who_paid_whom_says_which_way_the_money_went(ws: Workspace, tmp_path: Path, question: str, said: str,
                                                     result: str) -> None:
    _tables_of(ws, tmp_path, {"bank.csv": "date,type,description,paid_out,paid_in,balance\n"
                                          "2026-10-26,FPI,P WALSH INV-1051,,85.00,7718.40\n"
                                          "2026-11-02,DEB,CITY PLUMBING TREFOREST,160.80,,7557.60\n"
                                          "2026-11-05,DEB,CITY PLUMBING TREFOREST,1968.00,,5589.60\n"
                                          "2026-11-19,DEB,CITY PLUMBING TREFOREST,69.60,,5520.00\n"})
    _answers(ws, question, said, result)


def test_how_many_boxes_counts_the_rows_not_the_price_of_a_box(ws: Workspace, tmp_path: Path) -> None:
    _tables_of(ws, tmp_path, {"veg_box_list.csv": "name,box,freq,status,£/box\nPriya Shah,medium,weekly,active,16\n"
                                                  "Jon Harris,Large,weekly,active,21\nKate Whitfield,small,weekly,"
                                                  "paused,12\nThe Morgans,large,fortnightly,active,21\n"})
    assert "**2 rows**" in ws.chat.ask("how many large boxes do we do").text
    assert "**3 rows**" in ws.chat.ask("how many active box customers have we got").text


@pytest.mark.parametrize(("said", "day"), [
    ("yesterday", datetime.date(2026, 11, 23)),
    ("today", datetime.date(2026, 11, 24)),
    ("last saturday", datetime.date(2026, 11, 21)),
    ("last tuesday", datetime.date(2026, 11, 17)),  # a week ago, not today
])
def test_yesterday_and_last_saturday_are_one_day(said: str, day: datetime.date) -> None:
    period = aggregates._period(f"what did we take {said}", datetime.date(2026, 11, 24))
    assert period.span == (day, day + datetime.timedelta(days=1)) and period.said() == f"on {day:%d %B %Y}", period


def test_a_month_said_alone_is_the_latest_year_the_table_holds_it_in(ws: Workspace, tmp_path: Path) -> None:
    # "in oct" of two autumns' harvests added up both Octobers
    _tables_of(ws, tmp_path, {"harvest_log.csv": "date,crop,kg\n2025-10-04,squash,60\n2025-11-02,kale,3\n"
                                                 "2026-10-03,squash,40\n2026-10-20,leeks,6.5\n"})
    answer = ws.chat.ask("how much did we harvest in oct").text
    assert "date is in October 2026" in answer and "**46.50**" in answer, answer


RESTAURANT_INVOICES = ("inv_no,date,restaurant,amount,status,amount_paid,date_paid,notes\n"
                       "INV-036,2026-08-28,Stone Hare,120.00,void,,,\n"
                       "INV-037,2026-09-04,STONE HARE,96.40,paid,96.40,2026-10-02,\n"
                       "INV-041,2026-10-30,Stone Hare,171.60,paid,171.60,2026-11-12,for stone hare + boxes\n")


@pytest.mark.parametrize(("question", "said", "result"), [
    # invoiced: the amount, by the invoice's date (not when it was paid, nor what was paid)
    ("how much have i invoiced the stone hare since sept 2026", "Adding up amount in restaurant_invoices where "
     "restaurant is STONE HARE and date is from 01 September 2026", 268.0),
])
def test_what_was_invoiced_is_the_amount_by_the_invoice_date(ws: Workspace, tmp_path: Path, question: str,
                                                              said: str, result: float) -> None:
    _tables_of(ws, tmp_path, {"restaurant_invoices.csv": RESTAURANT_INVOICES})
    (found,) = aggregates.plans(question, ws.tables, ws.embedder.embed)
    assert found.about.startswith(said) and ws.tables.query(found.sql)[1][0][0] == pytest.approx(result), found


def test_remarks_are_not_searched_for_the_words_of_a_question(ws: Workspace, tmp_path: Path) -> None:
    # "for stone hare + boxes" in a harvest's notes is no harvest of Stone Hare's
    _tables_of(ws, tmp_path, {"harvest_log.csv": "date,crop,kg,notes\n2026-11-23,leeks,6.5,for stone hare + boxes\n"
                                                 "2026-11-20,kale,3,\n"})
    answer = ws.chat.ask("when did stone hare last pay")
    assert not any("harvest_log" in a.params.get("sql", "") for a in answer.actions), answer.text


PHOTOGRAPHER = {
    "mileage.csv": "Date,From,To,Miles (return),Claim\n03/10/2026,home,Bristol Harbour Hotel,6 mi,£2.70\n"
                   "14/10/2026,home,\"CameraCare, Bath\",30 mi,£13.50\n"
                   "07/11/2026,home,Ashton Court,9 miles,£4.05\n",
    "bookings.csv": "ref,client,date,venue,fee,status,second_shooter\n"
                    "B1,Sharma,10/10/2026,Harbour Hotel,2400,PAID,Tom\n"
                    "B2,Lawson,12/11/2026,Ashton Court,2600,PAID,Tom\n"
                    "B3,Hughes,13/06/2026,Kings Weston,2200,PAID,Priya\n",
    "second_shooter.csv": "date,who,job,days,amount,paid\n14/06/2025,Tom,Murphy wedding,1,160,20/06/2025\n"
                          "13/06/2026,Priya,Hughes wedding,1,200,19/06/2026\n"
                          "10/10/2026,Tom Achebe,Sharma wedding,1,180,16/10/2026\n"
                          "17/10/2026,Priya Nair,workshop assist,0.5,100,\n"
                          "12/11/2026,Tom Achebe,Lawson wedding,1,180,18/11/2026\n",
}


def test_how_many_of_a_unit_adds_up_the_column_kept_in_it_and_a_person_is_one_however_written(
        ws: Workspace, tmp_path: Path) -> None:
    # "how many miles" counted the bookings whose venue said "miles": Miles (return) is kept in miles
    _tables_of(ws, tmp_path, PHOTOGRAPHER)
    miles = ws.chat.ask("how many miles did i do in October 2026").text
    assert "Adding up miles return in mileage where date is in October 2026: **36**" in miles, miles
    # "Priya" in one year's rows and "Priya Nair" in the next are one person
    days = ws.chat.ask("how many days has priya worked in 2026").text
    assert "where who is Priya or Priya Nair and date is in 2026: **1.50**" in days, days
    # Tom is the payments' own person; the bookings only name him as who shot with her, and their
    # "PAID" status is no column of money paid named
    paid = ws.chat.ask("how much have i paid tom in 2026").text
    assert "Adding up amount in second_shooter where who is Tom or Tom Achebe" in paid and "**360**" in paid, paid
    assert "bookings" not in paid, paid


def test_a_status_written_with_a_dash_is_still_a_status_and_who_owes_is_read_by_it(
        ws: Workspace, tmp_path: Path) -> None:
    # "part paid - chasing" made the column no column of statuses (four words with the dash), so
    # "who still owes me money" could not be asked of it
    _tables_of(ws, tmp_path, {"bookings.csv": "ref,client,fee,status\nB1,Harrington,2400,Paid\n"
                                              "B2,Stewart,3200,OVERDUE\nB3,Sharma,2900,part paid - chasing\n"
                                              "B4,Lawson,2600,Paid\n"})
    answer = ws.chat.ask("who still owes me money").text
    assert "where status is not Paid (rows part paid - chasing counted in full)" in answer, answer
    assert "Stewart" in answer and "Sharma" in answer and "Harrington" not in answer, answer


def test_driving_names_a_mileage_log_and_what_was_bought_is_a_card_statements_rows(
        ws: Workspace, tmp_path: Path) -> None:
    # "drive" was a word no table accounted for, and "what did i buy …" asked for no rows at all
    yesterday, before = (datetime.date.today() - datetime.timedelta(days=n) for n in (1, 4))
    _tables_of(ws, tmp_path, {**PHOTOGRAPHER, "card statement.csv": (
        f"date,description,category,amount,currency,notes\n{before},CAMERACARE BATH,Shopping,-145.00,GBP,R5 service\n"
        f"{yesterday},AMAZON MKTPLACE,Shopping,-24.99,GBP,gaffer tape + lens cloths\n"
        f"{yesterday},BP CRIBBS CAUSEWAY,Transport,-63.70,GBP,\n")})
    miles = ws.chat.ask("how many miles did i drive in October 2026").text
    assert "Adding up miles return in mileage where date is in October 2026: **36**" in miles, miles
    bought = ws.chat.ask("what did i buy yesterday").text
    assert f"The rows of card_statement where date is on {yesterday:%d %B %Y}" in bought, bought
    assert "AMAZON MKTPLACE" in bought and "CAMERACARE" not in bought, bought


def test_sessions_or_jobs_of_a_kind_said_are_the_dated_rows_of_that_kind(ws: Workspace, tmp_path: Path) -> None:
    # "sessions" and "jobs" were words no column accounted for, so nothing was counted
    _tables_of(ws, tmp_path, {"bookings.csv": "ref,client,type,date,fee,notes\n"
                                              "B1,Okafor family,Portrait,2025-04-27,195,\n"
                                              "B2,Bristol Tech Hub,Headshots,2025-05-08,450,\n"
                                              "B3,Walsh & Cole,Wedding,2025-05-24,2850,\n"
                                              "B4,Grace Liu,Portrait,2025-06-05,250,portraits at home\n"
                                              "B5,Zara Ahmed,Portrait,2026-02-14,195,\n"})
    count = ws.chat.ask("how many portrait sessions did i do in 2025").text
    assert "Counting the rows of bookings where type is Portrait and date is in 2025: **2 rows**" in count, count
    money = ws.chat.ask("how much did headshot jobs bring in in 2025").text
    assert "Adding up fee in bookings where type is Headshots and date is in 2025: **450**" in money, money


def test_my_next_one_is_the_earliest_row_from_today_on_by_the_column_called_date(ws: Workspace,
                                                                                tmp_path: Path) -> None:
    # "when is my next wedding" had no reading at all; of three date columns, the one called date is the row's
    past, soon, later = (datetime.date.today() + datetime.timedelta(days=n) for n in (-20, 9, 40))
    _tables_of(ws, tmp_path, {"bookings.csv": "ref,client,type,date,fee,dep_paid,bal_paid_on\n"
                                              f"B1,Murphy,Wedding,{past},2650,2025-08-01,{past}\n"
                                              f"B2,Redland Physio,Headshots,{soon},450,2026-04-15,\n"
                                              f"B3,Lawson,Wedding,{later},2600,2025-12-01,\n"})
    wedding = ws.chat.ask("when is my next wedding").text
    assert f"where type is Wedding and date is from {datetime.date.today():%d %B %Y} on" in wedding, wedding
    assert "Lawson" in wedding and "Murphy" not in wedding, wedding
    booking = ws.chat.ask("what's my next booking").text
    assert "Redland Physio" in booking and "Lawson" not in booking, booking


def test_paid_up_to_a_day_before_today_is_not_paid(ws: Workspace, tmp_path: Path) -> None:
    # "who hasnt paid for their box" kept only the rows whose paid-up-to date was empty: none
    lapsed, ahead = (datetime.date.today() + datetime.timedelta(days=n) for n in (-9, 12))
    _tables_of(ws, tmp_path, {"veg_box_list.csv": "name,box,status,paid_up_to\n"
                                                  f"Alan Pryce,Medium,active,{lapsed}\n"
                                                  f"Ruth Evans,Small,active,{ahead}\nBen Ostrowski,Large,active,\n"})
    answer = ws.chat.ask("who hasnt paid for their box").text
    assert f"paid up to is empty or before {datetime.date.today():%d %B %Y}" in answer, answer
    assert "Alan Pryce" in answer and "Ben Ostrowski" in answer and "Ruth Evans" not in answer, answer


def test_what_a_takings_table_took_is_its_money_in_not_its_fees(ws: Workspace, tmp_path: Path) -> None:
    # "what did we take" of a market's takings added up the pitch fee, the nearest in meaning to "take"
    _tables_of(ws, tmp_path, {"market_takings_2026.csv": "date,cash,card_sumup,pitch_fee\n2026-10-03,199.40,135.55,18\n"
                                                         "2026-10-17,228.65,251.25,18\n2026-11-21,198.50,241.80,18\n"})
    answer = ws.chat.ask("how much did we take at the market in October 2026").text
    assert "Adding up cash and card sumup in market_takings_2026 where date is in October 2026" in answer, answer
    assert "total cash **428.05** and total card sumup **386.80**" in answer and "pitch fee" not in answer, answer
    fees = ws.chat.ask("how much have i paid in pitch fees in 2026").text
    assert "Adding up pitch fee in market_takings_2026 where date is in 2026: **54**" in fees, fees


def test_a_second_shooter_is_asked_as_who_second_shot_and_business_miles_are_the_logs_miles(
        ws: Workspace, tmp_path: Path) -> None:
    # "2nd" was never "second", nor "shot" the verb of a shooter; "business" was a word no table had
    _tables_of(ws, tmp_path, {"bookings.csv": "ref,client,type,date,fee,2nd shooter\n"
                                              "B1,Amira & Josh Hughes,Wedding,2026-06-13,3100,Tom\n"
                                              "B2,Beth Stewart,Portrait,2026-07-25,3200,Priya\n",
                              "mileage.csv": PHOTOGRAPHER["mileage.csv"]})
    who = ws.chat.ask("who second shot the hughes wedding").text
    assert "**Tom**" in who and "Priya" not in who, who
    miles = ws.chat.ask("how many business miles did i do in October 2026").text
    assert "Adding up miles return in mileage where date is in October 2026: **36**" in miles, miles


def test_what_people_said_is_the_outcome_they_gave_and_what_is_coming_up_is_from_today_on(
        ws: Workspace, tmp_path: Path) -> None:
    # "said" was a word no column accounted for; "coming up" and "my next shoot" said no period at all
    past, soon, later = (datetime.date.today() + datetime.timedelta(days=n) for n in (-20, 9, 40))
    _tables_of(ws, tmp_path, {"enquiries.csv": "date_in,name,what,outcome\n2026-01-05,Jade Kerr,Wedding,too expensive\n"
                                               "2026-02-11,Owen Price,Wedding,date gone\n"
                                               "2026-03-02,Megan Shaw,Wedding,too expensive\n",
                              "bookings.csv": "ref,client,type,date,fee\n"
                                              f"B1,Murphy,Wedding,{past},2650\nB2,Redland Physio,Headshots,{soon},450\n"
                                              f"B3,Lawson,Wedding,{later},2600\n"})
    said = ws.chat.ask("how many people said i was too expensive").text
    assert "Counting the rows of enquiries where outcome is too expensive: **2 rows**" in said, said
    coming = ws.chat.ask("what weddings have i got coming up").text
    assert f"where type is Wedding and date is from {datetime.date.today():%d %B %Y} on" in coming, coming
    assert "Lawson" in coming and "Murphy" not in coming and "Redland" not in coming, coming
    shoot = ws.chat.ask("whens my next shoot").text
    assert "The row of bookings with the earliest date" in shoot and "Redland Physio" in shoot, shoot


STATEMENT = {"card statement.csv": "date,description,category,amount,currency\n"
                                   "2026-03-16,PHOTOGUARD PRO INSURANCE,Bills,-512.40,GBP\n"
                                   "2026-10-09,SHELL BRISTOL,Transport,-62.15,GBP\n"
                                   "2026-10-20,WEX PHOTO VIDEO REFUND,Shopping,349.00,GBP\n"
                                   "2026-10-24,LOXLEY COLOUR,Printing,-210.00,GBP\n",
             "invoices.csv": "inv_no,date,client,amount,due,paid_on,status\n"
                             "INV-1,2026-05-30,Beth Stewart,2240,2026-06-13,,part paid (1240 rec'd 20/6)\n"
                             "INV-2,2026-08-15,Rachel Sharma,1925,2026-08-29,,OVERDUE\n"
                             "INV-3,2026-10-17,Mia Thompson,250,2026-10-24,2026-10-19,Paid\n"}


def test_money_spent_is_a_statements_money_out_and_overdue_is_unpaid_past_its_due_date(
        ws: Workspace, tmp_path: Path) -> None:
    # "my biggest expense" was the highest amount (a refund), or nothing at all, and "how much did i
    # spend" added up the invoices' money that came in beside the statement's
    due = datetime.date.today() + datetime.timedelta(days=10)
    _all_approved(ws, tmp_path, {**STATEMENT, "invoices.csv": STATEMENT["invoices.csv"]
                                 + f"INV-4,2026-11-02,Ciara Dunne,960,{due},,sent\n"})
    biggest = ws.chat.ask("whats my biggest expense in 2026").text
    assert "The row of card_statement with the lowest amount where amount is under 0" in biggest, biggest
    assert "PHOTOGUARD" in biggest and "WEX" not in biggest and "invoices" not in biggest, biggest
    spent = ws.chat.ask("how much did i spend in October 2026").text
    assert "Adding up amount in card_statement where date is in October 2026" in spent, spent
    assert "**GBP 76.85**" in spent and "invoices" not in spent, spent
    # the status said "OVERDUE" of one row; a part paid one past its due date is overdue too, a sent
    # one not yet due is not
    overdue = ws.chat.ask("which invoices are overdue").text
    assert f"where paid on is empty and due is before {datetime.date.today():%d %B %Y}" in overdue, overdue
    assert "Beth Stewart" in overdue and "Rachel Sharma" in overdue, overdue
    assert "Ciara Dunne" not in overdue and "Mia Thompson" not in overdue, overdue


WORKSHOP_SIGNUPS = ("name,email,ticket,price_paid,attended,refunded\nAmy Lee,amy@x.org,standard,145,true,false\n"
                    "Ben Carter,ben@x.org,standard,145,false,true\nCal Rees,cal@x.org,early bird,120,true,false\n")


def test_who_came_is_who_attended_and_refunded_tickets_are_no_money_made(ws: Workspace, tmp_path: Path) -> None:
    # "came" named no column, so every sign-up was counted; the refunded ticket was money made
    _all_approved(ws, tmp_path, {"workshop_signups.csv": WORKSHOP_SIGNUPS,
                                 "editing_queue.csv": "ref,client,status\nE1,workshop promo,not started\n"
                                                      "E2,Sharma,editing\n"})
    came = ws.chat.ask("how many people came to the workshop").text
    assert "Counting the rows of workshop_signups where attended is yes and refunded is no: **2 rows**" in came, came
    assert "editing_queue" not in came, came
    made = ws.chat.ask("how much did i make from workshop tickets").text
    assert "Adding up price paid in workshop_signups where refunded is no: **265**" in made, made


def test_the_value_of_bookings_is_their_fees_and_what_helpers_cost_me_is_money_spent(
        ws: Workspace, tmp_path: Path) -> None:
    # "value" named no money column (the fee, beside the deposit paid towards it), and "what did
    # second shooters cost me" was no sum: two words stood between "did" and "cost"
    _tables_of(ws, tmp_path, {"bookings.csv": "ref,client,date,fee,deposit,second_shooter\n"
                                              "B1,Hughes,2026-06-13,3100,930,Tom\nB2,Stewart,2026-07-25,3200,960,\n",
                              "second_shooter_payments.csv": PHOTOGRAPHER["second_shooter.csv"]})
    value = ws.chat.ask("whats the total value of all my bookings in 2026").text
    assert "Adding up fee in bookings where date is in 2026: **6,300**" in value, value
    cost = ws.chat.ask("what did second shooters cost me in 2026").text
    assert "Adding up amount in second_shooter_payments where date is in 2026: **660**" in cost, cost
    assert "fee" not in cost, cost


def test_a_header_that_lists_its_short_values_reads_a_word_they_begin_and_a_box_total_is_no_money(
        ws: Workspace, tmp_path: Path) -> None:
    # "business" was no value of Bus/Priv, so the private miles were added up too (or nothing was)
    _approved(ws, tmp_path / "van_mileage.csv", "Date,Odo start,Odo end,Miles,Bus/Priv,Where\n"
              "13/10/2026,68412,68427,15,Bus,6 Brynteg Close\n14/10/2026,68427,68444,17,Priv,Cardiff\n"
              "20/10/2026,68444,68466,22,Bus,41 Maesycoed Rd\n21/10/2026,68466,68482,16,Bus,2 Rhiw Cres\n")
    business = ws.chat.ask("how many business miles did i do in october 2026").text
    assert "Adding up miles in van_mileage where bus priv is Bus and date is in October 2026: **53**" in business, \
        business
    private = ws.chat.ask("how many private miles did i do in october 2026").text
    assert "where bus priv is Priv and date is in October 2026: **17**" in private, private
    # a packing sheet's total counts boxes of three sizes: no expense
    packing = _approved(ws, tmp_path / "packing_sheet.csv", "w_c,small,medium,large,total\n2026-10-05,6,10,6,22\n"
                        "2026-10-12,5,9,6,20\n2026-10-19,6,11,5,22\n")
    assert aggregates.plans("whats my biggest expense in 2026", packing.tables, packing.embedder.embed) == []


def test_so_far_is_until_now_not_a_distance(ws: Workspace, tmp_path: Path) -> None:
    # "paid me so far" added up the miles driven to the Sharmas' wedding: "far" read as a distance
    log = _approved(ws, tmp_path / "mileage.csv", "date,what_for,miles_return,claim\n"
                    "2026-10-10,Sharma wedding,12,5.40\n2026-10-20,CameraCare Bath,30,13.50\n")
    found = aggregates.plans("how much have the sharmas paid me so far", log.tables, log.embedder.embed)
    assert not any("miles" in p.about for p in found), found


def test_what_has_been_done_is_counted_until_today_and_rows_tied_at_the_top_are_each_the_answer(
        ws: Workspace, tmp_path: Path) -> None:
    # "how many headshot jobs have i done" counted the one booked for next week; "the biggest
    # wedding fee" showed one of three weddings at that fee
    today = datetime.date.today()
    past, soon = today - datetime.timedelta(days=30), today + datetime.timedelta(days=9)
    _tables_of(ws, tmp_path, {"bookings.csv": "ref,client,type,date,fee\n"
                                              f"B1,Harbourside Dental,Headshots,{past},720\n"
                                              f"B2,Redland Physio,Headshots,{soon},600\n"
                                              f"B3,Fisher,Wedding,{past},3200\nB4,Stewart,Wedding,{past},3200\n"
                                              f"B5,Dunne,Wedding,{soon},3200\nB6,Murphy,Wedding,{past},2650\n"})
    done = ws.chat.ask("how many headshot jobs have i done").text
    assert f"where type is Headshots and date is {today:%d %B %Y} or before: **1 row**" in done, done
    booked = ws.chat.ask("how many headshot jobs have i got").text
    assert "where type is Headshots: **2 rows**" in booked, booked
    fee = ws.chat.ask("whats the biggest wedding fee ive charged").text
    assert "The 3 rows of bookings with the highest fee where type is Wedding" in fee, fee
    assert all(name in fee for name in ("Fisher", "Stewart", "Dunne")) and "Murphy" not in fee, fee


def test_do_i_owe_lists_the_unpaid_rows_of_work_already_done(ws: Workspace, tmp_path: Path) -> None:
    # "do i owe priya anything" asked for nothing a table could answer ("owe" was no word of one),
    # and "how much do i owe priya" counted the wedding she has yet to shoot
    soon = datetime.date.today() + datetime.timedelta(days=17)
    booked = f"{soon:%d/%m/%Y},Priya Nair,Lawson wedding,1,200,\n"
    _tables_of(ws, tmp_path, {"second_shooter.csv": PHOTOGRAPHER["second_shooter.csv"].replace(
        "12/11/2026,Tom Achebe,Lawson wedding,1,180,18/11/2026\n", booked)})
    rows = ws.chat.ask("do i owe priya anything").text
    assert "The rows of second_shooter where who is Priya or Priya Nair and paid is empty" in rows, rows
    assert "workshop assist" in rows and "Lawson" not in rows, rows
    owed = ws.chat.ask("how much do i owe priya").text
    assert f"paid is empty and date is {datetime.date.today():%d %B %Y} or before: **100**" in owed, owed


def test_a_paused_row_owes_nothing_while_it_rests(ws: Workspace, tmp_path: Path) -> None:
    # a paused customer's paid-up-to date lies in the past, so she was listed as not having paid
    lapsed, ahead = (datetime.date.today() + datetime.timedelta(days=n) for n in (-9, 12))
    _tables_of(ws, tmp_path, {"veg_box_list.csv": "name,box,status,paid_up_to\n"
                                                  f"Alan Pryce,Medium,active,{lapsed}\n"
                                                  f"Kate Whitfield,Small,paused,{lapsed}\n"
                                                  f"Ruth Evans,Small,active,{ahead}\nBen Ostrowski,Large,cancelled,\n"})
    answer = ws.chat.ask("who hasnt paid for their box").text
    assert "where status is not cancelled or paused" in answer, answer
    assert "Alan Pryce" in answer and "Kate Whitfield" not in answer and "Ben Ostrowski" not in answer, answer
    count = ws.chat.ask("how many boxes are paused").text
    assert "where status is paused: **1 row**" in count, count


def test_a_word_a_statement_writes_shortened_finds_its_rows(ws: Workspace, tmp_path: Path) -> None:
    # "facebook ads" found no row: the card statement writes "FACEBK *ADS"
    _tables_of(ws, tmp_path, {"card.csv": "date,description,amount\n2026-01-05,FACEBK *ADS,-50.00\n"
                                          "2026-02-05,FACEBK *ADS,-50.00\n2026-02-09,ADOBE *PHOTOGPHY PLAN,-11.98\n"
                                          "2026-03-01,FACE PAINTING KIT,-12.00\n"})
    answer = ws.chat.ask("how much have i spent on facebook ads in 2026").text
    assert "description mentions “facebk ads”" in answer and "**-100**" in answer, answer


def test_the_longest_day_of_a_dated_log_is_its_row_of_the_most_hours(ws: Workspace, tmp_path: Path) -> None:
    # "day" was a word no column accounted for, and "longest" named no column of hours
    _tables_of(ws, tmp_path, {"tom_hours.csv": "date,start,finish,hrs,what\n2026-10-01,09:00,13:00,4,weeding\n"
                                               "2026-10-15,08:00,15:30,7.5,squash + garlic planting\n"
                                               "2026-10-20,09:30,14:00,4.5,strimming\n"})
    answer = ws.chat.ask("toms longest day").text
    assert answer.startswith("The row of tom_hours with the highest hrs") and "squash + garlic" in answer, answer


def test_now_said_any_way_is_the_rows_as_they_stand_and_ppl_are_people(ws: Workspace, tmp_path: Path) -> None:
    # "at the mo" and "ppl" were words no table accounted for
    boxes = ("name,village,box,status\nKate Whitfield,Ludlow,Small,paused\nAlan Pryce,Onibury,Medium,active\n"
             "Ruth Evans,Ludlow,Small,active\nGreg Allsopp,Bromfield,Small,paused\n")
    _all_approved(ws, tmp_path, {"veg_box_list.csv": boxes})
    asked = ws.chat.ask("whos paused at the mo")
    paused = asked.text
    assert not asked.abstained and "Kate Whitfield" in paused and "Greg Allsopp" in paused, paused
    assert "Ruth Evans" not in paused, paused
    ludlow = ws.chat.ask("how many ppl in ludlow get a veg box").text
    assert "Counting the rows of veg_box_list where village is Ludlow: **2 rows**" in ludlow, ludlow


def test_the_rows_one_has_now_leave_out_those_paused_or_gone(ws: Workspace, tmp_path: Path) -> None:
    # "at the moment" was a word no table accounted for (declined), and "have i got" counted the
    # pupils who had left or were paused
    pupils = ("pupil,instrument,status\nSam Whitaker,Piano,active\nLily Marsh,Piano,paused\nBen Askew,Piano,left\n"
              "Grace Adeyemi,Singing,active\nHugo Ward,Piano,paused\n")
    _all_approved(ws, tmp_path, {"pupils_register.csv": pupils})
    for question in ("how many pupils have i got at the moment", "how many pupils have i got"):
        now = ws.chat.ask(question).text
        assert "**2 rows**" in now and "status is not left or paused" in now, now
    paused = ws.chat.ask("whos on pause at the moment").text
    assert "Lily Marsh" in paused and "Hugo Ward" in paused and "Sam Whitaker" not in paused, paused
    ever = ws.chat.ask("how many pupils are in the register").text
    assert "**5 rows**" in ever, ever


HARVEST = {"harvest_log.csv": "date,crop,variety,bed,weight_kg\n2026-07-10,Tomatoes,Sungold,T1,4.15\n"
                              "2026-07-24,Tomatoes,Sungold,T1,6.2\n2026-09-18,Squash,Crown Prince,5,62\n"
                              "2026-10-02,Squash,Crown Prince,5,40.5\n2026-10-09,Leeks,Musselburgh,3,8.3\n"
                              "2026-10-16,Leeks,Musselburgh,3,8.33\n2026-10-23,Kale,Nero,5,3.2\n"}


def test_a_harvest_log_is_asked_by_what_was_picked_first_most_and_biggest(ws: Workspace, tmp_path: Path) -> None:
    # "pick", "produced", "gave us", "first" and "biggest single harvest" named nothing of the log
    _tables_of(ws, tmp_path, HARVEST)
    first = ws.chat.ask("when did we first pick tomatoes in 2026").text
    assert "The row of harvest_log with the earliest date where crop is Tomatoes" in first and "07-10" in first, first
    bed = ws.chat.ask("how much has bed 5 produced in 2026").text
    assert "Adding up weight kg in harvest_log where bed is 5 and date is in 2026: **105.70**" in bed, bed
    most = ws.chat.ask("what crop gave us the most in october 2026").text
    assert "Adding up weight kg in harvest_log by crop where date is in October 2026, largest first" in most, most
    assert most.index("Squash") < most.index("Leeks"), most
    biggest = ws.chat.ask("whats the biggest single harvest in the log").text
    assert biggest.startswith("The row of harvest_log with the highest weight kg") and "09-18" in biggest, biggest


def test_a_market_makes_money_an_invoice_is_its_amount_and_a_tunnels_cold_nights_are_its_min(
        ws: Workspace, tmp_path: Path) -> None:
    # "make" was no money word; "the biggest invoice" had amount and amount paid to choose from;
    # "coldest" fitted three temperature columns; "how many frosts" was read as frosts counted up
    _all_approved(ws, tmp_path, {
        "market_takings_2026.csv": "date,cash,card_sumup,pitch_fee\n2026-10-03,199.40,135.55,18\n"
                                   "2026-10-17,228.65,251.25,18\n2026-11-21,198.50,241.80,18\n",
        "restaurant_invoices.csv": "inv_no,date,restaurant,amount,amount_paid,status\n"
                                   "INV-040,2026-10-23,Stone Hare,138.90,0,OVERDUE\n"
                                   "INV-041,2026-10-30,Stone Hare,171.60,171.60,paid\n"
                                   "INV-042,2026-11-06,Wren & Barley,84.20,0,overdue\n",
        "tunnel_temps.csv": "date,tunnel_min_c,tunnel_max_c,outside_min_c,frost\n2026-11-17,1.2,9.0,-1.5,true\n"
                            "2026-11-19,-2.1,7.5,-5.2,true\n2026-11-20,0.4,8.1,-3.0,true\n"
                            "2026-11-22,3.5,10.2,2.0,false\n"})
    made = ws.chat.ask("how much did the market make in oct 2026").text
    assert "total cash **428.05** and total card sumup **386.80**" in made, made
    invoice = ws.chat.ask("whats the biggest invoice").text
    assert "The row of restaurant_invoices with the highest amount:" in invoice and "INV-041" in invoice, invoice
    cold = ws.chat.ask("coldest night in the tunnel in november 2026").text
    assert "The row of tunnel_temps with the lowest tunnel min c" in cold and "-2.1" in cold, cold
    frosts = ws.chat.ask("how many frosts have we had in november 2026").text
    assert "where date is in November 2026 and frost is yes: **3 rows**" in frosts, frosts


def test_the_bank_balance_is_the_latest_rows_balance(ws: Workspace, tmp_path: Path) -> None:
    # "whats the bank balance" asked for no operation, and "bank" was no word of the statement
    _tables_of(ws, tmp_path, {"statement.csv": "date,type,description,paid_out,paid_in,balance\n"
                                               "2026-11-20,FP,FIRST TUNNELS LTD,684,,3911.26\n"
                                               "2026-11-23,DD,ECOTRICITY,84.00,,3827.26\n"
                                               "2026-11-23,CR,SUMUP PAYOUT,,237.71,4064.97\n"})
    answer = ws.chat.ask("whats the bank balance").text
    assert answer.startswith("The row of statement with the latest date") and "4064.97" in answer, answer


def test_what_another_paid_out_is_money_in(ws: Workspace, tmp_path: Path) -> None:
    # "how much did sumup pay out in oct" added up the statement's paid out column of SumUp's rows: none
    _tables_of(ws, tmp_path, {"statement.csv": "date,type,description,paid_out,paid_in,balance\n"
                                               "2026-10-05,CR,SUMUP PAYOUT,,180.20,2000.00\n"
                                               "2026-10-06,FP,FIRST TUNNELS LTD,684,,1316.00\n"
                                               "2026-10-19,CR,SUMUP PAYOUT,,322.90,1638.90\n"})
    answer = ws.chat.ask("how much did sumup pay out in oct 2026").text
    assert "Adding up paid in from statement where description is SUMUP PAYOUT" in answer, answer
    assert "**503.10**" in answer, answer
    mine = ws.chat.ask("how much have i paid out in october 2026").text
    assert "Adding up paid out in statement where date is in October 2026: **684**" in mine, mine


def test_what_a_row_turned_into_is_the_value_it_became(ws: Workspace, tmp_path: Path) -> None:
    # "turned into bookings" named the bookings table's word, not the outcome "booked"
    _tables_of(ws, tmp_path, {"enquiries.csv": "date_in,name,what,outcome\n2026-01-05,Jade Kerr,Wedding,too expensive\n"
                                               "2026-02-11,Sarah Evans,Wedding,BOOKED\n"
                                               "2026-03-02,Redland Physio,Headshots,booked\n"
                                               "2026-04-09,Poppy Lane,Wedding,call booked 26/11\n"})
    answer = ws.chat.ask("how many enquiries turned into bookings in 2026").text
    assert "where outcome is BOOKED and date in is in 2026: **2 rows**" in answer, answer


REGISTER = """pupil,instrument,working_towards,day,time,status
Sam Whitaker,Piano,Grade 3,Mon,16:00,active
Chloe Barraclough,Singing,musical theatre (no exams),Mon,19:00,active
Arjun Patel,Piano,Grade 6,Tue,16:15,active
Grace Adeyemi,Singing,Grade 7,Wed,17:00,active
Jack Thornton,Singing,Grade 5,Thu,16:00,active
Daniel Osei,Piano,Grade 8,Thu,18:00,active
Rohan Patel,Piano,Initial,Tue,17:30,active
Hugo Ward,Singing,Grade 4,Mon,17:00,paused
Maisie Thornton,Piano,Grade 1,Thu,16:30,left
"""


def test_who_are_the_rows_of_people_the_question_picks_as_they_are_now(ws: Workspace, tmp_path: Path) -> None:
    # "who are my singing pupils" was a look-up, not a list, and declined; so was "whos on the waiting list"
    _tables_of(ws, tmp_path, {"pupils.csv": REGISTER,
                              "waiting_list.csv": "name,instrument,added\nNoah Fairclough,Piano,2026-10-14\n"
                                                  "Amelia Shaw,Singing,2026-09-02\n"})
    singers = ws.chat.ask("who are my singing pupils").text
    assert singers.startswith("The rows of pupils where instrument is Singing and status is not") and "paused" in \
        singers.split("\n")[0], singers
    assert "Grace Adeyemi" in singers and "Jack Thornton" in singers and "Hugo Ward" not in singers, singers
    waiting = ws.chat.ask("whos on the waiting list").text
    assert waiting.startswith("The rows of waiting_list:") and "Noah Fairclough" in waiting \
        and "Amelia Shaw" in waiting, waiting


def test_a_day_said_keeps_the_rows_of_a_column_of_weekdays(ws: Workspace, tmp_path: Path) -> None:
    # "on thursdays" was a period of a date column, and the register has none: declined
    _tables_of(ws, tmp_path, {"pupils.csv": REGISTER})
    answer = ws.chat.ask("who have i got on thursdays").text
    assert answer.startswith("The rows of pupils where day is Thu and status is not"), answer
    assert "Jack Thornton" in answer and "Daniel Osei" in answer and "Maisie Thornton" not in answer, answer
    assert "Sam Whitaker" not in answer, answer


def test_a_grade_compared_is_the_number_after_its_word_in_the_cells(ws: Workspace, tmp_path: Path) -> None:
    # "grade 5 or above" kept the cells "Grade 5" and compared no column: declined
    _tables_of(ws, tmp_path, {"pupils.csv": REGISTER})
    answer = ws.chat.ask("how many of my pupils are grade 5 or above").text
    assert "Counting the rows of pupils where working towards is at least 5" in answer, answer
    assert "**4 rows**" in answer, answer  # Grade 6, 7, 5 and 8; not "Initial" nor musical theatre


@pytest.mark.parametrize(("today", "said", "span"), [
    (datetime.date(2026, 11, 25), "this term", (datetime.date(2026, 9, 1), datetime.date(2027, 1, 1))),
    (datetime.date(2026, 11, 25), "last term", (datetime.date(2026, 4, 1), datetime.date(2026, 9, 1))),
    (datetime.date(2027, 1, 10), "last term", (datetime.date(2026, 9, 1), datetime.date(2027, 1, 1))),
    (datetime.date(2026, 5, 2), "this term", (datetime.date(2026, 4, 1), datetime.date(2026, 9, 1))),
])
def test_a_school_term_is_a_span_of_months_counted_from_today(today: datetime.date, said: str,
                                                              span: tuple[datetime.date, datetime.date]) -> None:
    period = aggregates._period(f"how many lessons have i taught {said}", today)
    assert period.span == span and "term" in period.words, period


def test_a_value_of_several_words_is_said_in_the_plural_too(ws: Workspace, tmp_path: Path) -> None:
    # "no shows" was not the status "no show"; and a log named for a season called its rows "autumn"
    today = datetime.date.today()
    rows = "".join(f"{today - datetime.timedelta(days=d)},Sam Whitaker,{s}\n"
                   for d, s in ((1, "taught"), (2, "no show"), (3, "taught"), (4, "no show"), (5, "late cancel")))
    answer = _asked(ws, tmp_path / "lesson_log_autumn.csv", "lesson_date,pupil,status\n" + rows,
                    "how many no shows have there been")
    assert "Counting the rows of lesson_log_autumn where status is no show: **2 rows**" in answer, answer
    assert aggregates.table_noun("lesson_log_autumn_2026") == "lesson"


def test_a_bank_exports_local_amount_is_not_added_up_beside_its_amount(ws: Workspace, tmp_path: Path) -> None:
    # a Monzo export's local_amount (the same money in dollars) was added up too: "total amount
    # -31.60 and total local amount -39.90"
    year = datetime.date.today().year
    answer = _asked(ws, tmp_path / "statement.csv",
                    "date,name,category,amount,currency,local_amount,local_currency\n"
                    f"{year}-01-05,MYMUSICSTAFF.COM,Software,-15.69,GBP,-19.95,USD\n"
                    f"{year}-02-05,MYMUSICSTAFF.COM,Software,-15.91,GBP,-19.95,USD\n"
                    f"{year}-02-07,PRESTO MUSIC,Sheet music,-24.99,GBP,-24.99,GBP\n",
                    "how much has mymusicstaff cost me this year")
    assert "Adding up amount in statement where name is MYMUSICSTAFF.COM" in answer and "**-31.60**" in answer, answer
    assert "local" not in answer.split("\n")[0], answer


def test_paid_late_is_paid_and_a_debt_written_off_is_owed_no_more(ws: Workspace, tmp_path: Path) -> None:
    # "paid late" was not "paid", so it was owed; and a sheet whose rows were all paid or written off
    # kept none out, then its empty paid_on said the written-off row was owed
    _all_approved(ws, tmp_path, {
        "fees_now.csv": "pupil,amount,paid_on,paid,status\nSam,247,2026-09-10,247,paid\n"
                        "Tom,351,2026-10-02,351,paid late\nOliver,247,2026-09-30,130,part paid\n"
                        "Daniel,455,,,OVERDUE\n",
        "fees_old.csv": "term,pupil,amount,paid_on,paid,status\nAutumn 2025,Ben,234,,,written off\n"
                        "Autumn 2025,Jack,234,2025-10-01,234,paid late\nAutumn 2025,Sam,234,2025-09-16,234,paid\n"})
    now = ws.chat.ask("who still owes me money").text
    assert "The rows of fees_now where status is not paid or paid late" in now, now
    assert "Daniel" in now and "Oliver" in now and "Tom" not in now and "Ben" not in now, now
    late = ws.chat.ask("who paid late").text  # the rows "paid late", not what is owed
    assert "where status is paid late" in late and "Tom" in late and "Daniel" not in late, late
    owed = ws.chat.ask("how much is outstanding").text
    assert "fees_old where status is not paid late or paid or written off: no rows match" in owed, owed
    assert "fees_now where status is not paid or paid late (rows part paid counted in full): total amount " \
           "**702**" in owed, owed


def test_the_same_question_of_tables_of_the_same_columns_is_one_answer(ws: Workspace, tmp_path: Path) -> None:
    # a workbook's sheet a year: "how much has daniel paid me" was two totals for the person to add
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Autumn 2026"
    for row in (["pupil", "paid_on", "paid"], ["Daniel Osei", datetime.date(2026, 9, 9), 97],
                ["Sam Whitaker", datetime.date(2026, 9, 10), 247]):
        wb.active.append(row)
    last = wb.create_sheet("2025-26")
    for row in (["pupil", "paid_on", "paid"], ["Daniel Osei", datetime.date(2026, 3, 3), 462],
                ["Daniel Osei", datetime.date(2026, 5, 3), 374], ["Daniel Osei", datetime.date(2025, 10, 1), 440]):
        last.append(row)
    wb.save(tmp_path / "fees.xlsx")
    assert [p.status for p in ws.tables.import_all(tmp_path / "fees.xlsx")] == ["applied", "applied"]
    answer = ws.chat.ask("how much has daniel osei paid me in 2026").text
    assert "Adding up paid in fees_2025_26 and fees_autumn_2026 where pupil is Daniel Osei and paid on is in " \
           "2026: **933**, over 3 rows" in answer, answer
    assert "could each answer" not in answer, answer
