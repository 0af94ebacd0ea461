"""Format detection, column mapping, and the canonical rows each format becomes."""
import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.data import detect_format, normalise, read_records  # noqa: E402
from studio.data.cells import FALSE_LABELS, TRUE_LABELS  # noqa: E402

U = lambda text: {"role": "user", "content": text}  # noqa: E731
A = lambda text: {"role": "assistant", "content": text}  # noqa: E731
S = lambda text: {"role": "system", "content": text}  # noqa: E731


@pytest.mark.parametrize("columns,fmt", [
    ({"text": 1}, "text"),
    ({"instruction": 1, "input": 1, "output": 1}, "alpaca"),
    ({"conversations": 1}, "sharegpt"),
    ({"messages": 1, "id": 1}, "messages"),
    ({"prompt": 1, "completion": 1}, "prompt_completion"),
    ({"prompt": 1, "chosen": 1, "rejected": 1}, "preference"),
    ({"chosen": 1, "rejected": 1}, "preference"),
    ({"prompt": 1, "completion": 1, "label": 1}, "kto"),
    ({" Instruction": 1, "OUTPUT": 1}, "alpaca"),
])
def test_detection_from_column_names(columns, fmt):
    assert detect_format([columns]) == fmt


def test_mapping_overrides_detection():
    rows = [{"instruction": "i", "output": "o", "body": "raw text"}]
    assert detect_format(rows) == "alpaca"
    assert detect_format(rows, {"text": "body"}) == "text"
    canonical, _ = normalise(rows, "auto", {"text": "body"})
    assert canonical == [{"text": "raw text"}]


def test_mapping_renames_user_columns():
    rows = [{"question": "2+3?", "answer": 5}]
    canonical, notes = normalise(rows, "auto", {"instruction": "question", "output": "answer"})
    assert canonical == [{"messages": [U("2+3?"), A("5")]}] and notes == []


def test_alpaca_with_input_system_and_history():
    rows = [{"instruction": "Translate", "input": "cat", "output": "猫", "system": "Be brief.",
             "history": [["hi", "hello"]]}]
    (row,), _ = normalise(rows, "alpaca")
    assert row["messages"] == [S("Be brief."), U("hi"), A("hello"), U("Translate\ncat"), A("猫")]


def test_alpaca_history_as_json_text_in_a_csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('instruction,output,history\nq,a,"[[""u"", ""v""]]"\nq2,a2,\n', encoding="utf-8")
    canonical, _ = normalise(read_records(path), "auto")
    assert canonical[0]["messages"] == [U("u"), A("v"), U("q"), A("a")]
    assert canonical[1]["messages"] == [U("q2"), A("a2")]


def test_sharegpt_role_aliases_and_system_column():
    conversation = [{"from": "Human", "value": "hi"}, {"from": "bot", "value": "yo"},
                    {"from": "user", "value": "more"}, {"from": "model", "value": "ok"}]
    (row,), _ = normalise([{"conversations": conversation, "system": "sys"}], "auto")
    assert row["messages"] == [S("sys"), U("hi"), A("yo"), U("more"), A("ok")]


def test_messages_with_content_parts_and_empty_system():
    messages = [S(""), {"role": "user", "content": [{"type": "text", "text": "hel"}, {"type": "text", "text": "lo"}]},
                A("hi")]
    (row,), _ = normalise([{"messages": messages}], "auto")
    assert row["messages"] == [U("hello"), A("hi")]


def test_messages_as_json_text_in_a_csv(tmp_path):
    path = tmp_path / "d.csv"
    cell = json.dumps([U("q"), A("a")]).replace('"', '""')
    path.write_text(f'messages\n"{cell}"\n', encoding="utf-8")
    assert normalise(read_records(path), "auto")[0] == [{"messages": [U("q"), A("a")]}]


def test_prompt_completion_plain_and_conversational():
    rows = [{"prompt": "2+2=", "completion": 4}, {"prompt": [S("s"), U("q")], "completion": [A("a")]}]
    canonical, _ = normalise(rows, "auto")
    assert canonical == [{"messages": [U("2+2="), A("4")]}, {"messages": [S("s"), U("q"), A("a")]}]


def test_preference_explicit_implicit_and_conversational():
    rows = [
        {"prompt": "q", "chosen": "good", "rejected": "bad"},
        {"prompt": None, "chosen": [U("q"), A("good")], "rejected": [U("q"), A("bad")]},
        {"prompt": "q", "chosen": [U("q"), A("good")], "rejected": [A("bad")]},
    ]
    canonical, _ = normalise(rows[:1] + rows[2:], "preference")
    assert canonical == [{"prompt": [U("q")], "chosen": "good", "rejected": "bad"}] * 2
    implicit, _ = normalise([{k: v for k, v in rows[1].items() if k != "prompt"}], "auto")
    assert implicit == [{"prompt": [U("q")], "chosen": "good", "rejected": "bad"}]
    strings, _ = normalise([{"chosen": "Human: q Assistant: good", "rejected": "Human: q Assistant: bad"}], "auto")
    assert strings[0]["prompt"] is None


def test_preference_multi_turn_answers_stay_lists():
    chosen = [U("q"), A("a1"), U("more"), A("a2")]
    rejected = [U("q"), A("b1")]
    (row,), _ = normalise([{"chosen": chosen, "rejected": rejected}], "auto")
    assert row == {"prompt": [U("q")], "chosen": [A("a1"), U("more"), A("a2")], "rejected": "b1"}


@pytest.mark.parametrize("value,expected", [(v, True) for v in TRUE_LABELS + (True, 1, 1.0, " YES ")]
                         + [(v, False) for v in FALSE_LABELS + (False, 0, "False")])
def test_kto_labels(value, expected):
    (row,), _ = normalise([{"prompt": "p", "completion": "c", "label": value}], "kto")
    assert row == {"prompt": [U("p")], "completion": "c", "label": expected}


def test_numbers_in_text_columns_become_text_quietly():
    canonical, notes = normalise([{"text": 3.5}, {"text": 7}, {"text": True}], "auto")
    assert [r["text"] for r in canonical] == ["3.5", "7", "True"] and notes == []


def test_plain_lists_are_numbered_as_items():
    canonical, notes = normalise([{"text": "a"}, {"text": ""}], "auto", file="mine.json")
    assert canonical.numbers == [1] and "mine.json, item 2" in str(notes[0])
