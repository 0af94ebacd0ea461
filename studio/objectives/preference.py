"""Learning straight from preferences, without a reward model: DPO (pairs), KTO (thumbs up/down),
ORPO (pairs, no reference model). The reference model is the frozen base: PEFT runs switch their
adapter off for it; other runs let TRL load the base again from its path."""
from __future__ import annotations

from .base import TrainContext, studio_trainer

TASK = "causal_lm"


def _classes(kind: str):
    if kind == "dpo":
        from trl import DPOConfig, DPOTrainer
        return DPOConfig, DPOTrainer
    if kind == "kto":
        from trl import KTOConfig, KTOTrainer
        return KTOConfig, KTOTrainer
    from trl.experimental.orpo import ORPOConfig, ORPOTrainer
    return ORPOConfig, ORPOTrainer


def build(ctx: TrainContext):
    recipe = ctx.recipe
    kind = recipe.objective.kind
    config_class, trainer_class = _classes(kind)
    specific = {"max_length": recipe.data.max_length}
    if kind == "dpo":
        specific.update(beta=recipe.objective.dpo.beta, loss_type=[recipe.objective.dpo.loss_type])
    elif kind == "kto":
        specific.update(beta=recipe.objective.kto.beta)
    return studio_trainer(trainer_class)(
        model=ctx.model, args=ctx.config(config_class, **specific), train_dataset=ctx.train_data,
        eval_dataset=ctx.eval_data, processing_class=ctx.tokenizer, callbacks=ctx.callbacks)
