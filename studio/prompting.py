"""How a conversation becomes the text a model sees, in one place for training, chat and eval.

Two styles:
- `chat`: the tokenizer's chat template (TRL applies the same template while training).
- `plain`: no template, for raw-text and plain input->output models. A single user turn is its
  text and a newline; longer conversations use `User:` / `Assistant:` lines.
"""
from __future__ import annotations

Message = dict  # {"role": "system" | "user" | "assistant", "content": str}


def user_turn(text: str, system: str | None = None) -> list[Message]:
    messages = [{"role": "system", "content": system}] if system else []
    return messages + [{"role": "user", "content": text}]


def with_system(messages: list[Message], system: str | None) -> list[Message]:
    """Add `system` as the first message unless the conversation already has one."""
    if not system or (messages and messages[0]["role"] == "system"):
        return messages
    return [{"role": "system", "content": system}] + messages


def render_plain(messages: list[Message]) -> str:
    """The plain-text prompt for `messages` (which end on a user turn)."""
    system = [m["content"] for m in messages if m["role"] == "system"]
    turns = [m for m in messages if m["role"] != "system"]
    if len(turns) == 1 and not system:
        return f"{turns[0]['content']}\n"
    lines = [system[0], ""] if system else []
    for m in turns:
        lines.append(f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content']}")
    lines.append("Assistant:")
    return "\n".join(lines) + " "


def render_prompt(messages: list[Message], style: str, tokenizer) -> str:
    """The text a model continues to answer `messages`, in the run's prompt style."""
    if style == "chat":
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return render_plain(messages)
