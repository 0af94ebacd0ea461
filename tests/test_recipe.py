"""The recipe schema: defaults, overrides, all errors at once, YAML round trip, every preset valid."""
import pytest
import yaml

from studio.errors import RecipeError
from studio.presets import preset_names, preset_path
from studio.recipe import (OBJECTIVE_KINDS, Recipe, field_bounds, load_recipe, overrides_between,
                           recipe_from_dict)


def test_defaults_are_a_valid_recipe_and_round_trip_through_yaml(tmp_path):
    recipe = Recipe()
    path = recipe.save(tmp_path / "r.yaml")
    assert load_recipe(path) == recipe


def test_overrides_reach_nested_fields_and_parse_values():
    recipe = recipe_from_dict({}, ["train.max_steps=7", "method.lora.r=32", "train.learning_rate=3e-4",
                                   "method.lora.targets=[q_proj, v_proj]", "data.packing=true"])
    assert (recipe.train.max_steps, recipe.method.lora.r, recipe.train.learning_rate) == (7, 32, 3e-4)
    assert recipe.method.lora.targets == ["q_proj", "v_proj"] and recipe.data.packing is True


def test_every_problem_is_reported_at_once_with_field_names():
    with pytest.raises(RecipeError) as info:
        recipe_from_dict({"train": {"max_steps": -5, "batch_sise": 4}, "method": {"kind": "lorra"}},
                         ["data.val_split=0.9"])
    text = info.value.render()
    assert len(info.value.problems) == 4
    for needle in ("train.max_steps", "train.batch_sise", "method.kind", "data.val_split", "'lorra'", "0.5"):
        assert needle in text
    assert "配方有 4 个问题" in info.value.render("zh")


def test_cross_field_checks_for_training():
    recipe = recipe_from_dict({"objective": {"kind": "rl"}, "model": {"init": "scratch"}})
    with pytest.raises(RecipeError) as info:
        recipe.validate_for_training()
    keys = {p.key for p in info.value.problems}
    assert {"recipe.err.data_path_missing", "recipe.err.rl_needs_reward", "recipe.err.scratch_needs_full"} <= keys


def test_resolved_recipe_writes_out_automatic_choices():
    resolved = recipe_from_dict({"method": {"kind": "qlora"}}).resolved()
    assert resolved.model.quantization == "4bit" and resolved.train.learning_rate == 2e-4
    assert recipe_from_dict({"objective": {"kind": "sft"}}).prompt_style == "plain"
    assert recipe_from_dict({"objective": {"kind": "dpo"}}).prompt_style == "chat"


def test_command_preview_overrides_rebuild_the_recipe():
    base = Recipe()
    target = recipe_from_dict({}, ["train.max_steps=9", "method.kind=adapter", "data.path=a b.jsonl"])
    overrides = overrides_between(base, target)
    assert recipe_from_dict(base.to_dict(), overrides) == target


def test_bounds_come_from_the_schema():
    assert field_bounds("data.val_split") == {"ge": 0.0, "le": 0.5}


def test_override_syntax_error_is_clear():
    with pytest.raises(RecipeError) as info:
        recipe_from_dict({}, ["train.max_steps"])
    assert "section.key=value" in info.value.render()


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_validates(name):
    data = yaml.safe_load(preset_path(name).read_text(encoding="utf-8"))
    recipe = recipe_from_dict(data)
    recipe.validate_for_training()
    assert recipe.description, f"preset {name} needs a description"


def test_presets_cover_every_core_objective_on_the_builtin_model():
    covered = set()
    for name in preset_names():
        recipe = recipe_from_dict(yaml.safe_load(preset_path(name).read_text(encoding="utf-8")))
        if recipe.model.name == "builtin" or recipe.model.name.startswith("assets/"):
            covered.add(recipe.objective.kind)
    assert {"pretrain", "sft", "instruction", "reward", "rl", "dpo"} <= covered <= set(OBJECTIVE_KINDS)
