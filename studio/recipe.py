"""The recipe: everything a training run needs, in one typed schema.

Defaults, bounds and choices live here and nowhere else: the CLI, the UI and the tests read them
from this module. Help text lives in the locale files under `recipe.help.<section>.<field>`.

    python -m studio train presets/quickstart.yaml train.max_steps=50 method.lora.r=16
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal, Optional, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import RecipeError, StudioError

METHOD_KINDS = ("full", "lora", "qlora", "adapter", "prompt")
OBJECTIVE_KINDS = ("pretrain", "sft", "instruction", "reward", "rl", "dpo", "kto", "orpo")
DATA_FORMATS = ("auto", "text", "alpaca", "sharegpt", "messages", "prompt_completion", "preference", "kto")

# Learning rates that suit each scope when the recipe leaves `train.learning_rate` empty:
# few trainable weights (prompt, adapter) tolerate, and need, larger steps than full tuning.
DEFAULT_LEARNING_RATE = {"full": 2e-5, "lora": 2e-4, "qlora": 2e-4, "adapter": 5e-4, "prompt": 3e-2}


class Section(BaseModel):
    # Unknown keys are errors: a typo in a recipe must not be silently ignored.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSection(Section):
    name: str = "builtin"
    init: Literal["pretrained", "scratch"] = "pretrained"
    revision: Optional[str] = None
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    quantization: Literal["none", "4bit", "8bit"] = "none"
    trust_remote_code: bool = False


class DataSection(Section):
    path: str = ""
    eval_path: Optional[str] = None
    format: Literal[DATA_FORMATS] = "auto"
    columns: dict[str, str] = Field(default_factory=dict)
    val_split: float = Field(0.1, ge=0.0, le=0.5)
    max_rows: Optional[int] = Field(None, ge=1)
    max_length: int = Field(512, ge=8, le=131072)
    packing: bool = False
    prompt_style: Literal["auto", "chat", "plain"] = "auto"
    system_prompt: Optional[str] = None


class LoraOptions(Section):
    r: int = Field(8, ge=1, le=1024)
    alpha: float = Field(16, gt=0, le=4096)
    dropout: float = Field(0.05, ge=0.0, le=0.9)
    targets: Union[str, list[str]] = "all-linear"
    dora: bool = False
    rslora: bool = False


class AdapterOptions(Section):
    bottleneck: int = Field(32, ge=1, le=16384)
    activation: Literal["relu", "gelu", "silu", "tanh"] = "gelu"
    placement: list[Literal["attention", "mlp"]] = Field(default_factory=lambda: ["attention", "mlp"], min_length=1)
    dropout: float = Field(0.0, ge=0.0, le=0.9)


class PromptOptions(Section):
    num_virtual_tokens: int = Field(16, ge=1, le=1024)
    init: Literal["random", "text"] = "random"
    init_text: str = ""


class MethodSection(Section):
    kind: Literal[METHOD_KINDS] = "lora"
    lora: LoraOptions = Field(default_factory=LoraOptions)
    adapter: AdapterOptions = Field(default_factory=AdapterOptions)
    prompt: PromptOptions = Field(default_factory=PromptOptions)


class DPOOptions(Section):
    beta: float = Field(0.1, gt=0.0, le=10.0)
    loss_type: Literal["sigmoid", "ipo", "hinge"] = "sigmoid"


class RLOptions(Section):
    algorithm: Literal["grpo", "rloo"] = "grpo"
    reward_model: Optional[str] = None
    reward_functions: list[str] = Field(default_factory=list)
    num_generations: int = Field(4, ge=2, le=64)
    max_completion_length: int = Field(32, ge=1, le=8192)
    temperature: float = Field(1.0, gt=0.0, le=2.0)
    beta: float = Field(0.04, ge=0.0, le=10.0)


class KTOOptions(Section):
    beta: float = Field(0.1, gt=0.0, le=10.0)


class ObjectiveSection(Section):
    kind: Literal[OBJECTIVE_KINDS] = "sft"
    dpo: DPOOptions = Field(default_factory=DPOOptions)
    rl: RLOptions = Field(default_factory=RLOptions)
    kto: KTOOptions = Field(default_factory=KTOOptions)


class TrainSection(Section):
    max_steps: int = Field(100, ge=-1, le=10_000_000)
    epochs: float = Field(1.0, gt=0.0, le=1000)
    batch_size: int = Field(8, ge=1, le=4096)
    grad_accum: int = Field(1, ge=1, le=4096)
    learning_rate: Optional[float] = Field(None, gt=0.0, le=10.0)
    lr_scheduler: Literal["constant", "linear", "cosine"] = "cosine"
    warmup: float = Field(0.03, ge=0.0)
    weight_decay: float = Field(0.0, ge=0.0, le=1.0)
    max_grad_norm: float = Field(1.0, ge=0.0)
    seed: int = Field(42, ge=0)
    logging_steps: int = Field(5, ge=1)
    eval_steps: int = Field(0, ge=0)
    save_steps: int = Field(100, ge=1)
    save_total_limit: int = Field(2, ge=1)
    gradient_checkpointing: bool = False
    optimizer: Literal["adamw_torch", "adamw_8bit", "sgd", "adafactor"] = "adamw_torch"
    threads: Optional[int] = Field(None, ge=1, le=1024)
    max_minutes: Optional[float] = Field(None, gt=0, le=100_000)


class OutputSection(Section):
    dir: str = ""
    name: str = ""


class Recipe(Section):
    name: str = "run"
    description: str = ""
    model: ModelSection = Field(default_factory=ModelSection)
    data: DataSection = Field(default_factory=DataSection)
    method: MethodSection = Field(default_factory=MethodSection)
    objective: ObjectiveSection = Field(default_factory=ObjectiveSection)
    train: TrainSection = Field(default_factory=TrainSection)
    output: OutputSection = Field(default_factory=OutputSection)

    # --- derived values -------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        return self.train.learning_rate or DEFAULT_LEARNING_RATE[self.method.kind]

    @property
    def quantization(self) -> str:
        """QLoRA means LoRA on a 4-bit base, whatever `model.quantization` says."""
        return "4bit" if self.method.kind == "qlora" else self.model.quantization

    @property
    def prompt_style(self) -> str:
        """How prompts are written for this run: through the chat template, or as plain text.

        Raw-text pre-training and plain input->output SFT use plain text; every objective that
        trains an assistant (instruction tuning, preference and RL objectives) uses the chat
        template.
        """
        if self.data.prompt_style != "auto":
            return self.data.prompt_style
        return "plain" if self.objective.kind in ("pretrain", "sft") else "chat"

    def resolved(self) -> "Recipe":
        """A copy with every automatic choice written out, as saved next to the weights."""
        out = self.model_copy(deep=True)
        out.train.learning_rate = self.learning_rate
        out.model.quantization = self.quantization
        return out

    # --- checks that span fields ------------------------------------------------------------
    def problems(self, for_training: bool = True) -> list[StudioError]:
        found: list[StudioError] = []
        if for_training and not self.data.path.strip():
            found.append(StudioError("recipe.err.data_path_missing"))
        if self.objective.kind == "rl" and not (self.objective.rl.reward_model or self.objective.rl.reward_functions):
            found.append(StudioError("recipe.err.rl_needs_reward"))
        if self.method.kind == "qlora" and self.model.quantization == "8bit":
            found.append(StudioError("recipe.err.qlora_8bit"))
        if self.model.init == "scratch" and self.method.kind != "full":
            found.append(StudioError("recipe.err.scratch_needs_full", method=self.method.kind))
        if self.method.kind == "prompt" and self.method.prompt.init == "text" and not self.method.prompt.init_text.strip():
            found.append(StudioError("recipe.err.prompt_init_text"))
        if self.objective.kind == "rl" and self.train.batch_size % self.objective.rl.num_generations:
            found.append(StudioError("recipe.err.rl_batch", batch=self.train.batch_size,
                                     generations=self.objective.rl.num_generations))
        return found

    def validate_for_training(self) -> "Recipe":
        problems = self.problems(for_training=True)
        if problems:
            raise RecipeError(problems)
        return self

    # --- YAML -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_yaml(), encoding="utf-8")
        return path


# --- building recipes from YAML and overrides -------------------------------------------------

def help_key(dotted_field: str) -> str:
    """The locale key of a field's help text, e.g. `train.max_steps` -> `recipe.help.train.max_steps`."""
    return f"recipe.help.{dotted_field}"


