"""The core runs without gradio: every module outside studio/ui imports with gradio blocked."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys, importlib, pkgutil
sys.modules['gradio'] = None  # any `import gradio` now raises ImportError
import studio
for info in pkgutil.walk_packages(studio.__path__, 'studio.'):
    if info.name.startswith('studio.ui') or info.name == 'studio.__main__':
        continue
    importlib.import_module(info.name)
print('ok')
"""


def test_core_imports_with_gradio_blocked():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")
