"""RL from a reward: sample several completions per prompt, score them with a reward model or
reward functions, and push the policy toward the better ones with a KL penalty to the reference.

TRL 1.x has no PPO; GRPO and RLOO are its on-policy algorithms (group-relative baselines instead
of a value model), so these are what the studio offers.
"""
from __future__ import annotations

from .base import TrainContext, studio_trainer
from .. import rewards

TASK = "causal_lm"


def build(ctx: TrainContext):
    recipe = ctx.recipe
    options = recipe.objective.rl
    if options.algorithm == "grpo":
        from trl import GRPOConfig as Config, GRPOTrainer as Trainer
    else:
        from trl import RLOOConfig as Config, RLOOTrainer as Trainer
    reward_funcs, reward_tokenizers = rewards.build(options, device=ctx.model.device)
    args = ctx.config(Config, num_generations=options.num_generations,
                      max_completion_length=options.max_completion_length,
                      temperature=options.temperature, beta=options.beta)
    return studio_trainer(Trainer)(
        model=ctx.model, reward_funcs=reward_funcs, args=args, train_dataset=ctx.train_data,
        eval_dataset=ctx.eval_data, processing_class=ctx.tokenizer,
        reward_processing_classes=reward_tokenizers, callbacks=ctx.callbacks)
