"""The studio: a no-code studio for training large language models.

The core (everything outside `studio.ui`) never imports gradio: the CLI, the tests and the UI all
drive it the same way.
"""
__version__ = "0.1.0"

import logging as _logging

# bitsandbytes warns on import, on every CPU with AVX512-BF16, that an optional kernel package
# (fetched from a hub at run time) is missing; its own fallback works, so the warning only alarms.
_logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(_logging.ERROR)
