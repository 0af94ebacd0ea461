"""A chat demo for one model, with no dependency on the studio that trained it.

    pip install -r requirements.txt && python app.py

Upload this folder as a Hugging Face Space (the README's front matter says how to run it).
"""
import json
import os
import threading

import gradio as gr
from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_DIR = os.path.join(HERE, "model")
with open(os.path.join(HERE, "prompt_style.json"), encoding="utf-8") as fh:
    STYLE = json.load(fh)  # {"style": "chat" | "plain" | "raw", "system": optional text}

tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
model = AutoModelForCausalLM.from_pretrained(MODEL_DIR).eval()


def text_of(content):
    """Gradio 6 hands message content over as a list of parts."""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def prompt_for(message, history):
    """The text the model continues, written the way it was trained."""
    if STYLE["style"] == "raw":
        return message
    messages = [{"role": m["role"], "content": text_of(m["content"])} for m in history]
    messages.append({"role": "user", "content": message})
    if STYLE.get("system"):
        messages.insert(0, {"role": "system", "content": STYLE["system"]})
    if STYLE["style"] == "chat":
        return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    if len(messages) == 1:
        return message + "\n"
    lines = [f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content']}" for m in messages
             if m["role"] != "system"]
    return "\n".join(lines + ["Assistant:"]) + " "


def reply(message, history, temperature=0.0, max_new_tokens=128):
    inputs = tokenizer(prompt_for(text_of(message), history), return_tensors="pt", add_special_tokens=False)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
    kwargs = dict(**inputs, streamer=streamer, max_new_tokens=int(max_new_tokens), **sampling)
    threading.Thread(target=lambda: model.generate(**kwargs), daemon=True).start()
    answer = ""
    for piece in streamer:
        answer += piece
        yield answer.strip()


demo = gr.ChatInterface(
    reply,
    title=STYLE.get("title", "Chat"),
    api_name="chat",  # POST /gradio_api/call/chat, or gradio_client predict(api_name="/chat")
    additional_inputs=[gr.Slider(0.0, 1.5, value=0.0, step=0.05, label="Temperature (0 = greedy)"),
                       gr.Slider(8, 512, value=128, step=8, label="Max new tokens")],
)

if __name__ == "__main__":
    demo.launch()  # host and port from GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (Spaces sets them)
