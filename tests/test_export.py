"""Export: a merged model that plain transformers reloads with the studio's own greedy answer, an
adapter with its model card, a standalone demo app that answers over HTTP, a private hub push
that never writes the token down."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "Write the word in capitals.\ncat"


def studio(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def lora_run(tiny_llama, data_files):
    done = studio("train", "quickstart", f"model.name={tiny_llama}", f"data.path={data_files['alpaca']}",
                  "data.eval_path=null", "train.max_steps=30", "train.batch_size=8", "train.learning_rate=5e-3",
                  "--quiet")
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


PLAIN_TRANSFORMERS = """
import sys, json
from transformers import AutoModelForCausalLM, AutoTokenizer
path, prompt = sys.argv[1], sys.argv[2]
tok = AutoTokenizer.from_pretrained(path)
model = AutoModelForCausalLM.from_pretrained(path)
text = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False)
enc = tok(text, return_tensors="pt", add_special_tokens=False)
out = model.generate(**enc, max_new_tokens=12, do_sample=False)
print(json.dumps(tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()))
assert "studio" not in sys.modules
"""


def test_merged_export_reloads_with_plain_transformers_and_answers_like_the_studio(lora_run, tmp_path):
    out = tmp_path / "merged"
    done = studio("export", lora_run, "--out", out, "--merge")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["kind"] == "merged"
    assert not (out / "adapter_config.json").exists() and (out / "config.json").exists()
    plain = subprocess.run([sys.executable, "-c", PLAIN_TRANSFORMERS, str(out), PROMPT], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr
    ours = studio("chat", lora_run, "--prompt", PROMPT, "--temperature", "0", "--max-new-tokens", "12")
    assert json.loads(plain.stdout) == ours.stdout.strip()


GGUF_ANSWER = """
import sys, json
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig
folder, alone, prompt = sys.argv[1:4]
stops = GenerationConfig.from_pretrained(folder).eos_token_id
answers = []
for folder, kwargs in ((folder, {}), (alone, {"gguf_file": "model.gguf"})):
    tok = AutoTokenizer.from_pretrained(folder, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype="float32", **kwargs)
    text = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False)
    enc = tok(text, return_tensors="pt", add_special_tokens=False)
    out = model.generate(**enc, max_new_tokens=12, do_sample=False, eos_token_id=stops)
    answers.append(out[0, enc["input_ids"].shape[1]:].tolist())
print(json.dumps(answers))
"""


def test_gguf_export_is_the_merged_model_for_llama_cpp(lora_run, tmp_path):
    out = tmp_path / "gguf"
    done = studio("export", lora_run, "--out", out, "--gguf", "f32")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["kind"] == "merged" and result["gguf"] == "f32" and "model.gguf" in result["files"]
    assert "llama-cli -m model.gguf" in (out / "README.md").read_text(encoding="utf-8")
    # transformers' own GGUF loader: the file alone gives the merged model's greedy answer, token for token.
    # Alone in its folder, as a llama.cpp user has it (beside tokenizer files transformers prefers those).
    alone = tmp_path / "gguf-only"
    alone.mkdir()
    (alone / "model.gguf").symlink_to(out / "model.gguf")
    plain = subprocess.run([sys.executable, "-c", GGUF_ANSWER, str(out), str(alone), PROMPT], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr
    merged, from_gguf = json.loads(plain.stdout)
    assert from_gguf == merged and len(merged) > 1


def test_adapter_export_has_the_adapter_and_a_model_card(lora_run, tmp_path):
    out = tmp_path / "adapter"
    done = studio("export", lora_run, "--out", out)
    assert done.returncode == 0, done.stderr
    assert (out / "adapter_model.safetensors").is_file() and (out / "studio-recipe.yaml").is_file()
    card = (out / "README.md").read_text(encoding="utf-8")
    for needle in ("## Training", "## Data", "## Results", "lora", "python -m studio train studio-recipe.yaml"):
        assert needle in card
    again = studio("export", lora_run, "--out", out)
    assert again.returncode == 2 and "not empty" in again.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_folder_runs_alone_and_answers_over_http(lora_run, tmp_path):
    out = tmp_path / "demo"
    done = studio("export", lora_run, "--out", out, "--demo")
    assert done.returncode == 0, done.stderr
    assert {"app.py", "requirements.txt", "README.md", "model", "prompt_style.json"} <= {p.name for p in out.iterdir()}
    assert (out / "README.md").read_text().startswith("---\ntitle:")
    port = _free_port()
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False")
    app = subprocess.Popen([sys.executable, "app.py"], cwd=out, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        from gradio_client import Client

        deadline = time.time() + 120
        client = None
        while client is None and time.time() < deadline:
            assert app.poll() is None, app.stdout.read()
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        assert client is not None
        answer = client.predict(PROMPT, 0.0, 12, api_name="/chat")
        ours = studio("chat", lora_run, "--prompt", PROMPT, "--temperature", "0", "--max-new-tokens", "12")
        assert answer.strip() == ours.stdout.strip()
    finally:
        app.terminate()
        app.wait(10)


def test_push_is_private_by_default_and_never_writes_the_token(lora_run, tmp_path, monkeypatch):
    from studio import export

    calls = {}

    class FakeApi:
        def __init__(self, token):
            calls["token"] = token

        def create_repo(self, repo_id, private, exist_ok, repo_type):
            calls["create"] = (repo_id, private, repo_type)
            return f"https://huggingface.co/{repo_id}"

        def upload_folder(self, folder_path, repo_id, repo_type):
            calls["upload"] = folder_path

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    out = tmp_path / "push"
    export.export_run(lora_run, out)
    secret = "hf_SECRET_token_123"
    export.push_to_hub(out, "someone/model", token=secret)
    assert calls["create"] == ("someone/model", True, "model") and calls["token"] == secret
    for path in list(out.rglob("*")) + list(Path(lora_run).rglob("*")):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert secret.encode() not in path.read_bytes(), path


def test_an_adapter_run_cannot_be_merged_and_says_why(tiny_llama, data_files, tmp_path):
    done = studio("train", "quickstart", f"model.name={tiny_llama}", f"data.path={data_files['alpaca']}",
                  "data.eval_path=null", "method.kind=adapter", "train.max_steps=3", "--quiet")
    assert done.returncode == 0, done.stderr
    run_dir = done.stdout.strip().splitlines()[-1]
    merged = studio("export", run_dir, "--out", tmp_path / "m", "--merge")
    assert merged.returncode == 2 and "cannot be merged" in merged.stderr
    plain = studio("export", run_dir, "--out", tmp_path / "a")
    assert plain.returncode == 0 and (tmp_path / "a" / "bottleneck_adapter.safetensors").is_file()


def test_archive_and_card_text_for_the_web_page(lora_run, tmp_path):
    import zipfile

    from studio.export import archive, card_text, export_run

    out = tmp_path / "demo-for-zip"
    export_run(lora_run, out, demo=True)
    zipped = archive(out)
    assert zipped == tmp_path / "demo-for-zip.zip"
    with zipfile.ZipFile(zipped) as zf:
        assert {"app.py", "README.md", "model/config.json"} <= set(zf.namelist())
    card = card_text(out)
    assert card.startswith("# ") and "sdk: gradio" not in card and "## Training" in card
