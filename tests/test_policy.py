"""Demo mode: a visitor can never make the studio read or write outside its own folders."""
import os
from pathlib import Path

import pytest

from studio.errors import RecipeError, StudioError
from studio.jobs import JobManager
from studio.policy import (DemoLimits, check_upload, demo_recipe, inside, run_folder_in_workspace, safe_name,
                           uploads_dir)
from studio.recipe import recipe_from_dict

TRAVERSALS = ["../../../../etc/passwd", "/etc/passwd", "assets/../../../etc/passwd", "~/.ssh/id_rsa",
              "uploads/../../../etc/hosts"]


def base_recipe(**changes):
    data = {"model": {"name": "builtin"}, "data": {"path": "assets/data/en/alpaca.json"}, "train": {"max_steps": 50}}
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data.setdefault(section, {})[key] = value
    return recipe_from_dict(data)


def problems_of(recipe) -> set[str]:
    with pytest.raises(RecipeError) as info:
        demo_recipe(recipe)
    return {p.key for p in info.value.problems}


def test_the_shipped_samples_and_uploads_are_allowed(workspace):
    upload = uploads_dir() / "mine.jsonl"
    upload.write_text('{"text": "hi"}\n')
    assert demo_recipe(base_recipe()).train.max_minutes == DemoLimits().max_minutes
    demo_recipe(base_recipe(data__path=str(upload)))


@pytest.mark.parametrize("path", TRAVERSALS)
@pytest.mark.parametrize("field", ["data__path", "data__eval_path"])
def test_data_paths_outside_the_studio_are_refused(path, field):
    assert "demo.err.path" in problems_of(base_recipe(**{field: path}))


def test_a_link_inside_uploads_that_points_outside_is_refused():
    link = uploads_dir() / "sneaky.jsonl"
    if link.exists() or link.is_symlink():
        link.unlink()
    os.symlink("/etc/passwd", link)
    assert "demo.err.path" in problems_of(base_recipe(data__path=str(link)))


@pytest.mark.parametrize("name", ["/tmp", "../..", "assets/builtin-model", "./assets/builtin-model", "some/unknown-model"])
def test_local_folders_and_unlisted_models_are_refused(name):
    assert "demo.err.model" in problems_of(base_recipe(model__name=name))


@pytest.mark.parametrize("path", TRAVERSALS + ["/tmp"])
def test_reward_models_must_be_runs_of_this_studio(path):
    recipe = base_recipe(objective__kind="rl")
    recipe.objective.rl.reward_model = path
    assert "demo.err.path" in problems_of(recipe)


def test_output_folder_remote_code_scratch_and_step_limits():
    assert "demo.err.output_dir" in problems_of(base_recipe(output__dir="/tmp/anywhere"))
    assert "demo.err.remote_code" in problems_of(base_recipe(model__trust_remote_code=True))
    assert "demo.err.scratch" in problems_of(base_recipe(model__init="scratch", method__kind="full"))
    assert "demo.err.steps" in problems_of(base_recipe(train__max_steps=-1))
    assert "demo.err.steps" in problems_of(base_recipe(train__max_steps=10**6))


def test_run_names_become_plain_file_names():
    limited = demo_recipe(base_recipe(output__name="../../../etc/cron.d/x"))
    assert limited.output.name == "x"
    assert safe_name("../../etc/passwd") == "passwd" and safe_name("..", "f") == "f" and safe_name("a b/c d.csv") == "c_d.csv"


@pytest.mark.parametrize("path", TRAVERSALS + ["/tmp", "."])
def test_run_folders_named_by_a_visitor_must_be_in_the_workspace(path):
    with pytest.raises(StudioError):
        run_folder_in_workspace(path)


def test_inside_follows_dots_and_links(tmp_path):
    (tmp_path / "root").mkdir()
    assert inside(tmp_path / "root" / "a" / ".." / "b", [tmp_path / "root"]) is not None
    assert inside(tmp_path / "root" / ".." / "x", [tmp_path / "root"]) is None


def test_upload_size_limit(tmp_path):
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * (2 * 2**20))
    check_upload(big, DemoLimits(max_upload_mb=5))
    with pytest.raises(StudioError) as info:
        check_upload(big, DemoLimits(max_upload_mb=1))
    assert info.value.key == "demo.err.upload_size"


def test_one_job_per_visitor_in_the_shared_queue(tiny_llama, data_files):
    manager = JobManager()
    recipe = recipe_from_dict({"model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"])},
                               "objective": {"kind": "sft"}, "train": {"max_steps": 20, "batch_size": 2}})
    first = manager.submit(recipe, owner="visitor-a", one_per_owner=True)
    with pytest.raises(StudioError) as info:
        manager.submit(recipe, owner="visitor-a", one_per_owner=True)
    assert info.value.key == "demo.err.one_job"
    other = manager.submit(recipe, owner="visitor-b", one_per_owner=True)
    manager.stop(first.run_id)
    manager.stop(other.run_id)
    manager.wait(first.run_id, 120)
    manager.wait(other.run_id, 120)


def test_uploads_keep_only_a_plain_name_and_the_size_limit(tmp_path):
    from studio.policy import store_upload

    source = tmp_path / "..jsonl"
    source.write_text('{"text": "hi"}\n')
    stored = store_upload(source, demo=True)
    assert stored.parent == uploads_dir() and stored.name == "jsonl" and stored.read_text() == source.read_text()
    again, third = store_upload(source, demo=False), store_upload(source, demo=False)
    assert len({stored, again, third}) == 3 and again.parent == uploads_dir() and third.read_text() == source.read_text()
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:
        fh.truncate(int((DemoLimits().max_upload_mb + 1) * 2**20))
    with pytest.raises(StudioError) as info:
        store_upload(big, demo=True)
    assert info.value.key == "demo.err.upload_size"
    assert store_upload(big, demo=False).parent == uploads_dir()  # a private studio has no limit


@pytest.mark.parametrize("name", ["../../etc/cron.d/x", "/tmp/x", "..", "~/x", "a/../../b"])
def test_export_folders_stay_in_the_exports_folder(name):
    from studio.policy import export_folder, exports_dir

    assert export_folder(name).parent == exports_dir()


def test_chosen_run_is_confined_only_in_demo_mode(tmp_path):
    from studio.policy import chosen_run

    outside = tmp_path / "run-elsewhere"
    outside.mkdir()
    (outside / "recipe.yaml").write_text("name: x\n")
    assert chosen_run(str(outside), demo=False) == outside.resolve()
    with pytest.raises(StudioError):
        chosen_run(str(outside), demo=True)
    with pytest.raises(StudioError) as info:
        chosen_run(str(tmp_path), demo=False)
    assert info.value.key == "run.err.not_a_run"


def test_a_demo_others_can_reach_needs_a_login(monkeypatch):
    from studio.policy import login_required

    monkeypatch.delenv("SPACE_ID", raising=False)
    assert not login_required("127.0.0.1", share=False) and not login_required("localhost", share=False)
    assert login_required("0.0.0.0", share=False) and login_required("127.0.0.1", share=True)
    monkeypatch.setenv("SPACE_ID", "someone/studio")
    assert login_required("127.0.0.1", share=False)
