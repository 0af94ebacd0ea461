"""GGUF export: the file transformers' own GGUF loader reads back is the same model (same tokens, same
greedy answer; f32 to the last bit, f16 and q8_0 within rounding), its tensors sit under llama.cpp's
names in llama.cpp's layout, and an architecture or tokenizer it cannot write is refused by name.

A check against llama.cpp itself runs when STUDIO_NODE_LLAMA_CPP names a folder where
`npm install node-llama-cpp` was run (its prebuilt CPU binary): otherwise it is skipped."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from studio.errors import StudioError
from studio.gguf_export import write_gguf
from tests.tiny import tiny_model_dir

TEXT = "The capital of France is Paris. 法国的首都是巴黎。  it's 12345\n\nhello <|im_end|>"
CHAT = [{"role": "user", "content": "What is the capital of France? 法国的首都是哪里？"}]


def load_both(model_dir: Path, gguf_file: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    original = (AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval(),
                AutoTokenizer.from_pretrained(model_dir))
    reloaded = (AutoModelForCausalLM.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name,
                                                     dtype=torch.float32).eval(),
                AutoTokenizer.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name))
    return original, reloaded


def greedy(model, tokenizer, new_tokens: int = 12, eos=None):
    text = tokenizer.apply_chat_template(CHAT, add_generation_prompt=True, tokenize=False)
    enc = tokenizer(text, return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        logits = model(**enc).logits[0]
        out = model.generate(**enc, max_new_tokens=new_tokens, do_sample=False, eos_token_id=eos,
                             pad_token_id=tokenizer.pad_token_id)
    return text, logits, out[0, enc["input_ids"].shape[1]:].tolist()


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_f32_gguf_reloads_through_transformers_as_the_same_model(arch, tiny_models, tmp_path):
    source = tiny_model_dir(arch, tiny_models)
    (model, tok), (back, back_tok) = load_both(source, write_gguf(source, tmp_path / "model.gguf", "f32"))
    assert back_tok(TEXT)["input_ids"] == tok(TEXT)["input_ids"]
    assert back_tok.eos_token == tok.eos_token and back_tok.pad_token == tok.pad_token
    text, logits, tokens = greedy(model, tok)
    back_text, back_logits, back_tokens = greedy(back, back_tok)
    assert back_text == text  # the chat template came along (without the HF-only generation tags)
    assert torch.equal(back_logits, logits)
    assert back_tokens == tokens


@pytest.mark.parametrize("gguf_type, atol", [("f16", 1e-2), ("q8_0", 5e-2)])
def test_smaller_types_stay_within_rounding(gguf_type, atol, tiny_llama, tmp_path):
    (model, tok), (back, back_tok) = load_both(tiny_llama, write_gguf(tiny_llama, tmp_path / "m.gguf", gguf_type))
    _, logits, _ = greedy(model, tok)
    _, back_logits, _ = greedy(back, back_tok)
    error = (back_logits - logits).abs().max()
    assert error < atol
    # A random model's next-token scores are nearly flat, so rounding may swap near-ties: wherever the
    # best token leads the next by more than twice the largest error, it must still be the best.
    top2 = logits.topk(2, dim=-1).values
    clear = (top2[:, 0] - top2[:, 1]) > 2 * error
    assert clear.any() and torch.equal(back_logits.argmax(-1)[clear], logits.argmax(-1)[clear])
    f32 = write_gguf(tiny_llama, tmp_path / "f32.gguf", "f32")
    assert (tmp_path / "m.gguf").stat().st_size < 0.6 * f32.stat().st_size


def test_tensors_and_metadata_read_back_in_llama_cpp_layout(tiny_llama, tmp_path):
    import gguf
    from safetensors.torch import load_file

    path = write_gguf(tiny_llama, tmp_path / "model.gguf", "q8_0", name="tiny")
    reader = gguf.GGUFReader(path)
    field = lambda key: reader.fields[key].contents()  # noqa: E731
    config = json.loads((tiny_llama / "config.json").read_text())
    assert field("general.architecture") == "llama" and field("general.name") == "tiny"
    assert field("llama.block_count") == config["num_hidden_layers"]
    assert field("llama.attention.head_count_kv") == config["num_key_value_heads"]
    assert field("tokenizer.ggml.model") == "gpt2" and field("tokenizer.ggml.pre") == "gpt-2"
    assert len(field("tokenizer.ggml.tokens")) == config["vocab_size"]
    assert "{% generation %}" not in field("tokenizer.chat_template")  # HF-only, other engines reject it
    tensors = {t.name: t for t in reader.tensors}
    assert "output.weight" in tensors  # the tiny model's head is not tied to its embedding

    originals = load_file(tiny_llama / "model.safetensors")
    heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]
    for hf_name, gguf_name, n_heads in (("model.layers.1.self_attn.q_proj.weight", "blk.1.attn_q.weight", heads),
                                        ("model.layers.1.self_attn.k_proj.weight", "blk.1.attn_k.weight", kv_heads),
                                        ("model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight", None),
                                        ("model.norm.weight", "output_norm.weight", None)):
        tensor = tensors[gguf_name]
        values = torch.from_numpy(gguf.dequantize(tensor.data, tensor.tensor_type).copy())
        expected = originals[hf_name].float()
        if n_heads:  # llama.cpp pairs rotary dimensions (0, d/2), (1, d/2+1)... next to each other
            rows = expected.shape[0]
            expected = expected.reshape(n_heads, 2, rows // n_heads // 2, -1).transpose(1, 2).reshape(rows, -1)
        if expected.dim() == 1:
            assert tensor.tensor_type == gguf.GGMLQuantizationType.F32 and torch.equal(values, expected)
        else:
            assert tensor.tensor_type == gguf.GGMLQuantizationType.Q8_0
            assert torch.allclose(values, expected, atol=expected.abs().max().item() / 100)


def test_an_architecture_it_cannot_write_is_refused_and_nothing_is_written(tiny_models, tmp_path):
    source = tiny_model_dir("gpt2", tiny_models)
    with pytest.raises(StudioError) as refused:
        write_gguf(source, tmp_path / "model.gguf")
    assert refused.value.key == "gguf.err.architecture"
    assert "llama, qwen2" in str(refused.value) and "safetensors" in str(refused.value)
    assert "GGUF" in refused.value.render("zh") and list(tmp_path.iterdir()) == []


def test_a_tokenizer_llama_cpp_would_split_differently_is_refused(tiny_llama, tmp_path):
    source = tmp_path / "whitespace-split"
    shutil.copytree(tiny_llama, source)
    spec = json.loads((source / "tokenizer.json").read_text())
    spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"}, {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                      "use_regex": True}]}
    (source / "tokenizer.json").write_text(json.dumps(spec))
    with pytest.raises(StudioError) as refused:
        write_gguf(source, tmp_path / "model.gguf")
    assert refused.value.key == "gguf.err.tokenizer"
    with pytest.raises(StudioError) as bad_type:
        write_gguf(tiny_llama, tmp_path / "model.gguf", "q4_k")
    assert bad_type.value.key == "gguf.err.type"


LLAMA_CPP = os.environ.get("STUDIO_NODE_LLAMA_CPP")


@pytest.mark.skipif(not LLAMA_CPP, reason="set STUDIO_NODE_LLAMA_CPP to a folder with node-llama-cpp installed")
@pytest.mark.parametrize("arch, gguf_type", [("llama", "f32"), ("qwen2", "f32")])
def test_llama_cpp_itself_tokenizes_and_answers_like_transformers(arch, gguf_type, tiny_models, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = tiny_model_dir(arch, tiny_models)
    path = write_gguf(source, tmp_path / "model.gguf", gguf_type)
    tok = AutoTokenizer.from_pretrained(source)
    text, _, tokens = greedy(AutoModelForCausalLM.from_pretrained(source).eval(), tok)
    (tmp_path / "in.json").write_text(json.dumps({"texts": [TEXT], "prompt": text, "n": 12}))
    script = Path(LLAMA_CPP) / "studio_gguf_check.mjs"
    shutil.copy(Path(__file__).parent / "gguf_llama_cpp.mjs", script)
    done = subprocess.run(["node", str(script), str(path), str(tmp_path / "in.json")], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["arch"] == arch and answer["ids"] == [tok(TEXT)["input_ids"]]
    assert answer["generated"] == tokens
