"""Demo mode: a visitor of a public studio can never make it read or write outside its own folders.

Every field that takes a name or a path is tried with paths that walk out (through the handlers,
and through the real app's HTTP API behind its login), and each must be refused with a message,
with nothing outside read (a secret file's text never comes back) or written.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from studio.jobs import JobManager
from studio.recipe import recipe_from_dict

gr = pytest.importorskip("gradio")

from studio.ui import tab_chat, tab_data, tab_evaluate, tab_export, tab_model, tab_train  # noqa: E402
from studio.ui.context import AppContext  # noqa: E402
from studio.ui.recipes import initial_origin, load_recipe_upload  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SECRET = "TOP-SECRET-DO-NOT-SHOW"
TRAVERSALS = ["../../../../etc/passwd", "/etc/passwd", "assets/../../../etc/hosts", "~/.ssh/id_rsa",
              "workspace/../../x.jsonl"]


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A folder outside the studio holding a secret data file and a real-looking run folder."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.jsonl").write_text(json.dumps({"text": SECRET}) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def finished_run(tiny_llama, data_files, outside):
    """A finished run in the workspace, and a copy of it outside (a run picker must refuse the copy)."""
    manager = JobManager()
    job = manager.submit(recipe_from_dict({"name": "demo-run", "model": {"name": str(tiny_llama)},
                                           "data": {"path": str(data_files["alpaca"])},
                                           "train": {"max_steps": 2, "batch_size": 8}}))
    assert manager.wait(job.run_id, 300) == "completed"
    copy = outside / "run-copy"
    shutil.copytree(job.run.path, copy)
    return {"inside": str(job.run.path), "outside": str(copy)}


@pytest.fixture(autouse=True)
def no_toasts(monkeypatch):
    """gr.Warning outside a request only warns: keep the test output readable."""
    monkeypatch.setattr(gr, "Warning", lambda *a, **k: None)


@pytest.fixture
def nothing_is_read(monkeypatch):
    """Fail the test if a handler goes on to read data, load a model or size one up."""
    import studio.data
    import studio.estimate

    def refuse(*args, **kwargs):
        raise AssertionError(f"a refused path was read: {args[:1]}")

    monkeypatch.setattr(studio.data, "inspect", refuse)
    monkeypatch.setattr(tab_model, "model_size", refuse)
    monkeypatch.setattr(AppContext, "chat_model", lambda self, target: refuse(target))
    monkeypatch.setattr(AppContext, "tokenizer", lambda self, name: refuse(name))
    return studio.estimate


def recipe(**changes) -> dict:
    data = {"model": {"name": "builtin"}, "data": {"path": "assets/data/en/alpaca.json"}, "train": {"max_steps": 20}}
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return recipe_from_dict(data).to_dict()


def no_secret(*outputs) -> None:
    assert SECRET not in repr(outputs)


def refused(text: str, *needles: str) -> None:
    assert "⚠️" in text, text
    for needle in needles:
        assert needle in text, text


# --- the handlers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TRAVERSALS)
def test_typed_data_paths_are_refused_before_anything_is_read(path, outside, nothing_is_read):
    ctx = AppContext(demo=True)
    for field in ("data.path", "data.eval_path"):
        out = tab_data.inspect_outputs(ctx, recipe(**{field: path}), "en", None)
        refused(out[0], field, "outside the folders")
        no_secret(out)
    out = tab_data.inspect_outputs(ctx, recipe(**{"data.path": str(outside / "secret.jsonl")}), "zh", None)
    refused(out[0], "data.path")
    no_secret(out)


@pytest.mark.parametrize("name", ["/tmp", "../..", "assets/builtin-init", "some/unknown-model", "/etc"])
def test_model_names_outside_the_allow_list_are_refused(name, nothing_is_read):
    ctx = AppContext(demo=True)
    refused(tab_model.estimate_markdown(recipe(**{"model.name": name}), "en", demo=True), "model.name")
    refused(tab_data.inspect_outputs(ctx, recipe(**{"model.name": name}), "en", None)[0], "model.name")
    out = tab_train.start_run(ctx, recipe(**{"model.name": name}), "en", "visitor")
    refused(out[1], "model.name")


def test_start_refuses_every_problem_at_once_in_the_ui_language(outside):
    ctx = AppContext(demo=True)
    bad = recipe(**{"model.name": "/tmp", "data.path": str(outside / "secret.jsonl"), "data.eval_path": "/etc/hosts",
                    "objective.kind": "rl", "objective.rl.reward_model": "../../reward",
                    "output.dir": str(outside / "out"), "model.trust_remote_code": True, "train.max_steps": 100000})
    out = tab_train.start_run(ctx, bad, "zh", "visitor")
    for needle in ("model.name", "data.path", "data.eval_path", "objective.rl.reward_model", "output.dir",
                   "trust_remote_code", "train.max_steps"):
        assert needle in out[1], (needle, out[1])
    assert "公开" in out[1] and not (outside / "out").exists()
    assert not ctx.has_jobs or not ctx.jobs.jobs()


def test_run_names_stay_plain_one_run_per_visitor_and_only_its_owner_stops_it(workspace, data_files, tiny_llama):
    from studio.policy import uploads_dir

    data = uploads_dir() / "demo-data.jsonl"
    shutil.copy(data_files["alpaca"], data)
    ctx = AppContext(demo=True)
    # A workspace run serves as the allowed model here (the built-in weights may not exist yet).
    base = _base_run(tiny_llama, data_files)
    start = recipe(**{"model.name": base, "data.path": str(data), "output.name": "../../../tmp/evil",
                      "train.max_steps": 200, "train.batch_size": 2})
    path, message, *_ = tab_train.start_run(ctx, start, "en", "visitor-a")
    try:
        assert Path(path).parent == workspace / "runs" and Path(path).name.startswith("evil-")
        second = tab_train.start_run(ctx, start, "en", "visitor-a")
        assert "already have a run" in second[1]
        assert "Only the visitor" in tab_train.stop_run(ctx, path, "en", "visitor-b")
        assert ctx.jobs.get(Path(path).name).recipe.train.max_minutes == 10.0
    finally:
        assert "Stopping" in tab_train.stop_run(ctx, path, "en", "visitor-a")
        ctx.jobs.wait(Path(path).name, 120)


_BASE: list = []


def _base_run(tiny_llama, data_files) -> str:
    if not _BASE:
        manager = JobManager()
        job = manager.submit(recipe_from_dict({"name": "base-run", "method": {"kind": "full"},
                                               "model": {"name": str(tiny_llama)},
                                               "data": {"path": str(data_files["alpaca"])},
                                               "train": {"max_steps": 1, "batch_size": 8}}))
        assert manager.wait(job.run_id, 300) == "completed"
        _BASE.append(str(job.run.path))
    return _BASE[0]


@pytest.mark.parametrize("which", TRAVERSALS + ["outside", ".", "/"])
def test_run_pickers_take_this_studios_runs_only(which, finished_run, nothing_is_read, monkeypatch):
    ctx = AppContext(demo=True)
    value = finished_run["outside"] if which == "outside" else which
    refused(tab_evaluate.show_saved(ctx, value, "en")[1], "outside the folders")
    refused(list(tab_evaluate.run_evaluation(ctx, value, tab_evaluate.VALIDATION, 5, "en"))[-1][1])
    refused(list(tab_evaluate.run_comparison(ctx, [finished_run["inside"], value], "en"))[-1][2])
    refused(tab_export.describe(ctx, value, "adapter", "en")[0])
    refused(list(tab_export.run_export(ctx, value, "adapter", "x", "en"))[-1][0])
    refused(list(tab_chat.answer(ctx, value, "hi", [], [], 0.0, 1.0, 4, 0, "en"))[-1][3])
    refused(list(tab_chat.answer(ctx, "base:" + value, "hi", [], [], 0.0, 1.0, 4, 0, "en"))[-1][3], "model.name")


def test_a_run_outside_the_workspace_still_works_on_a_private_studio(finished_run):
    out = tab_evaluate.show_saved(AppContext(demo=False), finished_run["outside"], "en")
    assert "not been evaluated" in out[1]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_evaluation_data_is_an_upload_or_a_sample(path, finished_run, nothing_is_read):
    ctx = AppContext(demo=True)
    refused(list(tab_evaluate.run_evaluation(ctx, finished_run["inside"], path, 5, "en"))[-1][1], "eval data")


@pytest.mark.parametrize("name", ["../../../tmp/evil", "/tmp/evil", "~/evil", "..", "a/../../b"])
def test_export_folders_stay_in_the_exports_folder(name, finished_run, workspace):
    ctx = AppContext(demo=True)
    status, _, download, exported, _ = list(tab_export.run_export(ctx, finished_run["inside"], "adapter", name, "en"))[-1]
    if status.startswith("✅"):
        assert Path(exported["folder"]).parent == workspace / "exports"
        assert Path(download).parent == workspace / "exports"
    else:  # two names that become the same plain name: the second finds the first's folder
        assert "not empty" in status and f"'{workspace / 'exports'}/" in status, status
    assert not Path("/tmp/evil").exists() and not (workspace.parent / "b").exists()


def test_uploads_get_plain_names_and_a_size_limit(tmp_path, workspace):
    ctx = AppContext(demo=True)
    source = tmp_path / ".bashrc.jsonl"
    source.write_text('{"text": "hi"}\n')
    path, eval_path, sample, note = tab_data.upload_outputs(ctx, str(source), "en")
    assert Path(path).parent == workspace / "uploads" and not Path(path).name.startswith(".")
    big = tmp_path / "big.jsonl"
    with open(big, "wb") as fh:
        fh.truncate(25 * 2**20)
    out = tab_data.upload_outputs(ctx, str(big), "zh")
    refused(out[3], "MB")
    assert out[0] == gr.skip()
    refused(tab_evaluate.use_upload(ctx, str(big), "en")[1], "20 MB")


def test_a_recipe_file_naming_outside_paths_is_refused_whole(tmp_path, outside):
    from studio.ui.form import RecipeForm
    from studio.ui.texts import Texts

    with gr.Blocks():
        form = RecipeForm(Texts(), recipe_from_dict(initial_origin()["recipe"]).to_dict())
        for path in ("model.name", "data.path", "data.eval_path"):
            form.field(path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"model": {"name": "/tmp"}, "data": {"path": str(outside / "secret.jsonl"),
                                                                       "eval_path": "../../../etc/passwd"},
                                   "objective": {"kind": "rl", "rl": {"reward_model": "/etc"}},
                                   "output": {"dir": "/tmp/out"}}))
    out = load_recipe_upload(form, str(bad), initial_origin(), "en", demo=True)
    assert all(o == gr.skip() for o in out[:-1]), "nothing from the file reaches the form"
    for needle in ("model.name", "data.path", "data.eval_path", "objective.rl.reward_model", "output.dir"):
        assert needle in out[-1]
    no_secret(out)
    assert load_recipe_upload(form, str(bad), initial_origin(), "en", demo=False)[0]["recipe"]["model"]["name"] == "/tmp"


def test_the_demo_page_hides_remote_code_and_typed_paths():
    from studio.ui.app import build_app

    blocks, ctx = build_app(demo=True)
    by_id = {b.elem_id: b for b in blocks.blocks.values() if getattr(b, "elem_id", None)}
    assert ctx.demo and by_id["model-trust-remote-code"].visible is False
    assert by_id["model-name"].allow_custom_value is False
    assert [v for _, v in by_id["model-name"].choices][:2] == ["builtin", "HuggingFaceTB/SmolLM2-135M-Instruct"]
    assert by_id["data-path"].interactive is False and by_id["data-eval-path"].interactive is False
    assert "300 steps" in by_id["train-limits"].value
    for elem_id in ("eval-run", "eval-start", "eval-table", "eval-chart", "eval-forgetting", "compare-runs",
                    "compare-start", "compare-table", "export-run", "export-kind", "export-start", "export-card",
                    "export-download", "export-push-repo", "export-push-token", "export-push-private", "export-push"):
        assert elem_id in by_id, elem_id
    assert by_id["export-push-token"].type == "password" and by_id["export-push-token"].value in ("", None)
    assert by_id["export-push-private"].value is True


def test_login_is_required_when_others_can_reach_the_demo(monkeypatch):
    from studio.errors import StudioError
    from studio.ui.launch import demo_auth, served_folders

    monkeypatch.delenv("SPACE_ID", raising=False)
    monkeypatch.delenv("STUDIO_AUTH", raising=False)
    assert demo_auth(None, "127.0.0.1", False) is None
    for host, share in (("0.0.0.0", False), ("127.0.0.1", True)):
        with pytest.raises(StudioError) as info:
            demo_auth(None, host, share)
        assert "STUDIO_AUTH" in info.value.render("en") and "STUDIO_AUTH" in info.value.render("zh")
    assert demo_auth("a:b", "0.0.0.0", True) == "a:b"
    monkeypatch.setenv("STUDIO_AUTH", "u:p")
    assert demo_auth(None, "0.0.0.0", False) == "u:p"
    monkeypatch.delenv("STUDIO_AUTH")
    monkeypatch.setenv("SPACE_ID", "someone/studio")
    with pytest.raises(StudioError):
        demo_auth(None, "127.0.0.1", False)
    served = served_folders(True)
    assert all(Path(p).name in ("exports", "recipes") for p in served)


# --- the real app, over HTTP ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_reachable_demo_without_a_login_refuses_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("STUDIO_AUTH", "SPACE_ID")}
    env["STUDIO_HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "app.py", "--demo", "--host", "0.0.0.0", "--port", str(_free_port())],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "STUDIO_AUTH" in done.stderr, done.stderr


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """`python app.py --demo --auth u:p` in a subprocess with its own workspace."""
    home = tmp_path_factory.mktemp("demo-home")
    (home / "uploads").mkdir()
    (home / "uploads" / "someone-elses.jsonl").write_text(json.dumps({"text": SECRET}) + "\n")
    port = _free_port()
    env = {**os.environ, "STUDIO_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("STUDIO_AUTH", None)
    log = open(home.parent / "demo-server.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--demo", "--auth", "u:p", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    import httpx

    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        assert proc.poll() is None, (home.parent / "demo-server.log").read_text()
        try:
            httpx.get(url + "/", timeout=2)
            break
        except httpx.HTTPError:
            assert time.time() < deadline, "the demo app did not start within 120 s"
            time.sleep(0.3)
    try:
        yield url, home
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


def _logged_in(url: str):
    import httpx

    client = httpx.Client(base_url=url, timeout=60)
    assert client.post("/login", data={"username": "u", "password": "wrong"}).status_code == 400
    assert client.post("/login", data={"username": "u", "password": "p"}).status_code == 200
    return client


def _call(client, api_name: str, data: list) -> tuple[str, object]:
    """(last event, its data) of one call through Gradio's HTTP API."""
    started = client.post(f"/gradio_api/call/{api_name}", json={"data": data})
    assert started.status_code == 200, started.text
    event, payload = "", None
    with client.stream("GET", f"/gradio_api/call/{api_name}/{started.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                payload = json.loads(line.split(":", 1)[1].strip() or "null")
    return event, payload


def _register_run(home: Path, run_dir: str, monkeypatch) -> str:
    """A copy of a finished run in the demo app's workspace, listed in its registry."""
    from studio.runs import RunFolder

    target = home / "runs" / Path(run_dir).name
    shutil.copytree(run_dir, target)
    monkeypatch.setenv("STUDIO_HOME", str(home))
    RunFolder(target).update_status(state="completed")
    monkeypatch.undo()
    return str(target)


def test_gradio_client_behind_the_login_meets_the_policy(demo_app, finished_run, monkeypatch):
    """With a real run chosen in the session, what is left to try is the typed fields: the held-out
    data path is refused and a folder name lands in the exports folder."""
    from gradio_client import Client

    url, home = demo_app
    run = _register_run(home, finished_run["inside"], monkeypatch)
    client = Client(url + "/", auth=("u", "p"), verbose=False)
    client.predict(None, [], "en", api_name="/evaluate_runs")  # the session's list now holds the run
    out = client.predict(run, "/etc/passwd", 5, "en", api_name="/evaluate")
    refused(out[1], "eval data", "outside the folders")
    out = client.predict(run, str(home.parent / "outside" / "secret.jsonl"), 5, "en", api_name="/evaluate")
    refused(out[1], "eval data")
    client.predict(None, "en", api_name="/export_runs")
    status, card, download = client.predict(run, "adapter", "../../../tmp/evil-from-api", "en", api_name="/export")
    assert status.startswith("✅") and f"{home / 'exports' / 'evil-from-api'}" in status, status
    assert not Path("/tmp/evil-from-api").exists() and not (home.parent / "evil-from-api").exists()


def test_config_answers_401_before_login_and_200_after(demo_app):
    import httpx

    url, _ = demo_app
    assert httpx.get(url + "/config", timeout=10).status_code == 401
    assert httpx.post(url + "/gradio_api/call/evaluate", json={"data": []}, timeout=10).status_code == 401
    client = _logged_in(url)
    assert client.get("/config").status_code == 200


def test_over_http_upload_names_paths_and_files_stay_inside(demo_app):
    url, home = demo_app
    client = _logged_in(url)
    uploaded = client.post("/gradio_api/upload", files={"files": ("../../x.jsonl", b'{"text": "hi"}\n')})
    assert uploaded.status_code == 200, uploaded.text
    server_path = uploaded.json()[0]
    file = {"path": server_path, "orig_name": "../../x.jsonl", "meta": {"_type": "gradio.FileData"}}
    event, out = _call(client, "data_upload", [file, "en"])
    assert event == "complete", out
    assert Path(out[0]).parent == home / "uploads" and Path(out[0]).name == "x.jsonl"
    for folder in (home.parent, home.parent.parent, ROOT.parent, ROOT):
        assert not (folder / "x.jsonl").exists()

    # Run pickers and folder names sent straight to the API are refused; nothing is written outside.
    for api_name, data in (("evaluate", ["/etc", ":validation:", 5, "en"]),
                           ("compare", [["../../etc"], "en"]),
                           ("export", ["/etc", "adapter", "../../../tmp/evil-export", "en"]),
                           ("chat_answer", ["/etc", "hi", [], [], 0.7, 0.95, 8, 0, "en"])):
        event, out = _call(client, api_name, data)
        assert event == "error" or "⚠️" in json.dumps(out, ensure_ascii=False), (api_name, event, out)
        assert SECRET not in json.dumps(out)
    assert not Path("/tmp/evil-export").exists() and not (home / "exports" / "evil-export").exists()

    # The file route serves neither the machine's files nor other visitors' uploads.
    for path in ("/etc/passwd", str(home / "uploads" / "someone-elses.jsonl"), str(home / "runs.sqlite")):
        response = client.get(f"/gradio_api/file={path}")
        assert response.status_code in (403, 404) and SECRET not in response.text, (path, response.status_code)


def test_a_demo_evaluation_is_kept_short(finished_run, monkeypatch):
    seen = {}

    def fake(run_dir, data_path, limit, report):
        seen["limit"] = limit
        return {"base": {"loss": 1.0}, "tuned": {"loss": 0.5}, "examples": limit, "data": "validation split"}

    monkeypatch.setattr(tab_evaluate, "_evaluate", fake)
    list(tab_evaluate.run_evaluation(AppContext(demo=True), finished_run["inside"], tab_evaluate.VALIDATION, 500, "en"))
    assert seen["limit"] == 100
    list(tab_evaluate.run_evaluation(AppContext(), finished_run["inside"], tab_evaluate.VALIDATION, 500, "en"))
    assert seen["limit"] == 500
