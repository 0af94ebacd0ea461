"""Parameter counts without loading weights, training-memory estimates, and the method advice."""
import json

import pytest

from studio.advice import LARGE_DATA, recommend
from studio.estimate import (GIB, KNOWN_MODELS, Device, Shape, detect_device, estimate_training, human_bytes,
                             human_count, model_size, safetensors_params, trainable_params)
from studio.i18n import catalog
from studio.recipe import recipe_from_dict


def recipe(**sections):
    return recipe_from_dict(sections)


BIG_GPU = Device("cuda", "test GPU", 80 * GIB)
SMALL_GPU = Device("cuda", "test GPU", 4 * GIB)
TINY_GPU = Device("cuda", "test GPU", GIB // 2)


@pytest.mark.parametrize("name", sorted(KNOWN_MODELS))
def test_hub_presets_match_their_published_sizes(name):
    size = model_size(name)
    assert size.source == "known"
    assert size.shape.counts()["total"] == KNOWN_MODELS[name]["params"] == size.params


@pytest.mark.parametrize("arch", ["llama", "qwen2", "qwen3", "gemma", "mistral", "phi3", "gpt2", "gpt_neox"])
def test_config_count_equals_the_real_model(arch, tiny_models):
    from transformers import AutoModelForCausalLM

    from tests.tiny import tiny_model_dir

    folder = tiny_model_dir(arch, tiny_models)
    config = json.loads((folder / "config.json").read_text())
    real = sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(folder).parameters())
    assert Shape.from_config(config).counts()["total"] == real
    assert safetensors_params(folder) == real
    assert model_size(str(folder)).params == real and model_size(str(folder)).source == "local"


def test_builtin_model_size_is_known_before_its_weights_exist():
    size = model_size("builtin")
    assert size.source == "builtin"
    assert 3_000_000 < size.params < 6_000_000


def test_unknown_hub_id_offline_is_unknown(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    size = model_size("someone/not-a-real-model-xyz")
    assert size.source == "unknown" and size.params is None
    assert estimate_training(recipe(model={"name": "someone/not-a-real-model-xyz"}), size) is None


def _peft_trainable(model, recipe_obj):
    from studio.methods import method
    from studio.models import count_parameters

    prepared = method(recipe_obj.method.kind).prepare(model, recipe_obj, "causal_lm")
    return count_parameters(prepared)[0]


@pytest.mark.parametrize("method", [
    {"kind": "lora", "lora": {"r": 4}},
    {"kind": "lora", "lora": {"r": 8, "targets": "attention"}},
    {"kind": "adapter", "adapter": {"bottleneck": 8}},
    {"kind": "prompt", "prompt": {"num_virtual_tokens": 5}},
])
def test_trainable_counts_match_what_the_methods_train(method, tiny_llama):
    from transformers import AutoModelForCausalLM

    r = recipe(model={"name": str(tiny_llama)}, method=method)
    size = model_size(str(tiny_llama))
    expected = _peft_trainable(AutoModelForCausalLM.from_pretrained(tiny_llama), r)
    assert trainable_params(r, size.shape, size.params) == expected


def test_memory_parts_follow_method_quantization_and_checkpointing():
    base = {"model": {"name": "Qwen/Qwen2.5-0.5B-Instruct"}, "train": {"batch_size": 4}, "data": {"max_length": 512}}
    full = estimate_training(recipe(**base, method={"kind": "full"}), device=BIG_GPU)
    lora = estimate_training(recipe(**base, method={"kind": "lora"}), device=BIG_GPU)
    qlora = estimate_training(recipe(**base, method={"kind": "qlora"}), device=BIG_GPU)
    # AdamW: two fp32 states per trainable weight.
    assert full.optimizer == 8 * full.params and lora.optimizer == 8 * lora.trainable
    assert full.total > lora.total > qlora.total
    assert qlora.weights < lora.weights / 2  # embeddings keep 16 bits; the blocks drop to ~4
    assert lora.trainable_percent < 5
    ckpt = estimate_training(recipe(**{**base, "train": {"batch_size": 4, "gradient_checkpointing": True}},
                                    method={"kind": "lora"}), device=BIG_GPU)
    assert ckpt.activations < lora.activations
    longer = estimate_training(recipe(**{**base, "data": {"max_length": 1024}}, method={"kind": "lora"}),
                               device=BIG_GPU)
    assert longer.activations > lora.activations


def test_fits_against_the_device():
    r = recipe(model={"name": "Qwen/Qwen2.5-1.5B-Instruct"}, method={"kind": "full"})
    assert estimate_training(r, device=BIG_GPU).fits is True
    assert estimate_training(r, device=SMALL_GPU).fits is False
    assert estimate_training(r, device=Device("cpu", "?", None)).fits is None


def test_detected_device_has_memory():
    device = detect_device("cpu")
    assert device.kind == "cpu" and device.total_bytes > 0


def test_human_units():
    assert human_count(134_515_008) == "134.5M" and human_count(1_543_714_304) == "1.54B"
    assert human_bytes(3 * GIB) == "3.0 GiB" and human_bytes(None) == "?"


# --- advice ------------------------------------------------------------------------------------

def _keys(advice):
    return [key for key, _ in advice.reasons]


def test_tiny_data_gets_lora_and_a_warning_about_full():
    advice = recommend(recipe(model={"name": "Qwen/Qwen2.5-0.5B-Instruct"}), rows=50, device=BIG_GPU)
    assert advice.method == "lora" and "ui.advice.tiny_data" in _keys(advice)


def test_large_data_and_a_big_gpu_get_full_tuning():
    advice = recommend(recipe(model={"name": "Qwen/Qwen2.5-0.5B-Instruct"}), rows=LARGE_DATA * 2, device=BIG_GPU)
    assert advice.method == "full" and "ui.advice.large_data_full" in _keys(advice)


def test_small_gpu_gets_qlora_when_lora_does_not_fit():
    r = recipe(model={"name": "Qwen/Qwen2.5-1.5B-Instruct"}, train={"batch_size": 1}, data={"max_length": 256})
    advice = recommend(r, rows=2000, device=Device("cuda", "test GPU", int(3.5 * GIB)))
    assert advice.method == "qlora" and "ui.advice.qlora_memory" in _keys(advice)


def test_nothing_fits_says_so():
    advice = recommend(recipe(model={"name": "meta-llama/Llama-3.2-1B-Instruct"}), rows=2000, device=TINY_GPU)
    assert advice.method is None and "ui.advice.nothing_fits" in _keys(advice)


def test_advice_renders_in_both_languages():
    advice = recommend(recipe(), rows=None, device=detect_device("cpu"))
    for lang in ("en", "zh"):
        text = advice.render(lang)
        assert text and "ui.advice" not in text and "{" not in text
    assert all(key in catalog("zh") for key in _keys(advice))
