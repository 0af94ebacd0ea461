"""The preference store and its exports: rankings survive kill -9 and concurrent annotators,
N-way rankings become pairs (ties dropped and counted), files round-trip, and the CLI closes the
loop from prompts to a DPO run on the exported pairs."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from studio.errors import StudioError
from studio.feedback import FeedbackStore, export, import_file, ranking_pairs, thumbs_rows
from studio.feedback.simulate import annotate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path):
    return FeedbackStore(tmp_path / "feedback.sqlite")


def seeded(store, answers=("Paris", "Lyon", "Nice", "Rome")):
    (pid,) = store.add_prompts(["What is the capital of France?"], references=["Paris"])
    ids = store.add_candidates(pid, list(answers), origin="test")
    return pid, ids


def test_rankings_become_pairs_with_ties_dropped(store):
    pid, (a, b, c, d) = seeded(store)
    store.save_ranking(pid, "ana", {a: 1, b: 2, c: 2, d: 3})
    all_pairs = ranking_pairs(store, "all")
    assert all_pairs.summary() == {"pairs": 5, "rankings": 1, "ties_dropped": 1}
    assert {(r["chosen"], r["rejected"]) for r in all_pairs.rows} == {
        ("Paris", "Lyon"), ("Paris", "Nice"), ("Paris", "Rome"), ("Lyon", "Rome"), ("Nice", "Rome")}
    best = ranking_pairs(store, "best")
    assert {(r["chosen"], r["rejected"]) for r in best.rows} == {("Paris", "Lyon"), ("Paris", "Nice"), ("Paris", "Rome")}


def test_a_written_better_answer_ranks_first(store):
    pid, (a, b, c, d) = seeded(store)
    store.save_ranking(pid, "ana", {b: 1, c: 2}, better_answer="Paris, of course")
    pairs = ranking_pairs(store).rows
    assert {r["rejected"] for r in pairs if r["chosen"] == "Paris, of course"} == {"Lyon", "Nice"}


def test_each_annotator_keeps_their_own_latest_ranking(store):
    pid, (a, b, c, d) = seeded(store)
    store.save_ranking(pid, "ana", {a: 1, b: 2})
    store.save_ranking(pid, "bob", {b: 1, a: 2})
    store.save_ranking(pid, "ana", {a: 1, c: 2})   # ana changes her mind; bob's stays
    latest = {(j.annotator, tuple(sorted(j.marks.items()))) for j in store.judgements()}
    assert latest == {("ana", ((a, 1), (c, 2))), ("bob", ((a, 2), (b, 1)))}
    assert len(store.judgements(latest_only=False)) == 3


def test_bad_judgements_are_refused_with_clear_messages(store):
    pid, (a, b, c, d) = seeded(store)
    for call, key in ((lambda: store.save_ranking(pid, "", {a: 1, b: 2}), "feedback.err.no_annotator"),
                      (lambda: store.save_ranking(pid, "ana", {a: 1}), "feedback.err.too_few_ranked"),
                      (lambda: store.save_ranking(pid, "ana", {a: 1, 999: 2}), "feedback.err.unknown_candidate"),
                      (lambda: store.save_ranking(pid, "ana", {a: 0, b: 1}), "feedback.err.bad_rank"),
                      (lambda: store.add_prompts(["   "]), "feedback.err.prompt_empty")):
        with pytest.raises(StudioError) as info:
            call()
        assert info.value.key == key
        assert info.value.render("zh") != info.value.render("en")


def test_thumbs_feed_kto(store):
    pid, (a, b, c, d) = seeded(store)
    store.save_thumbs(pid, "ana", {a: True, b: False})
    assert sorted((r["completion"], r["label"]) for r in thumbs_rows(store)) == [("Lyon", False), ("Paris", True)]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_export_and_import_round_trip(store, tmp_path, suffix):
    pid, (a, b, c, d) = seeded(store)
    store.save_ranking(pid, "ana", {a: 1, b: 2, c: 3})
    pairs_file = tmp_path / f"pairs{suffix}"
    assert export(store, pairs_file, "pairs")["pairs"] == 3
    ranked_file = tmp_path / f"ranked{suffix}"
    export(store, ranked_file, "ranked")
    other = FeedbackStore(tmp_path / f"other{suffix}.sqlite")
    assert import_file(other, pairs_file)["rankings"] == 3
    assert import_file(other, ranked_file)["rankings"] == 1
    assert len(ranking_pairs(other).rows) == 6


def _rank_then_die(path: str) -> None:
    store = FeedbackStore(path)
    pid = store.prompts()[0]["id"]
    ids = [c.id for c in store.candidates(pid)]
    store.save_ranking(pid, "doomed", {ids[0]: 2, ids[1]: 1})
    os.kill(os.getpid(), signal.SIGKILL)  # the process dies the moment the ranking is confirmed


def test_a_confirmed_ranking_survives_kill_minus_9(store):
    seeded(store)
    child = multiprocessing.get_context("spawn").Process(target=_rank_then_die, args=(str(store.path),))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    survivors = [j for j in FeedbackStore(store.path).judgements() if j.annotator == "doomed"]
    assert len(survivors) == 1


def _annotate_many(path: str, name: str) -> None:
    store = FeedbackStore(path)
    for prompt in store.prompts():
        ids = [c.id for c in store.candidates(prompt["id"])]
        store.save_ranking(prompt["id"], name, {ids[0]: 1, ids[1]: 2})


def test_concurrent_annotators_never_overwrite_each_other(store):
    for i in range(15):
        (pid,) = store.add_prompts([f"prompt {i}"])
        store.add_candidates(pid, [f"a{i}", f"b{i}"], origin="test")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_annotate_many, args=(str(store.path), f"annotator-{n}")) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    judgements = store.judgements()
    assert len(judgements) == 60 and len({j.annotator for j in judgements}) == 4


def test_simulated_annotator_prefers_the_rule_and_skips_uninformative_prompts(store):
    pid, (a, b, c, d) = seeded(store, ("Paris!", "Paris", "Lyon!", "Rome"))
    (other,) = store.add_prompts(["Say hi"])
    store.add_candidates(other, ["hi", "hello"], origin="test")
    assert annotate(store, "exclaims") == {"annotator": "simulated:exclaims", "ranked": 1, "skipped": 1}
    winners = {r["chosen"] for r in ranking_pairs(store).rows}
    assert winners == {"Paris!", "Lyon!"}


def studio(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_the_cli_goes_from_prompts_to_a_dpo_run_on_exported_pairs(tiny_llama, tmp_path):
    db = tmp_path / "cli.sqlite"
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("\n".join(f"Say something about {w}" for w in ("cats", "dogs", "owls", "bees", "rain", "snow")))
    assert json.loads(studio("feedback", "--db", db, "add-prompts", prompts).stdout) == {"added": 6}
    done = studio("feedback", "--db", db, "generate", "--model", tiny_llama, "--k", "4", "--max-new-tokens", "6")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["candidates_added"] >= 12
    store = FeedbackStore(db)
    for prompt in store.prompts():  # a person ranking through the same store calls the page makes
        ids = [c.id for c in store.candidates(prompt["id"])]
        if len(ids) >= 2:
            store.save_ranking(prompt["id"], "cli-user", {cid: rank for rank, cid in enumerate(ids, start=1)})
    pairs = tmp_path / "pairs.parquet"
    exported = json.loads(studio("feedback", "--db", db, "export", pairs).stdout)
    assert exported["pairs"] >= 6 and pairs.is_file()
    trained = studio("train", "dpo", f"model.name={tiny_llama}", f"data.path={pairs}", "data.val_split=0",
                     "train.max_steps=4", "train.batch_size=2", "--quiet")
    assert trained.returncode == 0, trained.stderr
    status = json.loads((Path(trained.stdout.strip().splitlines()[-1]) / "status.json").read_text())
    assert status["state"] == "completed" and status["objective"] == "dpo"


# --- the loop helpers the ranking tab drives (studio.feedback.loop) ---------------------------------

def test_new_prompts_only_and_the_ones_still_waiting_for_answers(store):
    from studio.feedback.loop import add_new_prompts, pending_prompt_ids

    found = add_new_prompts(store, ["a", " b ", "", "a", "c", "d"], limit=2)
    assert [store.prompt(i)["text"] for i in found["added"]] == ["a", "b"]
    assert found["known"] == 1 and found["left"] == 2
    again = add_new_prompts(store, ["a", "b", "c", "d"], limit=2)
    assert [store.prompt(i)["text"] for i in again["added"]] == ["c", "d"] and again["known"] == 2
    store.add_candidates(found["added"][0], ["x", "y"], origin="test")
    store.add_candidates(found["added"][1], ["x"], origin="test")
    assert pending_prompt_ids(store) == [found["added"][1], *again["added"]]


def test_training_data_and_recipes_for_every_objective(store, tmp_path, monkeypatch):
    from studio.feedback.loop import TRAINING_OBJECTIVES, training_data, training_recipe

    monkeypatch.setenv("STUDIO_HOME", str(tmp_path / "home"))
    with pytest.raises(StudioError) as info:
        training_data(store, "dpo")
    assert info.value.key == "feedback.err.nothing_to_train"
    pid, (a, b, c, d) = seeded(store)
    store.save_ranking(pid, "ana", {a: 1, b: 2, c: 2})
    store.save_ranking(pid, "bob", {d: 1, a: 2})
    store.save_thumbs(pid, "cy", {a: True, d: False})
    found = {objective: training_data(store, objective) for objective in TRAINING_OBJECTIVES}
    assert {k: found["dpo"][k] for k in ("pairs", "rankings", "ties_dropped")} == {"pairs": 3, "rankings": 2,
                                                                                    "ties_dropped": 1}
    assert found["kto"]["rows"] == 2 and found["rl"]["prompts"] == 1
    rl_rows = [json.loads(line) for line in Path(found["rl"]["file"]).read_text().splitlines()]
    assert rl_rows == [{"prompt": "What is the capital of France?", "completion": "Paris"}]
    assert Path(found["reward"]["file"]).parent == tmp_path / "home" / "feedback"
    assert found["reward"]["file"] != found["dpo"]["file"]
    for objective in TRAINING_OBJECTIVES:
        preset, recipe = training_recipe(objective, found[objective]["file"], "some/model",
                                         reward_model="runs/reward" if objective == "rl" else None)
        recipe.validate_for_training()
        assert recipe.objective.kind == objective and recipe.model.name == "some/model"
        assert recipe.data.path == found[objective]["file"] and recipe.data.max_rows is None
    assert recipe.objective.rl.reward_functions == [] and recipe.objective.rl.reward_model == "runs/reward"
    with pytest.raises(StudioError) as info:
        training_recipe("rl", found["rl"]["file"])
    assert info.value.key == "feedback.err.no_reward_run" and info.value.render("zh") != info.value.render("en")


def test_reward_accuracy_from_eval_or_from_training(tmp_path):
    from studio.feedback.loop import reward_accuracy

    assert reward_accuracy(tmp_path) is None
    (tmp_path / "metrics.jsonl").write_text('{"step": 1, "loss": 0.7}\n{"step": 2, "eval_accuracy": 0.5}\n'
                                            '{"step": 4, "eval_accuracy": 0.75}\n')
    assert reward_accuracy(tmp_path) == {"accuracy": 0.75, "examples": None, "source": "training"}
    (tmp_path / "eval.json").write_text(json.dumps({"tuned": {"pairwise_accuracy": 0.9}, "examples": 20}))
    assert reward_accuracy(tmp_path) == {"accuracy": 0.9, "examples": 20, "source": "eval"}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_kto_rows_round_trip_as_thumbs(store, tmp_path, suffix):
    pid, (a, b, c, d) = seeded(store)
    store.save_thumbs(pid, "ana", {a: True, b: False})
    path = tmp_path / f"kto{suffix}"
    assert export(store, path, "kto")["rows"] == 2
    other = FeedbackStore(tmp_path / "other.sqlite")
    assert import_file(other, path) == {"file": str(path), "rankings": 0, "thumbs": 2}
    assert sorted((r["completion"], r["label"]) for r in thumbs_rows(other)) == [("Lyon", False), ("Paris", True)]
