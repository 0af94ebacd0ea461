"""The ranking tab's handlers, called directly (no browser): prompts in, answers from a tiny model,
rankings with ties, a better answer, skips and thumbs saved, counts, export and import, and the
recipes the train buttons load, trained for real on the tiny model to close the loop."""
from pathlib import Path

import pytest

from studio.feedback import FeedbackStore, ranking_pairs
from studio.recipe import recipe_from_dict

gr = pytest.importorskip("gradio")

from studio.ui import ranking_annotate as annotate  # noqa: E402
from studio.ui import ranking_train as train  # noqa: E402
from studio.ui.context import AppContext  # noqa: E402
from studio.ui.form import RecipeForm  # noqa: E402
from studio.ui.recipes import initial_origin  # noqa: E402
from studio.ui.texts import Texts  # noqa: E402

SLOTS = annotate.SLOTS
IDS = (["ranking-annotator", "ranking-prompts-input", "ranking-generate", "ranking-k", "ranking-model",
        "ranking-better", "ranking-submit", "ranking-skip", "ranking-progress", "ranking-guidelines",
        "ranking-export", "ranking-import", "ranking-pairs-count", "ranking-train-reward", "ranking-train-dpo",
        "ranking-train-rl", "ranking-train-kto"]
       + [f"ranking-candidate-{i}" for i in range(SLOTS)] + [f"ranking-rank-{i}" for i in range(SLOTS)])


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A workspace of its own: an empty feedback store and no runs."""
    monkeypatch.setenv("STUDIO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="module")
def form():
    with gr.Blocks():
        form = RecipeForm(Texts(), recipe_from_dict(initial_origin()["recipe"]).to_dict())
        for path in ("model.name", "data.path", "objective.kind", "objective.rl.reward_model", "objective.rl.beta",
                     "train.max_steps"):
            form.field(path)
    return form


def _view(out: list) -> dict:
    """The named parts of a view (queue, prompt, rows, answers, ranks, thumbs, better, current)."""
    return {"queue": out[0], "prompt": out[1], "rows": out[2:2 + SLOTS], "answers": out[2 + SLOTS:2 + 2 * SLOTS],
            "ranks": out[2 + 2 * SLOTS:2 + 3 * SLOTS], "thumbs": out[2 + 3 * SLOTS:2 + 4 * SLOTS],
            "better": out[2 + 4 * SLOTS], "current": out[3 + 4 * SLOTS]}


def _marks(ranks=(), thumbs=()) -> list:
    return list(ranks) + [None] * (SLOTS - len(ranks)) + list(thumbs) + [None] * (SLOTS - len(thumbs))


def test_the_tab_keeps_its_element_ids():
    from studio.ui.app import build_app

    blocks, _ = build_app()
    ids = [getattr(b, "elem_id", None) for b in blocks.blocks.values()]
    for elem_id in IDS:
        assert ids.count(elem_id) == 1, elem_id


def test_prompts_typed_uploaded_and_picked(home, tmp_path):
    text, upload, status, note = annotate.add_prompts("What is 2 + 3?\n\n  Name a colour.  \nWhat is 2 + 3?", None,
                                                      None, 8, "en")
    assert text == "" and "Added 2 prompt(s); 1 were already there" in status
    assert "添加了 2 个提示词" in annotate.note_text(note, "zh")
    listed = tmp_path / "prompts.txt"
    listed.write_text("Say hi\nName a colour.\nSay bye\n", encoding="utf-8")
    assert "Added 2 prompt(s); 1 were" in annotate.add_prompts("", str(listed), None, 8, "en")[2]
    first = annotate.add_prompts("", None, annotate.prompt_sources()[0][1], 3, "en")[2]
    second = annotate.add_prompts("", None, annotate.prompt_sources()[0][1], 3, "en")[2]
    assert first.startswith("Added 3 prompt(s)") and second.startswith("Added 3 prompt(s)")
    texts = [p["text"] for p in FeedbackStore().prompts()]
    assert len(texts) == len(set(texts)) == 10  # the next three, not copies
    assert "Type prompts" in annotate.add_prompts(" ", None, None, 8, "en")[2]
    broken = tmp_path / "broken.csv"
    broken.write_text("", encoding="utf-8")
    assert annotate.add_prompts("", str(broken), None, 8, "zh")[2].startswith("⚠️")
    assert annotate.queue_text(None, "en").startswith("10 prompt(s) still need answers")


def test_generate_rank_with_ties_better_answer_skip_and_thumbs(home, tiny_llama):
    ctx = AppContext()
    annotate.add_prompts("Say something about cats\nSay something about dogs\nSay something about owls", None,
                         None, 8, "en")
    assert annotate.generate(ctx, None, 3, 1.0, 0.95, 6, 0, "en")[0] == "Choose a model first."
    status, _ = annotate.generate(ctx, f"base:{tiny_llama}", 3, 1.0, 0.95, 6, 0, "en", progress=lambda *a, **k: None)
    assert status.startswith("Wrote") and "for 3 prompt(s)" in status, status
    assert "Every prompt already has answers" in annotate.generate(ctx, f"base:{tiny_llama}", 3, 1.0, 0.95, 6, 0,
                                                                   "en")[0]

    shown = _view(annotate.next_view("ana", "rank", "en"))
    current = shown["current"]
    assert shown["queue"].startswith(f"**Prompt #{current['prompt_id']}**") and shown["prompt"]["visible"]
    n = len(current["ids"])
    assert 2 <= n <= 3 and [r["visible"] for r in shown["rows"]] == [True] * n + [False] * (SLOTS - n)
    assert shown["ranks"][0]["choices"][:3] == [("–", 0), ("1", 1), ("2", 2)]
    assert not shown["thumbs"][0]["visible"] and shown["better"]["visible"]

    # Too few ranks: the error says what to do, in the page's language, and the marks stay.
    out = annotate.submit("ana", "rank", current, "", "zh", *_marks([1]))
    assert out[-2].startswith("⚠️") and "至少" in out[-2] and out[0] == gr.skip()
    ranks = [1] + [2] * (n - 1)            # the first answer best, the others tied
    out = annotate.submit("ana", "rank", current, "A much better answer.", "en", *_marks(ranks))
    assert out[-2] == f"Saved your ranking of prompt #{current['prompt_id']}."
    (judgement,) = [j for j in FeedbackStore().judgements() if j.annotator == "ana"]
    better_id = next(c.id for c in FeedbackStore().candidates(current["prompt_id"]) if c.text == "A much better answer.")
    assert judgement.marks == {better_id: 1, current["ids"][0]: 2, **{cid: 3 for cid in current["ids"][1:]}}
    pairs = ranking_pairs(FeedbackStore()).summary()
    ties = (n - 1) * (n - 2) // 2
    assert pairs == {"pairs": (n + 1) * n // 2 - ties, "rankings": 1, "ties_dropped": ties}

    following = _view(out[:annotate.VIEW_SIZE])["current"]
    assert following["prompt_id"] != current["prompt_id"]
    out = annotate.skip("ana", "rank", following, "en")
    assert out[-2].startswith("Skipped prompt")
    last = _view(out[:annotate.VIEW_SIZE])["current"]
    thumbs_view = _view(annotate.next_view("ana", "thumbs", "en"))
    assert thumbs_view["thumbs"][0]["visible"] and not thumbs_view["ranks"][0]["visible"]
    out = annotate.submit("ana", "thumbs", last, "", "en", *_marks(thumbs=["up", "down"]))
    assert out[-2].startswith("Saved your thumbs")
    assert _view(out[:annotate.VIEW_SIZE])["current"] is None
    assert "judged every prompt" in _view(out[:annotate.VIEW_SIZE])["queue"]

    # Another annotator starts from the first prompt; ana's judgements are untouched.
    assert _view(annotate.next_view("bob", "rank", "en"))["current"]["prompt_id"] == current["prompt_id"]
    assert "<b>2 / 3</b>" in annotate.progress_html("ana", "en") and "1 skipped" in annotate.progress_html("ana", "en")
    assert "<b>0 / 3</b>" in annotate.progress_html("bob", "en")
    assert "请先输入你的名字" in annotate.progress_html("", "zh")

    text, kto = train.counts_view("all", "en")
    assert f"**{pairs['pairs']}** pairs from **1** rankings · {ties} tied pair(s) dropped" in text
    assert "**2** thumbs judgements" in text and kto["interactive"] is True


def test_guidelines_are_stored(home):
    shown, text = annotate.guidelines_view("en")
    assert text == "" and "No guidelines yet" in shown
    shown, status, _ = annotate.save_guidelines("Prefer **short** answers.", "zh")
    assert shown == "Prefer **short** answers." and "指南已保存" in status
    assert annotate.guidelines_view("en") == ("Prefer **short** answers.", "Prefer **short** answers.")


def _ranked_store(prompts: int = 6) -> FeedbackStore:
    store = FeedbackStore()
    for i in range(prompts):
        (pid,) = store.add_prompts([f"Write word {i} in capitals."])
        ids = store.add_candidates(pid, [f"WORD{i}", f"word{i}", f"Word {i}"], origin="test")
        store.save_ranking(pid, "ana", {ids[0]: 1, ids[1]: 2, ids[2]: 2})
        store.save_thumbs(pid, "bob", {ids[0]: True, ids[1]: False})
    return store


@pytest.mark.parametrize("suffix", train.EXPORT_SUFFIXES)
def test_export_every_shape_and_import_it_back(home, suffix):
    _ranked_store(2)
    file, status, _ = train.export_file("pairs", suffix, "all", "en")
    assert file["visible"] and Path(file["value"]).is_file() and file["value"].endswith(suffix)
    assert status.startswith("Exported 4 pairs from 2 rankings (2 tied pairs dropped)")
    assert "2 rankings" in train.export_file("ranked", suffix, "all", "en")[1]
    kto, status, _ = train.export_file("kto", suffix, "all", "en")
    assert "4 KTO rows" in status
    assert "4 pairs" in train.export_file("pairs", suffix, "best", "en")[1]
    box, status, _ = train.import_upload(file["value"], "en")
    assert box is None and status == "Imported 4 ranking(s) and 0 thumbs judgement(s)."
    assert train.import_upload(kto["value"], "zh")[1] == "导入了 0 次排序和 4 条点赞/点踩判断。"
    assert train.import_upload(str(Path(__file__)), "en")[1].startswith("⚠️")


def test_nothing_to_export_or_train_yet(home, form):
    assert train.export_file("pairs", ".jsonl", "all", "zh")[1].startswith("⚠️")
    out = train.train_outputs(form, "dpo", "all", "base:builtin", None, "grpo", 0.04, "en")
    assert out[0] == gr.skip() and "No judgements to train dpo on yet" in out[-2]
    out = train.train_outputs(form, "rl", "all", "base:builtin", None, "grpo", 0.04, "zh")
    assert "奖励模型" in out[-2]


def test_train_buttons_load_valid_recipes(home, form, tmp_path):
    _ranked_store()
    for objective in ("reward", "dpo", "kto"):
        out = train.train_outputs(form, objective, "best", f"base:{tmp_path}", None, "grpo", 0.04, "en")
        origin, recipe = out[0], recipe_from_dict(out[1])
        recipe.validate_for_training()
        assert recipe.objective.kind == objective and recipe.model.name == str(tmp_path)
        assert Path(recipe.data.path).is_file() and Path(recipe.data.path).parent == home / "feedback"
        assert origin["preset"] == train.training_recipe(objective, "x")[0]
        assert out[2 + form.paths.index("data.path")] == recipe.data.path  # the Method tab shows it
        assert "recipe loaded" in out[-2]
        if objective == "reward":
            assert "12 pairs from 6 rankings (0 tied pairs dropped)" in out[-2]
    assert "12 thumbs rows" in out[-2]
    reward_run = str(tmp_path / "a-reward-run")
    out = train.train_outputs(form, "rl", "all", "base:builtin", reward_run, "rloo", 0.2, "en")
    recipe = recipe_from_dict(out[1]).validate_for_training()
    assert recipe.objective.kind == "rl" and recipe.objective.rl.reward_model == reward_run
    assert recipe.objective.rl.algorithm == "rloo" and recipe.objective.rl.beta == 0.2
    assert recipe.objective.rl.reward_functions == [] and "6 ranked prompts" in out[-2]


def test_the_loop_closes_on_a_tiny_model(home, form, tiny_llama):
    """Rankings -> a reward model trained through the app's job manager (held-out accuracy shown)
    -> an RL recipe against it; a DPO run is then offered as the model of the next round."""
    _ranked_store(8)
    ctx = AppContext()
    for objective in ("reward", "dpo"):
        out = train.train_outputs(form, objective, "all", f"base:{tiny_llama}", None, "grpo", 0.04, "en")
        origin = out[0]
        origin["recipe"]["train"].update(max_steps=2, batch_size=4, logging_steps=1)  # seconds, not minutes
        path, message, timer = train.start(ctx, form, origin, "en", form.widget_values(origin["recipe"]))
        assert "queued" in message and timer.active
        assert ctx.jobs.wait(Path(path).name, timeout=300) == "completed"
        status, timer = train.watch(path, "en")
        assert "Completed" in status and ("RL" if objective == "reward" else "Next round") in status
        assert timer.active is False
        if objective == "reward":
            reward_path = path
    model, trained, rewards = train.model_choices(None, None, None, {}, "en")
    assert rewards["value"] == reward_path and model["choices"][0][1] == path  # the DPO run: next round
    accuracy = train.accuracy_text(reward_path, "en")
    assert accuracy.startswith("Held-out pairwise accuracy: **") and "%" in accuracy, accuracy
    measured = train.measure(reward_path, "zh")
    assert "成对准确率" in measured and "python -m studio eval" in measured
    out = train.train_outputs(form, "rl", "all", path, reward_path, "grpo", 0.04, "en")
    recipe = recipe_from_dict(out[1]).validate_for_training()
    assert recipe.model.name == path and recipe.objective.rl.reward_model == reward_path
    assert train.watch(None, "en")[0] == ""  # nothing started from this page yet
