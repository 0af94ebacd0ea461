"""prepare() and inspect(): rows shaped for each TRL trainer, the split, notes and token stats."""
import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from trl.data_utils import is_conversational  # noqa: E402

from studio.data import FORMAT_FOR_OBJECTIVE, inspect, prepare  # noqa: E402
from studio.prompting import render_plain  # noqa: E402
from studio.recipe import OBJECTIVE_KINDS, DataSection  # noqa: E402
from tests.tiny import tiny_tokenizer  # noqa: E402

U = lambda text: {"role": "user", "content": text}  # noqa: E731
A = lambda text: {"role": "assistant", "content": text}  # noqa: E731
S = lambda text: {"role": "system", "content": text}  # noqa: E731

ALPACA = [{"instruction": f"What is {i}+{i}?", "output": str(2 * i)} for i in range(20)]
PREFERENCE = [{"prompt": f"Say {i}", "chosen": f"{i}", "rejected": f"no {i}"} for i in range(10)]
KTO = [{"prompt": f"Say {i}", "completion": f"{i}", "label": i % 2 == 0} for i in range(6)]


def jsonl(tmp_path, rows, name="data.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)


def run(tmp_path, rows, objective, style, **data):
    cfg = DataSection(path=jsonl(tmp_path, rows), **{"val_split": 0.0, **data})
    return prepare(cfg, objective, tiny_tokenizer(), style)


def test_every_objective_has_its_formats():
    assert set(FORMAT_FOR_OBJECTIVE) == set(OBJECTIVE_KINDS)
    assert FORMAT_FOR_OBJECTIVE["pretrain"][0] == "text" and FORMAT_FOR_OBJECTIVE["kto"][0] == "kto"


def test_sft_plain_and_chat(tmp_path):
    plain = run(tmp_path, ALPACA, "sft", "plain")
    assert plain.train[0] == {"prompt": render_plain([U("What is 0+0?")]), "completion": "0"}
    assert plain.format == "alpaca" and plain.eval is None
    chat = run(tmp_path, ALPACA, "sft", "chat", system_prompt="Be brief.")
    assert chat.train[0] == {"prompt": [S("Be brief."), U("What is 0+0?")], "completion": [A("0")]}
    assert is_conversational(chat.train[0])


def test_instruction_chat_keeps_whole_conversations(tmp_path):
    conversation = [U("hi"), A("yo"), U("more"), A("ok")]
    data = run(tmp_path, [{"messages": conversation}] * 2, "instruction", "chat")
    assert data.train[0] == {"messages": conversation} and data.notes == []
    plain = run(tmp_path, [{"messages": conversation}] * 2, "instruction", "plain")
    assert plain.train[0]["prompt"] == "User: hi\nAssistant: yo\nUser: more\nAssistant: "
    assert [n.key for n in plain.notes] == ["data.note.last_turn_only"]


def test_pretrain_from_text_and_from_conversations(tmp_path):
    text = run(tmp_path, [{"text": "Paris is in France."}] * 2, "pretrain", "plain")
    assert text.train[0] == {"text": "Paris is in France."} and text.notes == []
    flat = run(tmp_path, ALPACA[:2], "pretrain", "plain")
    assert flat.train[0] == {"text": "What is 0+0?\n0"}
    assert [n.key for n in flat.notes] == ["data.note.flattened"]
    chat = run(tmp_path, ALPACA[:2], "pretrain", "chat")
    assert chat.train[0]["text"] == tiny_tokenizer().apply_chat_template([U("What is 0+0?"), A("0")], tokenize=False)


@pytest.mark.parametrize("objective", ["reward", "dpo", "orpo"])
def test_preference_objectives(tmp_path, objective):
    chat = run(tmp_path, PREFERENCE, objective, "chat")
    assert chat.train[0] == {"prompt": [U("Say 0")], "chosen": [A("0")], "rejected": [A("no 0")]}
    plain = run(tmp_path, PREFERENCE, objective, "plain")
    assert plain.train[0] == {"prompt": "Say 0\n", "chosen": "0", "rejected": "no 0"}


def test_implicit_prompt_rows_pass_through(tmp_path):
    rows = [{"chosen": "Q: a A: good", "rejected": "Q: a A: bad"}] * 2
    assert run(tmp_path, rows, "dpo", "chat").train[0] == {"chosen": "Q: a A: good", "rejected": "Q: a A: bad"}


def test_kto_from_kto_and_from_preference(tmp_path):
    data = run(tmp_path, KTO, "kto", "chat")
    assert data.train[1] == {"prompt": [U("Say 1")], "completion": [A("1")], "label": False}
    unpaired = run(tmp_path, PREFERENCE[:3], "kto", "plain")
    assert len(unpaired.train) == 6 and unpaired.train[:2] == {
        "prompt": ["Say 0\n", "Say 0\n"], "completion": ["0", "no 0"], "label": [True, False]}
    assert [n.key for n in unpaired.notes] == ["data.note.unpaired"] and "6 rows" in str(unpaired.notes[0])


def test_rl_prompts_with_reference_answers(tmp_path):
    assert run(tmp_path, ALPACA[:2], "rl", "chat").train[1] == {"prompt": [U("What is 1+1?")], "answer": "2"}
    assert run(tmp_path, PREFERENCE[:2], "rl", "plain").train[0] == {"prompt": "Say 0\n", "answer": "0"}
    kto = run(tmp_path, KTO[:2], "rl", "chat").train
    assert kto["answer"] == ["0", None]


def test_split_is_seeded_and_keeps_at_least_one_eval_row(tmp_path):
    cfg = DataSection(path=jsonl(tmp_path, ALPACA), val_split=0.1)
    first, again = (prepare(cfg, "sft", tiny_tokenizer(), "plain", seed=7) for _ in range(2))
    assert len(first.train) == 18 and len(first.eval) == 2
    assert first.eval["prompt"] == again.eval["prompt"]
    assert first.eval["prompt"] != prepare(cfg, "sft", tiny_tokenizer(), "plain", seed=8).eval["prompt"]
    assert set(first.train["prompt"]).isdisjoint(first.eval["prompt"])
    assert "data.note.small_eval" in [n.key for n in first.notes]
    tiny = prepare(DataSection(path=jsonl(tmp_path, ALPACA[:3], "t.jsonl"), val_split=0.01), "sft", tiny_tokenizer(), "plain")
    assert (len(tiny.train), len(tiny.eval)) == (2, 1)


def test_single_row_gets_no_eval_split_and_a_note(tmp_path):
    data = prepare(DataSection(path=jsonl(tmp_path, ALPACA[:1]), val_split=0.2), "sft", tiny_tokenizer(), "plain")
    assert data.eval is None and [n.key for n in data.notes] == ["data.note.no_eval_split"]


def test_eval_path_and_max_rows(tmp_path):
    cfg = DataSection(path=jsonl(tmp_path, ALPACA), eval_path=jsonl(tmp_path, ALPACA[:4], "eval.jsonl"), max_rows=5)
    data = prepare(cfg, "sft", tiny_tokenizer(), "plain")
    assert (len(data.train), len(data.eval)) == (5, 4)
    assert (data.stats["train_rows"], data.stats["eval_rows"], data.stats["rows"]) == (5, 4, 9)


def test_notes_and_stats_count_dropped_rows(tmp_path):
    rows = ALPACA[:5] + [{"instruction": "q", "output": ""}, {"instruction": "", "output": "a"}]
    data = run(tmp_path, rows, "sft", "plain")
    assert data.stats["dropped"] == 2 and len(data.train) == 5
    assert sorted(n.column for n in data.notes) == ["instruction", "output"]


def test_stats_measure_the_text_training_sees(tmp_path):
    tok = tiny_tokenizer()
    data = run(tmp_path, ALPACA[:4], "instruction", "chat", max_length=30)
    lengths = [len(tok(tok.apply_chat_template(r["messages"], tokenize=False), add_special_tokens=False)["input_ids"])
               for r in data.train]
    stats = data.stats
    assert stats["tokens"]["min"] == min(lengths) and stats["tokens"]["max"] == max(lengths)
    assert stats["tokens"]["total"] == sum(lengths)
    assert stats["truncated"] == sum(n > 30 for n in lengths) and stats["max_length"] == 30
    assert sum(stats["histogram"]["counts"]) == 4
    assert len(stats["histogram"]["edges"]) == len(stats["histogram"]["counts"]) + 1
    plain = run(tmp_path, ALPACA[:4], "sft", "plain").stats
    expected = [len(tok(r["prompt"] + r["completion"])["input_ids"]) + 1 for r in run(tmp_path, ALPACA[:4], "sft", "plain").train]
    assert plain["tokens"]["total"] == sum(expected)
    assert set(stats) == {"rows", "train_rows", "eval_rows", "format", "tokens", "histogram", "max_length",
                          "truncated", "dropped"}


def test_inspect_previews_and_measures(tmp_path):
    path = jsonl(tmp_path, ALPACA[:3] + [{"instruction": "", "output": "x"}])
    found = inspect(path, tokenizer=tiny_tokenizer(), max_length=8, preview_rows=2)
    assert (found.format, found.columns, found.rows) == ("alpaca", ["instruction", "output"], 4)
    assert found.preview == ALPACA[:2] and found.problems == []
    assert found.stats["rows"] == 3 and found.stats["dropped"] == 1 and found.stats["truncated"] == 3
    assert [n.key for n in found.notes] == ["data.note.empty_cell"]


def test_inspect_a_txt_file_for_pretraining(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("Chapter one.\nIt begins.\n\nChapter two.\n", encoding="utf-8")
    found = inspect(path, objective="pretrain", tokenizer=tiny_tokenizer())
    assert found.format == "text" and found.rows == 2 and found.stats["tokens"]["total"] > 0


def test_rows_sharing_a_prompt_stay_on_one_side_of_the_split(tmp_path):
    import json as _json

    from studio.data import prepare
    from studio.recipe import DataSection
    from tests.tiny import tiny_tokenizer

    rows = [{"prompt": f"question {i // 4}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(80)]
    path = tmp_path / "ranked.jsonl"
    path.write_text("".join(_json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    data = prepare(DataSection(path=str(path), val_split=0.2), "dpo", tiny_tokenizer(), "plain")
    train_prompts = {r["prompt"] for r in data.train.to_list()}
    eval_prompts = {r["prompt"] for r in data.eval.to_list()}
    assert train_prompts and eval_prompts and not train_prompts & eval_prompts
    assert len(data.eval) == 16
