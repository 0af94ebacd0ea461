"""Reading each supported file type into rows numbered the way the user counts them."""
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.data import SUPPORTED_EXTENSIONS, read_records  # noqa: E402


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_csv_with_bom_quotes_and_spreadsheet_row_numbers(tmp_path):
    path = write(tmp_path, "d.csv", 'instruction,output\n"a, with comma","line\nbreak"\n\nq,"say ""hi"""\n',
                 encoding="utf-8-sig")
    records = read_records(path)
    assert records == [{"instruction": "a, with comma", "output": "line\nbreak"},
                       {"instruction": "q", "output": 'say "hi"'}]
    assert (records.file, records.unit, records.numbers) == ("d.csv", "row", [2, 4])


def test_csv_trailing_delimiters_are_tolerated(tmp_path):
    assert read_records(write(tmp_path, "d.csv", "text,label\nhello,1,,\n")) == [{"text": "hello", "label": "1"}]


def test_tsv_and_semicolon_csv(tmp_path):
    assert read_records(write(tmp_path, "d.tsv", "text\tlabel\nhi, there\t1\n")) == [{"text": "hi, there", "label": "1"}]
    assert read_records(write(tmp_path, "e.csv", "text;label\nhi;1\n")) == [{"text": "hi", "label": "1"}]


def test_jsonl_counts_lines_including_blank_ones(tmp_path):
    records = read_records(write(tmp_path, "d.jsonl", '{"text": "a"}\n\n  \n{"text": "b\u2028c"}\n'))
    assert records == [{"text": "a"}, {"text": "b\u2028c"}]
    assert (records.unit, records.numbers) == ("line", [1, 4])


def test_json_list_and_a_single_list_under_a_key(tmp_path):
    assert read_records(write(tmp_path, "a.json", '[{"text": "a"}, {"text": "b"}]')).numbers == [1, 2]
    wrapped = {"version": 2, "tags": ["x"], "data": [{"text": "a"}]}
    records = read_records(write(tmp_path, "b.json", json.dumps(wrapped)))
    assert records == [{"text": "a"}] and records.unit == "item"


def test_json_lines_saved_as_json_and_a_json_list_saved_as_jsonl(tmp_path):
    assert read_records(write(tmp_path, "a.json", '{"text": "a"}\n{"text": "b"}\n')).unit == "line"
    assert read_records(write(tmp_path, "b.jsonl", '[\n {"text": "a"},\n {"text": "b"}\n]')) == [{"text": "a"}, {"text": "b"}]


def test_parquet_with_nested_messages(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    messages = [[{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}] for i in range(5)]
    pq.write_table(pa.table({"messages": messages}), tmp_path / "d.parquet")
    records = read_records(tmp_path / "d.parquet")
    assert records[4]["messages"][1] == {"role": "assistant", "content": "a4"}
    assert (records.unit, records.numbers) == ("row", [1, 2, 3, 4, 5])
    assert len(read_records(tmp_path / "d.parquet", max_rows=2)) == 2


def test_txt_by_paragraph_when_there_are_blank_lines(tmp_path):
    records = read_records(write(tmp_path, "d.txt", "First para\nstill first.\n\n\nSecond para.\r\n\r\nThird.\n"))
    assert [r["text"] for r in records] == ["First para\nstill first.", "Second para.", "Third."]
    assert records.numbers == [1, 5, 7]


def test_txt_by_line_otherwise(tmp_path):
    records = read_records(write(tmp_path, "d.txt", "one\ntwo\nthree"))
    assert [r["text"] for r in records] == ["one", "two", "three"] and records.numbers == [1, 2, 3]


def test_max_rows_caps_every_reader(tmp_path):
    rows = [{"text": str(i)} for i in range(10)]
    write(tmp_path, "d.jsonl", "\n".join(json.dumps(r) for r in rows))
    write(tmp_path, "d.json", json.dumps(rows))
    write(tmp_path, "d.csv", "text\n" + "\n".join(str(i) for i in range(10)))
    write(tmp_path, "d.txt", "\n".join(str(i) for i in range(10)))
    for name in ("d.jsonl", "d.json", "d.csv", "d.txt"):
        assert len(read_records(tmp_path / name, max_rows=3)) == 3, name


def test_extensions_are_matched_regardless_of_case(tmp_path):
    assert read_records(write(tmp_path, "D.JSONL", '{"text": "a"}')) == [{"text": "a"}]
    assert ".parquet" in SUPPORTED_EXTENSIONS


def test_a_one_line_json_list_saved_as_jsonl(tmp_path):
    assert read_records(write(tmp_path, "d.jsonl", '[{"text": "a"}, {"text": "b"}]')).unit == "item"
