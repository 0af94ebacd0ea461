"""The studio: a no-code studio for training large language models.

The core (everything outside `studio.ui`) never imports gradio: the CLI, the tests and the UI all
drive it the same way.
"""
__version__ = "0.1.0"
