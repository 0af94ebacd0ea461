"""The promise of the README: on a fresh clone, `python -m studio train quickstart` teaches the
built-in model the task set, and `python -m studio eval` shows it clearly ahead of the base on
the held-out split. (Its time on 2 CPU cores is measured in benchmarks/, not here.)"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_learns_the_held_out_tasks():
    trained = subprocess.run([sys.executable, "-m", "studio", "train", "quickstart", "--quiet"], cwd=ROOT,
                             capture_output=True, text=True, timeout=1200)
    assert trained.returncode == 0, trained.stderr
    run_dir = Path(trained.stdout.strip().splitlines()[-1])
    evaluated = subprocess.run([sys.executable, "-m", "studio", "eval", run_dir], cwd=ROOT, capture_output=True,
                               text=True, timeout=1200)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout)
    assert result["examples"] >= 200
    assert result["base"]["exact_match"] <= 0.05
    assert result["tuned"]["exact_match"] >= 0.7, result["tuned"]
    assert result["tuned"]["loss"] < result["base"]["loss"]
