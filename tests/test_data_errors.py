"""Every way a data file can be wrong ends in a DataError that names the file, the row or line and
the column, and says what to do, in English and in Chinese. Malformed files are built here."""
import json
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.data import inspect, normalise, prepare, read_records  # noqa: E402
from studio.data.problems import MAX_CELL_CHARS  # noqa: E402
from studio.errors import DataError  # noqa: E402
from studio.i18n import catalog, placeholders  # noqa: E402
from studio.recipe import DataSection  # noqa: E402
from tests.tiny import tiny_tokenizer  # noqa: E402


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def jsonl(tmp_path, rows, name="data.jsonl"):
    return write(tmp_path, name, "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")


def check(error: DataError, key: str, *parts) -> DataError:
    """`error` has `key`; its English names every part; both languages fill every placeholder
    and name the file, the row and the column."""
    assert isinstance(error, DataError)
    assert error.key == key, f"{error.key} != {key}: {error}"
    for part in parts:
        assert str(part) in error.render("en"), f"{part!r} not in: {error}"
    for lang in ("en", "zh"):
        text = error.render(lang)
        assert key in catalog(lang), f"{key} missing in {lang}.yaml"
        assert not [n for n in placeholders(catalog(lang)[key]) if "{%s}" % n in text], text
        where = [error.params.get("file"), error.row, error.column, *(error.params.get("rows") or [])[:1]]
        for part in filter(None, where):
            assert str(part) in text, f"{part!r} not in {lang}: {text}"
    return error


def raised(fn, *args, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        fn(*args, **kwargs)
    return info.value


# --- the file itself ------------------------------------------------------------------------

def test_missing_file(tmp_path):
    check(raised(read_records, tmp_path / "nope.jsonl"), "data.err.file_missing", "nope.jsonl")


def test_no_path_given():
    check(raised(read_records, ""), "data.err.no_path", "data.path")


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "folder.jsonl").mkdir()
    check(raised(read_records, tmp_path / "folder.jsonl"), "data.err.is_directory", "folder.jsonl")


@pytest.mark.parametrize("content", [b"", "  \n\n \t\n", "\ufeff\n"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, "blank.csv", content)
    check(raised(read_records, path), "data.err.empty_file", "blank.csv")


@pytest.mark.parametrize("name,content", [("head.csv", "instruction,output\n"), ("list.json", "[]"),
                                          ("obj.json", '{"data": []}')])
def test_no_rows(tmp_path, name, content):
    check(raised(read_records, write(tmp_path, name, content)), "data.err.no_rows", name)


@pytest.mark.parametrize("name,key", [("table.xlsx", "data.err.spreadsheet"), ("notes.docx", "data.err.unsupported_extension"),
                                      ("paper.pdf", "data.err.unsupported_extension"), ("data", "data.err.no_extension")])
def test_unsupported_extension(tmp_path, name, key):
    error = check(raised(read_records, write(tmp_path, name, b"PK\x03\x04 whatever")), key, name, ".jsonl", ".parquet")
    if key == "data.err.spreadsheet":
        assert "CSV UTF-8" in str(error)


def test_not_utf8_names_line_and_suggests_gbk(tmp_path):
    path = write(tmp_path, "gbk.csv", "instruction,output\n你好,hi\n".encode("gbk"))
    error = check(raised(read_records, path), "data.err.not_utf8", "gbk.csv", "line 2", "UTF-8", "GBK")
    assert "第 2 行" in error.render("zh")


# --- JSON and JSONL ---------------------------------------------------------------------------

def test_broken_jsonl_line_names_line_and_reason(tmp_path):
    path = write(tmp_path, "d.jsonl", '{"text": "a"}\n\n{"text": "b",}\n')
    error = check(raised(read_records, path), "data.err.bad_json_line", "d.jsonl", "line 3",
                  "Expecting property name enclosed in double quotes")
    assert error.row == 3
    assert "d.jsonl 第 3 行" in error.render("zh")


@pytest.mark.parametrize("name,content,key,parts", [
    ("d.jsonl", '{"text": "a"}\n["b"]\n', "data.err.line_not_object", ("line 2", "array")),
    ("d.json", '[{"text": "a"}, "b"]', "data.err.item_not_object", ("item 2", "string")),
    ("d.json", '[\n  {"text": "a"},\n  {"text": }\n]', "data.err.bad_json", ("line 3",)),
    ("d.csv", 'instruction,output\na,b\n"never closed,c\nd,e\n', "data.err.csv_unclosed_quote", ("row 3", "line 3")),
    ("d.csv", 'instruction,output\n"a"b,c\n', "data.err.csv_bad_quote", ("row 2",)),
])
def test_malformed_rows_are_named(tmp_path, name, content, key, parts):
    check(raised(read_records, write(tmp_path, name, content)), key, name, *parts)


@pytest.mark.parametrize("content", ['"just text"', '{"name": "x", "size": 3}', "42"])
def test_json_that_is_not_a_list(tmp_path, content):
    check(raised(read_records, write(tmp_path, "d.json", content)), "data.err.json_not_list", "d.json")


def test_json_with_two_lists_of_rows_is_ambiguous(tmp_path):
    path = write(tmp_path, "d.json", json.dumps({"train": [{"text": "a"}], "test": [{"text": "b"}]}))
    check(raised(read_records, path), "data.err.json_ambiguous", "d.json", "train", "test")


# --- CSV ------------------------------------------------------------------------------------

def test_csv_row_with_extra_field_names_the_spreadsheet_row(tmp_path):
    # row 2 spans two lines inside quotes: the bad record is spreadsheet row 3, file line 4
    path = write(tmp_path, "d.csv", 'instruction,output\n"two\nlines",ok\nhello, world,hi\n')
    error = check(raised(read_records, path), "data.err.csv_field_count", "d.csv", "row 3", "3 cells", "2 columns")
    assert error.row == 3


def test_csv_header_problems(tmp_path):
    check(raised(read_records, write(tmp_path, "a.csv", "text,,x\n1,2,3\n")), "data.err.csv_blank_header", "a.csv", "2")
    check(raised(read_records, write(tmp_path, "b.csv", "text,text\n1,2\n")), "data.err.csv_duplicate_header",
          "b.csv", "text")


# --- Parquet --------------------------------------------------------------------------------

def test_corrupted_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"text": ["a", "b"]}), good)
    write(tmp_path, "cut.parquet", good.read_bytes()[:-20])
    write(tmp_path, "junk.parquet", b"this is not parquet at all")
    for name in ("cut.parquet", "junk.parquet"):
        check(raised(read_records, tmp_path / name), "data.err.bad_parquet", name)


