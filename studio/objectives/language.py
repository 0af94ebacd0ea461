"""Language-modelling objectives, all through TRL's SFTTrainer:

- pretrain: next-token loss on every token of raw text (optionally packed into full sequences);
- sft: input -> output pairs, loss on the output only;
- instruction: chat conversations through the chat template, loss on assistant turns only.
"""
from __future__ import annotations

from .base import TrainContext, studio_trainer

TASK = "causal_lm"


def build(ctx: TrainContext):
    from trl import SFTConfig, SFTTrainer

    recipe = ctx.recipe
    kind = recipe.objective.kind
    conversational = "messages" in ctx.train_data.column_names
    specific = dict(max_length=recipe.data.max_length, packing=recipe.data.packing)
    if kind == "pretrain":
        specific.update(dataset_text_field="text", completion_only_loss=False,
                        # Raw text is cut into full-length blocks across document borders, as in pre-training.
                        packing_strategy="wrapped")
    elif kind == "instruction" and conversational:
        specific.update(assistant_only_loss=True)
    trainer_class = studio_trainer(SFTTrainer)
    return trainer_class(model=ctx.model, args=ctx.config(SFTConfig, **specific), train_dataset=ctx.train_data,
                         eval_dataset=ctx.eval_data, processing_class=ctx.tokenizer, callbacks=ctx.callbacks)
