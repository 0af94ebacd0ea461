"""Generation: one engine for chat, evaluation, ranking candidates and the CLI.

Answers "before" come from the same loaded run with its tuning switched off (see
LoadedRun.base_behaviour), so before and after differ only by what training changed.
"""
from __future__ import annotations

import threading
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Iterator

from .errors import StudioError
from .loading import LoadedRun
from .prompting import render_prompt, user_turn

_LOCKS: dict[int, threading.Lock] = {}


def _lock(loaded: LoadedRun) -> threading.Lock:
    # Switching an adapter off is a change to the shared model: one generation at a time per run.
    return _LOCKS.setdefault(id(loaded), threading.Lock())


@dataclass
class Sampling:
    temperature: float = 0.7      # 0 = greedy
    top_p: float = 0.95
    max_new_tokens: int = 128
    seed: int | None = None
    repetition_penalty: float = 1.0

    def generate_kwargs(self) -> dict:
        if self.temperature <= 0:
            return {"do_sample": False, "max_new_tokens": self.max_new_tokens,
                    "repetition_penalty": self.repetition_penalty}
        return {"do_sample": True, "temperature": self.temperature, "top_p": self.top_p,
                "max_new_tokens": self.max_new_tokens, "repetition_penalty": self.repetition_penalty}


def prompt_text(loaded: LoadedRun, messages: list[dict] | str, rendered: bool = False) -> str:
    """What the model continues. A string is the user's message (raw text for a pre-trained run),
    or, with `rendered`, prompt text already in the run's style (as plain data rows hold it)."""
    if isinstance(messages, str) and rendered:
        return messages
    if isinstance(messages, str):
        if loaded.recipe.objective.kind == "pretrain":
            return messages
        messages = user_turn(messages, loaded.recipe.data.system_prompt)
    return render_prompt(messages, loaded.prompt_style, loaded.tokenizer)


def stop_token_ids(loaded: LoadedRun) -> list[int]:
    return end_token_ids(loaded.tokenizer, getattr(loaded.model, "generation_config", None))


def end_token_ids(tokenizer, generation_config=None) -> list[int]:
    """End-of-text, end-of-turn, and whatever the model's generation config stops on."""
    ids = set()
    configured = getattr(generation_config, "eos_token_id", None)
    ids.update(configured if isinstance(configured, list) else [configured] if configured is not None else [])
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    for token in ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>"):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id and token_id >= 0:
            ids.add(token_id)
    return sorted(ids)


def _check_generative(loaded: LoadedRun) -> None:
    if loaded.task != "causal_lm":
        raise StudioError("run.err.reward_chat", path=str(loaded.run_dir))


def _encode(loaded: LoadedRun, texts: list[str]):
    tokenizer = loaded.tokenizer
    previous, tokenizer.padding_side = tokenizer.padding_side, "left"  # new tokens follow every prompt
    try:
        enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    finally:
        tokenizer.padding_side = previous
    return enc.to(loaded.model.device)


def generate_batch(loaded: LoadedRun, prompts: list[list[dict] | str], sampling: Sampling,
                   base: bool = False, num_return_sequences: int = 1, rendered: bool = False) -> list[list[str]]:
    """Answers for each prompt (`num_return_sequences` each), from the tuned or the base model."""
    import torch

    _check_generative(loaded)
    texts = [prompt_text(loaded, p, rendered) for p in prompts]
    with _lock(loaded):
        enc = _encode(loaded, texts)
        if sampling.seed is not None:
            torch.manual_seed(sampling.seed)
        model_ctx = loaded.base_behaviour() if base else nullcontext(loaded.model)
        with model_ctx as model, torch.no_grad():
            out = model.generate(**enc, **sampling.generate_kwargs(), num_return_sequences=num_return_sequences,
                                 eos_token_id=stop_token_ids(loaded), pad_token_id=loaded.tokenizer.pad_token_id)
    new_tokens = out[:, enc["input_ids"].shape[1]:]
    answers = [loaded.tokenizer.decode(row, skip_special_tokens=True).strip() for row in new_tokens]
    k = num_return_sequences
    return [answers[i * k:(i + 1) * k] for i in range(len(prompts))]


def generate(loaded: LoadedRun, prompt: list[dict] | str, sampling: Sampling, base: bool = False) -> str:
    return generate_batch(loaded, [prompt], sampling, base)[0][0]


def stream(loaded: LoadedRun, prompt: list[dict] | str, sampling: Sampling, base: bool = False) -> Iterator[str]:
    """Yields the answer so far as it grows, token by token."""
    import torch
    from transformers import TextIteratorStreamer

    _check_generative(loaded)
    enc = _encode(loaded, [prompt_text(loaded, prompt)])
    streamer = TextIteratorStreamer(loaded.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=300)
    errors: list[BaseException] = []

    def work():
        try:
            with _lock(loaded):
                if sampling.seed is not None:
                    torch.manual_seed(sampling.seed)
                with (loaded.base_behaviour() if base else nullcontext(loaded.model)) as model, torch.no_grad():
                    model.generate(**enc, **sampling.generate_kwargs(), streamer=streamer,
                                   eos_token_id=stop_token_ids(loaded), pad_token_id=loaded.tokenizer.pad_token_id)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader below
            errors.append(exc)
            streamer.end()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    text = ""
    for piece in streamer:
        text += piece
        yield text.strip()
    thread.join()
    if errors:
        raise errors[0]