# --- columns and formats ----------------------------------------------------------------------

def test_unrecognised_columns_list_what_each_format_needs(tmp_path):
    path = jsonl(tmp_path, [{"question": "q", "answer": "a"}])
    error = check(raised(normalise, read_records(path), "auto"), "data.err.unknown_format", "data.jsonl",
                  "question, answer", "instruction, output", "conversations", "chosen, rejected", "data.columns")
    assert "{instruction: question" in str(error)


def test_forced_format_missing_columns(tmp_path):
    records = read_records(jsonl(tmp_path, [{"text": "t"}]))
    check(raised(normalise, records, "alpaca"), "data.err.missing_columns", "alpaca", "instruction, output", "text")


def test_mapping_to_a_missing_column(tmp_path):
    records = read_records(jsonl(tmp_path, [{"question": "q", "answer": "a"}]))
    check(raised(normalise, records, "auto", {"instruction": "question", "output": "reply"}),
          "data.err.mapping_missing_column", "data.jsonl", "reply", "question, answer")


def test_mapping_with_unknown_or_swapped_names(tmp_path):
    records = read_records(jsonl(tmp_path, [{"question": "q", "answer": "a"}]))
    check(raised(normalise, records, "auto", {"query": "question"}), "data.err.mapping_unknown_name", "query", "instruction")
    check(raised(normalise, records, "auto", {"question": "instruction"}), "data.err.mapping_swapped",
          "instruction: question")


# --- cells ----------------------------------------------------------------------------------

def test_list_where_text_is_expected(tmp_path):
    records = read_records(jsonl(tmp_path, [{"text": "fine"}, {"text": ["a", "b"]}]))
    error = check(raised(normalise, records, "auto"), "data.err.not_text", "data.jsonl", "line 2", "'text'", "['a', 'b']")
    assert (error.row, error.column) == (2, "text")


def test_huge_cell(tmp_path):
    records = read_records(jsonl(tmp_path, [{"text": "ok"}, {"text": "x" * (MAX_CELL_CHARS + 1)}]))
    check(raised(normalise, records, "text"), "data.err.huge_cell", "line 2", "'text'", str(MAX_CELL_CHARS + 1))


