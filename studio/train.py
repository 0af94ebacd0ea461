"""The one training loop every method and objective goes through.

    python -m studio train presets/quickstart.yaml

`train_run` does the work inside a run folder; `studio.jobs` wraps it with states, errors,
queueing and stop. The recipe decides the model, the data, the method (what trains) and the
objective (which TRL trainer, on which data shape).
"""
from __future__ import annotations

import logging
import time

from .inference import end_token_ids
from .methods import method
from .models import (choose_device, choose_dtype, count_parameters, folder_size,
                     load_model, load_tokenizer, resolve_source)
from .objectives import TrainContext, objective, task_of
from .progress import ProgressCallback
from .recipe import Recipe
from .runs import RunFolder

log = logging.getLogger(__name__)


def training_arguments(recipe: Recipe, run: RunFolder, device: str, has_eval: bool) -> dict:
    """TrainingArguments fields shared by every objective (TRL configs all subclass them)."""
    import torch

    train = recipe.train
    dtype = choose_dtype(recipe.model.dtype, device)
    evaluate = has_eval and train.eval_steps > 0
    return dict(
        output_dir=str(run.checkpoints_dir),
        max_steps=train.max_steps,
        num_train_epochs=train.epochs,
        per_device_train_batch_size=train.batch_size,
        per_device_eval_batch_size=train.batch_size,
        gradient_accumulation_steps=train.grad_accum,
        learning_rate=recipe.learning_rate,
        lr_scheduler_type=train.lr_scheduler,
        warmup_steps=train.warmup,  # below 1: a share of the steps (transformers 5)
        weight_decay=train.weight_decay,
        max_grad_norm=train.max_grad_norm,
        seed=train.seed,
        data_seed=train.seed,
        logging_steps=train.logging_steps,
        logging_first_step=True,
        logging_nan_inf_filter=False,  # a diverged run must show its NaN, not hide it in an average
        eval_strategy="steps" if evaluate else "no",
        eval_steps=train.eval_steps if evaluate else None,
        save_strategy="steps",
        save_steps=train.save_steps,
        save_total_limit=train.save_total_limit,
        activation_checkpointing=train.gradient_checkpointing,
        optim=train.optimizer,
        use_cpu=device == "cpu",
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16 and recipe.quantization == "none",
        report_to=[],
        disable_tqdm=True,
        dataloader_num_workers=0,
    )


def train_run(recipe: Recipe, run: RunFolder, callback: ProgressCallback, resume: bool = False,
              extra_callbacks: list = ()) -> dict:
    """Train `recipe` in `run`; returns what status.json should record about the result."""
    import torch
    from transformers import PrinterCallback, set_seed

    from .data import prepare

    started = time.time()
    _quiet_progress_bars()
    recipe = recipe.resolved().validate_for_training()
    if recipe.train.threads:
        torch.set_num_threads(recipe.train.threads)
    set_seed(recipe.train.seed)
    kind = recipe.objective.kind
    task = task_of(kind)
    device = choose_device(recipe.model.device)
    source = resolve_source(recipe.model.name)

    tokenizer = load_tokenizer(source, recipe.model.revision, recipe.model.trust_remote_code)
    data = prepare(recipe.data, kind, tokenizer, recipe.prompt_style, seed=recipe.train.seed)
    for note in data.notes:
        log.warning("data: %s", note)
    run.data_dir.mkdir(exist_ok=True)
    if data.eval is not None:
        data.eval.to_json(str(run.data_dir / "validation.jsonl"), force_ascii=False)
    run.update_status(data_stats=data.stats, data_notes=[n.render() for n in data.notes])

    model = load_model(recipe.model, recipe.quantization, task, device=device, tokenizer=tokenizer,
                       seed=recipe.train.seed)
    model = method(recipe.method.kind).prepare(model, recipe, task)
    trainable, total = count_parameters(model)
    log.info("trainable parameters: %d of %d (%.4f%%)", trainable, total, 100 * trainable / max(total, 1))
    run.update_status(trainable_params=trainable, total_params=total, device=device,
                      trainable_percent=100 * trainable / max(total, 1))

    ctx = TrainContext(recipe=recipe, model=model, tokenizer=tokenizer, train_data=data.train,
                       eval_data=data.eval, run_dir=run.path, callbacks=[callback, *extra_callbacks],
                       args=training_arguments(recipe, run, device, data.eval is not None))
    trainer = objective(kind).build(ctx)
    trainer.remove_callback(PrinterCallback)  # progress goes to metrics.jsonl, not stdout
    callback.trainer = trainer
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()

    checkpoint = run.last_checkpoint() if resume else None
    output = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if data.eval is not None:
        trainer.evaluate()  # the final validation loss, logged like every other event

    trained = trainer.accelerator.unwrap_model(trainer.model)
    if getattr(trained, "generation_config", None) is not None:
        # Saved weights should stop where the studio stops (end of text and end of turn), also
        # when loaded elsewhere with plain transformers.
        trained.generation_config.eos_token_id = end_token_ids(tokenizer, trained.generation_config)
    method(recipe.method.kind).save(trained, run.model_dir)
    tokenizer.save_pretrained(run.model_dir)
    return {
        "state": "stopped" if callback.stopped else "completed",
        "saved_bytes": folder_size(run.model_dir),
        "wall_time": time.time() - started,
        "train_seconds": output.metrics.get("train_runtime"),  # the optimisation loop alone
        "peak_memory_mb": peak_memory_mb(device),
        "final_loss": _last(run, "loss"),
        "final_eval_loss": _last(run, "eval_loss"),
        "tokens_per_second": _mean(run, "tokens_per_second"),
    }


def _quiet_progress_bars() -> None:
    """Progress is reported through metrics.jsonl; the libraries' own bars would only clutter the
    terminal and the run log."""
    import datasets
    from transformers.utils import logging as hf_logging

    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()


def peak_memory_mb(device: str) -> float:
    """Peak GPU memory of this run on CUDA; on CPU the process's peak resident memory."""
    import torch

    if device == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _last(run: RunFolder, key: str):
    values = [e[key] for e in run.metrics() if key in e]
    return values[-1] if values else None


def _mean(run: RunFolder, key: str):
    values = [e[key] for e in run.metrics() if key in e]
    return sum(values) / len(values) if values else None

