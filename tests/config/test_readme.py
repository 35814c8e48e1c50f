"""The README's production table names every environment variable the settings read (issue 17)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "bench", "node_modules", "staticfiles"}


def _read_by_the_code() -> set[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        names |= set(
            re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', path.read_text(encoding="utf-8"))
        )
    return names


def _in_the_readme_table() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", text, flags=re.MULTILINE))


def test_every_variable_the_settings_read_is_in_the_readme_table():
    read = _read_by_the_code()
    assert {"SECRET_KEY", "DATABASE_URL", "AXES_IP_FAILURE_LIMIT", "CACHE_URL"} <= read
    assert sorted(read - _in_the_readme_table()) == []


def test_the_readme_table_names_no_variable_the_settings_ignore():
    assert sorted(_in_the_readme_table() - _read_by_the_code()) == []


def test_the_readme_points_at_no_file_a_clone_lacks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "shared/" not in text.replace("shared by every process", "").replace("shared service", "")
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link


def test_the_schema_documents_413_414_429_and_503():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["paths"]["/api/v1/work-orders/"]["post"]["responses"]
    listing = schema["paths"]["/api/v1/work-orders/"]["get"]["responses"]
    assert {"413", "429", "503"} <= set(create) and {"414", "429", "503"} <= set(listing)