def test_empty_cells_are_skipped_and_reported_with_rows(tmp_path):
    path = write(tmp_path, "d.csv", "instruction,output\nq1,a1\n,a2\nq3,\nq4,a4\n  ,a5\n")
    rows, notes = normalise(read_records(path), "auto")
    assert len(rows) == 2 and rows.numbers == [2, 5]
    by_column = {note.column: note for note in notes}
    check(by_column["instruction"], "data.note.empty_cell", "d.csv", "rows 3, 6", "2 row(s)", "instruction")
    check(by_column["output"], "data.note.empty_cell", "d.csv", "row 4", "1 row(s)")
    assert "第 3、6 行" in by_column["instruction"].render("zh")


def test_nothing_left_after_skipping_is_an_error(tmp_path):
    records = read_records(jsonl(tmp_path, [{"text": ""}, {"text": "   "}, {"text": None}]))
    check(raised(normalise, records, "auto"), "data.err.all_empty_cell", "data.jsonl", "lines 1, 2, 3", "'text'")


# --- conversations --------------------------------------------------------------------------

def conv(*turns):
    return [{"from": role, "value": text} for role, text in turns]


def test_sharegpt_unknown_role(tmp_path):
    records = read_records(jsonl(tmp_path, [{"conversations": conv(("human", "hi"), ("gpt", "yo"))},
                                            {"conversations": conv(("human", "hi"), ("tool", "42"), ("gpt", "ok"))}]))
    error = check(raised(normalise, records, "auto"), "data.err.unknown_role", "line 2", "'conversations'",
                  "message 2", "tool", "human")
    assert error.params["message"] == 2


def test_conversation_not_ending_on_assistant(tmp_path):
    records = read_records(jsonl(tmp_path, [{"messages": [{"role": "user", "content": "hi"},
                                                          {"role": "assistant", "content": "yo"},
                                                          {"role": "user", "content": "and?"}]}]))
    check(raised(normalise, records, "auto"), "data.err.conversation_end", "line 1", "'messages'", "user")


def test_conversation_without_user_turn(tmp_path):
    records = read_records(jsonl(tmp_path, [{"messages": [{"role": "system", "content": "be nice"},
                                                          {"role": "assistant", "content": "yo"}]}]))
    check(raised(normalise, records, "auto"), "data.err.conversation_no_user", "line 1", "'messages'")


def test_empty_conversations_are_skipped_then_an_error_when_all_are(tmp_path):
    ok = {"conversations": conv(("human", "hi"), ("gpt", "yo"))}
    rows, notes = normalise(read_records(jsonl(tmp_path, [ok, {"conversations": []}])), "auto")
    assert len(rows) == 1
    check(notes[0], "data.note.empty_cell", "line 2", "conversations")
    records = read_records(jsonl(tmp_path, [{"conversations": []}, {"conversations": None}], "e.jsonl"))
    check(raised(normalise, records, "auto"), "data.err.all_empty_cell", "e.jsonl", "conversations")


def test_empty_message_in_conversation_is_skipped(tmp_path):
    records = read_records(jsonl(tmp_path, [{"conversations": conv(("human", "hi"), ("gpt", "yo"))},
                                            {"conversations": conv(("human", "hi"), ("gpt", ""))}]))
    rows, notes = normalise(records, "auto")
    assert len(rows) == 1
    check(notes[0], "data.note.empty_message", "line 2", "conversations")


def test_malformed_messages(tmp_path):
    records = read_records(jsonl(tmp_path, [{"messages": [{"speaker": "user", "words": "hi"}]}]))
    check(raised(normalise, records, "auto"), "data.err.bad_message", "line 1", "message 1", "speaker")
    path = write(tmp_path, "c.csv", "messages\nhello there\n")
    check(raised(normalise, read_records(path), "messages"), "data.err.not_conversation", "c.csv", "row 2",
          "hello there")


def test_bad_alpaca_history(tmp_path):
    records = read_records(jsonl(tmp_path, [{"instruction": "q", "output": "a", "history": [["only one"]]}]))
    check(raised(normalise, records, "auto"), "data.err.bad_history", "line 1", "'history'", "only one")


# --- preference and KTO ------------------------------------------------------------------------

def test_kto_label_that_is_not_boolean(tmp_path):
    records = read_records(jsonl(tmp_path, [{"prompt": "p", "completion": "c", "label": "yes"},
                                            {"prompt": "p", "completion": "c", "label": "maybe"}]))
    error = check(raised(normalise, records, "auto"), "data.err.bad_label", "line 2", "'label'", "maybe", "true", "👎")
    assert error.column == "label"


