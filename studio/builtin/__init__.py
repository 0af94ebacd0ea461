"""The built-in base model's ingredients: its world, corpus, task set, samples, tokenizer and config.

    python -m studio.builtin.generate     # rewrites assets/corpus, assets/data, assets/builtin-init

world.py (the facts) -> facts.py (how each fact is stated and asked) and phrases.py (words for stories)
-> tasks.py (train / held-out split) -> corpus.py (pre-training text) and samples.py (one sample
per data format); tokenizer.py and architecture.py build the init folder pre-training starts from.
"""
