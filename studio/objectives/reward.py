"""Reward model: a one-score head trained on preference pairs (TRL's RewardTrainer), so that
score(prompt, chosen) > score(prompt, rejected)."""
from __future__ import annotations

from .base import TrainContext, studio_trainer

TASK = "seq_cls"


def build(ctx: TrainContext):
    from trl import RewardConfig, RewardTrainer

    trainer_class = studio_trainer(RewardTrainer)
    args = ctx.config(RewardConfig, max_length=ctx.recipe.data.max_length)
    return trainer_class(model=ctx.model, args=args, train_dataset=ctx.train_data, eval_dataset=ctx.eval_data,
                         processing_class=ctx.tokenizer, callbacks=ctx.callbacks)
