"""Both languages hold the same keys with the same placeholders, and every key the code names exists."""
import re
from pathlib import Path

from studio.i18n import catalog, placeholders
from studio.recipe import field_paths, help_key

STUDIO = Path(__file__).resolve().parent.parent / "studio"
KEY_IN_CODE = re.compile(r'(?:Error|\bt|\bt_)\(\s*"([a-z_]+(?:\.[a-z_0-9]+)+)"')


def test_same_keys_and_placeholders_in_both_languages():
    en, zh = catalog("en"), catalog("zh")
    assert set(en) == set(zh), set(en) ^ set(zh)
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key


def test_every_key_named_in_code_exists():
    en = catalog("en")
    used = set()
    for path in STUDIO.rglob("*.py"):
        used.update(KEY_IN_CODE.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys"
    assert sorted(k for k in used if k not in en) == []


def test_every_recipe_field_has_help_in_both_languages():
    for lang in ("en", "zh"):
        missing = [f for f in field_paths() if help_key(f) not in catalog(lang)]
        assert missing == [], (lang, missing)