def field_paths(model: type[BaseModel] = Recipe, prefix: str = "") -> list[str]:
    """Every leaf field as a dotted path (`method.lora.r`), in schema order."""
    paths = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            paths.extend(field_paths(annotation, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


def field_info(dotted: str):
    """The pydantic FieldInfo of a dotted path (for bounds and choices in the UI)."""
    model: type[BaseModel] = Recipe
    parts = dotted.split(".")
    for part in parts[:-1]:
        model = model.model_fields[part].annotation
    return model.model_fields[parts[-1]]


def field_bounds(dotted: str) -> dict[str, Any]:
    """{'ge': .., 'le': .., 'gt': .., 'lt': ..} of a numeric field, for sliders and number boxes."""
    bounds: dict[str, Any] = {}
    for meta in field_info(dotted).metadata:
        for name in ("ge", "le", "gt", "lt"):
            if getattr(meta, name, None) is not None:
                bounds[name] = getattr(meta, name)
    return bounds


def parse_override(text: str) -> tuple[list[str], Any]:
    if "=" not in text:
        raise RecipeError([StudioError("recipe.err.override_syntax", override=text)])
    key, raw = text.split("=", 1)
    key = key.strip()
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    # YAML turns "1e-4" into a string; numbers written that way are still numbers.
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value.lower() for c in ".e") else value
        except ValueError:
            pass
    return key.split("."), value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    data = copy.deepcopy(data)
    for text in overrides:
        keys, value = parse_override(text)
        node = data
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[keys[-1]] = value
    return data


_PYDANTIC_KEYS = {
    "missing": "recipe.err.missing",
    "extra_forbidden": "recipe.err.unknown_key",
    "literal_error": "recipe.err.choice",
    "greater_than_equal": "recipe.err.too_small",
    "greater_than": "recipe.err.too_small",
    "less_than_equal": "recipe.err.too_large",
    "less_than": "recipe.err.too_large",
    "too_short": "recipe.err.too_short",
}


def _problem_from_pydantic(error: dict) -> StudioError:
    field = ".".join(str(part) for part in error["loc"] if not str(part).startswith(("literal[", "list[", "str")))
    ctx = error.get("ctx") or {}
    key = _PYDANTIC_KEYS.get(error["type"], "recipe.err.type")
    limit = next((ctx[k] for k in ("ge", "gt", "le", "lt", "min_length") if k in ctx), "")
    return StudioError(key, field=field or "recipe", value=repr(error.get("input"))[:80],
                       choices=ctx.get("expected", ""), limit=limit, detail=error.get("msg", ""))


def recipe_from_dict(data: dict | None, overrides: list[str] | None = None) -> Recipe:
    """Validate a dict (from YAML) plus `section.key=value` overrides; all problems at once."""
    if data is not None and not isinstance(data, dict):
        raise RecipeError([StudioError("recipe.err.not_mapping")])
    data = apply_overrides(data or {}, overrides or [])
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        seen, problems = set(), []
        for err in exc.errors():
            problem = _problem_from_pydantic(err)
            if (problem.key, problem.params["field"]) not in seen:  # unions report a field twice
                seen.add((problem.key, problem.params["field"]))
                problems.append(problem)
        raise RecipeError(problems) from None


def load_recipe(source: str | Path, overrides: list[str] | None = None) -> Recipe:
    """A recipe from a YAML file or a preset name, with overrides applied."""
    from .presets import preset_path  # late: presets imports this module

    path = Path(source)
    if not path.exists():
        found = preset_path(str(source))
        if found is None:
            raise RecipeError([StudioError("recipe.err.file_missing", path=str(source))])
        path = found
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RecipeError([StudioError("recipe.err.bad_yaml", path=str(path), detail=str(exc)[:300])]) from None
    return recipe_from_dict(data, overrides)


def overrides_between(base: Recipe, target: Recipe) -> list[str]:
    """The `key=value` overrides that turn `base` into `target` (for the UI's command preview)."""
    flat_base, flat_target = _flatten(base.to_dict()), _flatten(target.to_dict())
    out = []
    for key, value in flat_target.items():
        if flat_base.get(key) != value:
            text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
            text = text.removesuffix("\n...").removesuffix("...").strip()
            out.append(f"{key}={text}")
    return out


def _flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict) and key != "columns":
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
