"""The app builds, keeps its element ids, loads nothing heavy, and speaks both languages."""
import subprocess
import sys
from pathlib import Path

import pytest

from studio.i18n import catalog
from studio.recipe import field_paths

gr = pytest.importorskip("gradio")

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_IDS = ["lang-select", "model-name", "data-upload", "method-kind", "objective-kind", "train-start",
                "train-stop", "train-status", "loss-plot", "chat-input", "chat-send", "chat-before", "chat-after"]


@pytest.fixture(scope="module")
def app():
    from studio.ui.app import build_app

    blocks, ctx = build_app()
    return blocks, ctx


def _ids(blocks):
    return [getattr(b, "elem_id", None) for b in blocks.blocks.values()]


def test_required_element_ids_exist_once(app):
    ids = _ids(app[0])
    for elem_id in REQUIRED_IDS:
        assert ids.count(elem_id) == 1, elem_id
    named = [i for i in ids if i]
    assert len(named) == len(set(named)), "duplicate elem_id"


def test_building_the_app_loads_no_training_stack():
    code = ("import sys; from studio.ui.app import build_app; build_app(); "
            "print(sorted(m for m in ('torch', 'transformers', 'trl', 'peft', 'datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_language_switch_updates_every_registered_text(app):
    from studio.ui.app import build_app

    blocks, _ = build_app()
    texts = None
    for fn in blocks.fns.values():
        if getattr(fn.fn, "__name__", "") == "updates":
            texts = fn.fn.__self__
    assert texts is not None
    en, zh = texts.updates("en"), texts.updates("zh")
    assert len(en) == len(zh) == len(texts.components) > 100
    changed = sum(1 for a, b in zip(en, zh) if a != b)
    assert changed > 0.8 * len(en)
    labels = [u.get("label") for u in zh if u.get("label")]
    assert "1 · 模型" in labels and "微调范围" in labels
    values = [u.get("value") for u in zh if isinstance(u.get("value"), str)]
    assert "▶ 开始训练" in values


def test_every_form_field_has_a_label_in_both_languages():
    for lang in ("en", "zh"):
        missing = [p for p in field_paths() if f"ui.field.{p}" not in catalog(lang)]
        assert missing == [], (lang, missing)


def test_choice_labels_are_translated_but_values_are_not(app):
    blocks, _ = app
    method = next(b for b in blocks.blocks.values() if getattr(b, "elem_id", None) == "method-kind")
    assert [v for _, v in method.choices] == ["full", "lora", "qlora", "adapter", "prompt"]
    from studio.ui.texts import choice_key

    assert choice_key("ui.choice.method.kind", "full").render("zh") == "全参数微调"
    assert choice_key("ui.choice.train.optimizer", "adamw_torch") == "adamw_torch"


def test_serve_rejects_a_malformed_auth():
    from studio.errors import StudioError
    from studio.ui.launch import parse_auth

    assert parse_auth("me:secret") == ("me", "secret")
    assert parse_auth(None) is None
    with pytest.raises(StudioError) as err:
        parse_auth("nopassword")
    assert "user:password" in err.value.render("en") and "用户名:密码" in err.value.render("zh")


def test_keys_the_ui_builds_from_values_exist_in_both_languages():
    from studio.recipe import METHOD_KINDS, OBJECTIVE_KINDS
    from studio.runs import STATES
    from studio.ui.runview import LOSS_SERIES, RUN_COLUMNS

    keys = [f"ui.guide.method.{k}" for k in METHOD_KINDS] + [f"ui.guide.objective.{k}" for k in OBJECTIVE_KINDS]
    keys += [f"ui.choice.method.kind.{k}" for k in METHOD_KINDS] + [f"ui.choice.objective.kind.{k}" for k in OBJECTIVE_KINDS]
    keys += [f"ui.state.{s}" for s in STATES] + [f"ui.train.col.{c}" for c in RUN_COLUMNS]
    keys += [f"ui.train.series.{s}" for s in (*LOSS_SERIES, "learning_rate", "reward", "kl")]
    keys += [f"ui.estimate.source.{s}" for s in ("builtin", "local", "known", "hub", "unknown")]
    keys += [f"ui.advice.choose.{m}" for m in ("full", "lora", "qlora")]
    keys += [f"ui.choice.model.quantization.{q}" for q in ("none", "4bit", "8bit")]
    keys += [f"ui.estimate.device_name.{d}" for d in ("cpu", "mps")]
    keys += [f"ui.data.sample.use.{p.stem}" for p in (ROOT / "assets" / "data" / "en").glob("*")]
    keys += [f"ui.data.language.{lang}" for lang in ("en", "zh")]
    for lang in ("en", "zh"):
        assert [k for k in keys if k not in catalog(lang)] == [], lang