def test_kto_completion_with_several_messages(tmp_path):
    records = read_records(jsonl(tmp_path, [{"prompt": "p", "label": 1, "completion": [
        {"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]}]))
    check(raised(normalise, records, "kto"), "data.err.kto_completion", "line 1", "completion")


def test_identical_chosen_and_rejected_are_skipped(tmp_path):
    rows_in = [{"prompt": "p", "chosen": "same", "rejected": "same"}, {"prompt": "p", "chosen": "good", "rejected": "bad"}]
    rows, notes = normalise(read_records(jsonl(tmp_path, rows_in)), "auto")
    assert len(rows) == 1
    check(notes[0], "data.note.same_answer", "line 1", "1 row(s)")
    records = read_records(jsonl(tmp_path, rows_in[:1], "same.jsonl"))
    check(raised(normalise, records, "auto"), "data.err.all_same_answer", "same.jsonl", "line 1")


def test_preference_conversations_without_shared_prompt(tmp_path):
    chosen = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "x"}]
    rejected = [{"role": "user", "content": "b"}, {"role": "assistant", "content": "y"}]
    records = read_records(jsonl(tmp_path, [{"chosen": chosen, "rejected": rejected}]))
    check(raised(normalise, records, "auto"), "data.err.preference_no_shared_prompt", "line 1")


# --- objectives -----------------------------------------------------------------------------

def test_format_that_cannot_feed_the_objective(tmp_path):
    path = jsonl(tmp_path, [{"text": "just text"}] * 3)
    error = check(raised(prepare, DataSection(path=str(path)), "dpo", tiny_tokenizer(), "chat"),
                  "data.err.objective_format", "data.jsonl", "text", "dpo", "preference", "pretrain")
    assert "sft" not in error.params["fits"]


def test_implicit_preference_rows_cannot_feed_kto(tmp_path):
    path = jsonl(tmp_path, [{"chosen": "good", "rejected": "bad"}] * 2)
    check(raised(prepare, DataSection(path=str(path)), "kto", tiny_tokenizer(), "chat"),
          "data.err.needs_prompt", "line 1", "kto", "prompt")


def test_rows_of_mixed_shapes(tmp_path):
    chosen = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    rejected = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b"}]
    path = jsonl(tmp_path, [{"chosen": "good", "rejected": "bad"}, {"chosen": chosen, "rejected": rejected}])
    check(raised(prepare, DataSection(path=str(path)), "dpo", tiny_tokenizer(), "plain"),
          "data.err.mixed_shapes", "line 2")


def test_chat_style_with_a_tokenizer_without_template(tmp_path):
    tok = tiny_tokenizer()
    bare = type(tok).from_pretrained(_saved(tok, tmp_path))
    bare.chat_template = None
    path = jsonl(tmp_path, [{"instruction": "q", "output": "a"}] * 2)
    check(raised(prepare, DataSection(path=str(path)), "instruction", bare, "chat"), "data.err.chat_template",
          "data.jsonl", "prompt_style")


def _saved(tok, tmp_path):
    tok.save_pretrained(tmp_path / "tok")
    return str(tmp_path / "tok")


# --- inspect never raises ---------------------------------------------------------------------

def test_inspect_returns_a_fatal_problem_instead_of_raising(tmp_path):
    found = inspect(write(tmp_path, "bad.jsonl", '{"text": "a"}\n{oops\n'))
    assert found.rows == 0 and found.format is None
    check(found.problems[0], "data.err.bad_json_line", "bad.jsonl", "line 2")
    assert inspect(tmp_path / "missing.csv").problems[0].key == "data.err.file_missing"


def test_inspect_lists_every_bad_row_with_row_and_column(tmp_path):
    rows = [{"prompt": "p", "completion": "c", "label": label} for label in ("yes", "meh", True, "??", "👎")]
    found = inspect(jsonl(tmp_path, rows), tokenizer=tiny_tokenizer())
    assert found.format == "kto" and found.rows == 5 and found.stats is None
    assert [(p.row, p.column) for p in found.problems] == [(2, "label"), (4, "label")]
    assert found.row_numbers == [1, 2, 3, 4, 5] and found.preview[1]["label"] == "meh"


def test_inspect_reports_an_objective_mismatch_as_a_problem(tmp_path):
    found = inspect(jsonl(tmp_path, [{"text": "a"}, {"text": "b"}]), objective="kto", tokenizer=tiny_tokenizer())
    assert found.format == "text"
    check(found.problems[0], "data.err.objective_format", "kto")
