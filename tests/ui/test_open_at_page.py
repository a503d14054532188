"""Opening a PDF at a page: in the default PDF program when it takes a page, else saying where."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import ui
from engine.search import SearchHit
from ui.search import SearchPane


def fake_desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default: str, programs: tuple[str, ...]) -> None:
    """A PATH whose ``xdg-mime query default application/pdf`` answers ``default``, with ``programs``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {"xdg-mime": f'[ "$*" = "query default application/pdf" ] && echo "{default}"\n'}
    scripts |= {name: "exit 0\n" for name in programs}
    for name, body in scripts.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + body, encoding="utf-8")
        (bin_dir / name).chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", str(bin_dir))
    ui.default_pdf_app.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_lookup():  # type: ignore[no-untyped-def]
    ui.default_pdf_app.cache_clear()
    yield
    ui.default_pdf_app.cache_clear()  # the real desktop's answer, asked again


@pytest.mark.parametrize(("default", "program", "expected"), [
    ("org.gnome.Evince.desktop", "evince", ["--page-index=3"]),
    ("okularApplication_pdf.desktop", "okular", ["--page", "3"]),
    ("org.pwmt.zathura-pdf-mupdf.desktop", "zathura", ["--page=3"]),
    ("atril.desktop", "atril", ["--page-index=3"]),
])
def test_the_default_pdf_viewer_is_given_the_page(tmp_path, monkeypatch, default, program, expected) -> None:
    fake_desktop(tmp_path, monkeypatch, default, (program,))
    pdf = str(tmp_path / "report.pdf")
    assert ui.default_pdf_app() == default
    assert ui.pdf_page_command(pdf, 3) == [str(tmp_path / "bin" / program), *expected, pdf]
    assert ui.opens_at_page(pdf)


def test_a_browser_gets_the_page_in_the_url_and_other_viewers_and_files_get_none(tmp_path, monkeypatch) -> None:
    fake_desktop(tmp_path, monkeypatch, "firefox_firefox.desktop", ("firefox",))
    pdf = tmp_path / "solar report.pdf"
    assert ui.pdf_page_command(str(pdf), 2) == [str(tmp_path / "bin" / "firefox"), pdf.as_uri() + "#page=2"]
    assert ui.pdf_page_command(str(tmp_path / "notes.md"), 2) is None
    assert ui.pdf_page_command(str(pdf), 2, app="org.gnome.Evince.desktop") is None  # not on the PATH: a Flatpak
    assert ui.pdf_page_command(str(pdf), 2, app="org.example.Viewer.desktop",
                               which=lambda name: f"/usr/bin/{name}") is None


def pdf_hit_pane(qtbot, tmp_path: Path) -> tuple[SearchPane, str]:  # type: ignore[no-untyped-def]
    from grace_desktop.runner import Runner

    pdf = tmp_path / "solar-report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    pane = SearchPane(Runner())
    qtbot.addWidget(pane)
    pane.show_results("yield", [SearchHit(str(pdf), 1, 0.9, 2, 1, 1, "Yield", "The yield was 5,210 kWh.")])
    return pane, str(pdf)


def test_a_pdf_result_opens_in_the_viewer_at_its_page(qtbot, tmp_path, monkeypatch) -> None:
    fake_desktop(tmp_path, monkeypatch, "org.gnome.Evince.desktop", ("evince",))
    started: list[list[str]] = []
    opened: list[str] = []
    monkeypatch.setattr(ui, "start_detached", lambda command: started.append(command) or True)
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url.toString()) or True)
    pane, pdf = pdf_hit_pane(qtbot, tmp_path)

    assert pane.open_hit(0)
    assert started == [[str(tmp_path / "bin" / "evince"), "--page-index=2", pdf]] and not opened  # was #page=2
    assert "page 2" not in pane.status.text()


def test_a_pdf_result_a_viewer_cannot_open_at_its_page_says_where_the_passage_is(qtbot, tmp_path,
                                                                                monkeypatch) -> None:
    fake_desktop(tmp_path, monkeypatch, "org.example.Viewer.desktop", ())
    opened: list[str] = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url.toString()) or True)
    pane, pdf = pdf_hit_pane(qtbot, tmp_path)

    assert pane.open_hit(0)
    assert opened == [Path(pdf).as_uri() + "#page=2"]  # a browser set as the handler honours it
    assert pane.status.text().replace("\u200b", "") == ("Opened “solar-report.pdf” at its start: the passage "
                                                        "is on page 2.")
    monkeypatch.setattr(ui, "open_url", lambda url: False)
    assert not pane.open_hit(0)
    assert pane.status.text().replace("\u200b", "").startswith("No program on this computer would open")
    assert os.path.basename(pdf) in pane.status.text().replace("\u200b", "")


def test_a_frozen_app_starts_system_programs_with_their_own_libraries(monkeypatch) -> None:
    monkeypatch.setenv("LD_LIBRARY_PATH", "/tmp/_MEI123")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    assert ui.system_env()["LD_LIBRARY_PATH"] == "/tmp/_MEI123"  # not frozen: as it is
    monkeypatch.setattr("sys.frozen", True, raising=False)
    env = ui.system_env()
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib" and "LD_LIBRARY_PATH_ORIG" not in env
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG")
    assert "LD_LIBRARY_PATH" not in ui.system_env()
