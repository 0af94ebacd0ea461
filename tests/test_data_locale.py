"""The data layer's messages exist in both languages, with the same placeholders, and none is dead."""
import os
import re
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.data.problems import RowError  # noqa: E402
from studio.i18n import catalog, placeholders  # noqa: E402

SOURCE = Path(__file__).resolve().parent.parent / "studio" / "data"
CODE = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SOURCE.glob("*.py")))


def data_keys(lang):
    return {key: text for key, text in catalog(lang).items() if key.startswith("data.")}


def test_both_languages_hold_the_same_keys_and_placeholders():
    en, zh = data_keys("en"), data_keys("zh")
    assert set(en) == set(zh)
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key


def test_every_key_the_code_uses_exists_and_every_key_is_used():
    used = set(re.findall(r'"(data\.(?:err|note)\.[a-z_0-9]+)"', CODE))
    assert used - set(data_keys("en")) == set()
    defined = {key for key in data_keys("en") if not key.startswith("data.at.")}
    assert defined - used == set()


def test_locations_read_naturally_in_both_languages():
    one = RowError("data.note.empty_cell", file="d.csv", unit="row", rows=[3], count=1, column="output")
    many = RowError("data.note.empty_cell", file="d.jsonl", unit="line", rows=list(range(2, 12)), count=10, column="q")
    assert str(one).startswith("d.csv, row 3:") and one.render("zh").startswith("d.csv 第 3 行：")
    assert str(many).startswith("d.jsonl, lines 2, 3, 4, 5, 6, ...:")
    assert many.render("zh").startswith("d.jsonl 第 2、3、4、5、6、... 行")
    item = RowError("data.err.not_text", file="d.json", unit="item", row=4, column="text", value="[1]")
    assert "d.json 第 4 条" in item.render("zh") and item.params["at"] == "d.json, item 4"


def test_row_errors_survive_copy_and_pickle():
    import copy
    import pickle

    error = RowError("data.err.not_text", file="d.csv", unit="row", row=4, column="text", value="[1]")
    for clone in (copy.deepcopy(error), pickle.loads(pickle.dumps(error))):
        assert (clone.key, clone.row, clone.column, clone.render("zh")) == ("data.err.not_text", 4, "text", error.render("zh"))


def test_the_data_layer_never_imports_gradio():
    assert not re.search(r"^\s*(import|from)\s+gradio", CODE, re.M)
