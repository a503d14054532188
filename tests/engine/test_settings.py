"""Settings are checked against their declaration, with sentences a person understands."""

from __future__ import annotations

import pytest

from engine import Workspace
from engine.errors import SettingError
from engine.settings import Setting


def test_a_setting_of_the_wrong_kind_is_refused_in_plain_words(ws: Workspace) -> None:
    with pytest.raises(SettingError, match="'search_k' needs a whole number, not 'abc'"):
        ws.set_setting("search_k", "abc")
    assert ws.setting("search_k") == 10


def test_a_yes_no_setting_takes_its_usual_spellings_and_refuses_the_rest() -> None:
    flag = Setting("sample_flag", False, "A yes/no setting.")
    assert [flag.coerce(v) for v in ("yes", "On", "1", True, "no", "off", "0", False)] == [True] * 4 + [False] * 4
    with pytest.raises(SettingError, match="needs true or false"):
        flag.coerce("maybe")  # not quietly taken as "no"


def test_several_settings_are_saved_together_or_not_at_all(ws: Workspace) -> None:
    before = len(ws.audit_entries(1000))
    with pytest.raises(SettingError, match="'search_k' needs a whole number"):
        ws.set_settings({"llm_model": "a-model", "search_k": "abc"})
    assert ws.setting("llm_model") != "a-model" and len(ws.audit_entries(1000)) == before  # nothing half-saved
    ws.set_settings({"llm_model": "a-model", "search_k": 17})
    assert (ws.setting("llm_model"), ws.setting("search_k")) == ("a-model", 17)
    assert len(ws.audit_entries(1000)) == before + 2  # one entry per change
