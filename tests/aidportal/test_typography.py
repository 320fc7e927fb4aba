"""Chinese interface text uses full-width punctuation: no half-width , : ; ( )
beside a Chinese character in a template, in a Chinese string of the Python
sources, or in the demo texts (来源: → 来源：, (404) → （404）)."""

import ast
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Chinese characters, CJK and full-width punctuation, and the curly quotes
# Chinese text uses (“…”).
CJK = "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d]"
HALF_WIDTH = re.compile(rf"(?<={CJK})[,:;()]|[,:;()](?={CJK})")
# What a template or an f-string puts in at run time is Chinese text on this
# site: "{{ label }}({{ count }})" reads as "字(字)".
INSERTED = "字"
TEMPLATE_VARIABLE = re.compile(r"\{\{.*?\}\}", re.S)
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def half_width(text: str) -> bool:
    return bool(HALF_WIDTH.search(text))


def template_texts(source: str) -> list[str]:
    """The text of a template as a reader meets it (tags left out, variables
    as Chinese text), line by line, and the strings quoted inside its tags
    ({% breadcrumbs "援建项目" %}, |default:"…")."""
    quoted = [
        match.group(1) or match.group(2) or ""
        for tag in TEMPLATE_TAG.findall(source) + TEMPLATE_VARIABLE.findall(source)
        for match in QUOTED.finditer(tag)
    ]
    shown = TEMPLATE_TAG.sub("", TEMPLATE_VARIABLE.sub(INSERTED, source))
    return shown.splitlines() + quoted


def not_text(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are no interface text: docstrings (for
    developers) and regular expressions (re.compile(r"[,，]"))."""
    skipped = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skipped.add(id(body[0].value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
        ):
            skipped.update(id(part) for part in ast.walk(node.args[0]))
    return skipped


def python_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of the Chinese strings of a Python module, an f-string's
    fields as Chinese text."""
    tree = ast.parse(source)
    skipped = not_text(tree)
    texts = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            parts = [
                part.value if isinstance(part, ast.Constant) else None
                for part in node.values
            ]
            skipped.update(id(part) for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = [node.value]
        else:
            continue
        if re.search(CJK, "".join(part or "" for part in parts)):
            text = "".join(INSERTED if part is None else part for part in parts)
            texts.append((node.lineno, text))
    return texts


def tracked(*patterns: str) -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", *patterns],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def python_sources() -> list[str]:
    """The product's Python modules: not the tests (whose inputs may be
    deliberately wrong), not migrations (history, not what is shown) and not
    bench/ (reports for developers, in English)."""
    return [
        path
        for path in tracked("*.py")
        if not path.startswith(("tests/", "bench/")) and "/migrations/" not in path
    ]


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("来源:杭州日报", True),
        ("6月28日,杭州", True),
        ("页面不存在(404)", True),
        ("投资(万元)", True),
        ("请用 --batch 指定;", True),
        ("来源：杭州日报", False),
        ("页面不存在（404）", False),
        ("2021-07-01 12:30", False),
        ("sizes=(max-width: 760px) 100vw, 42em", False),
        ("Excel (XLSX)", False),
    ],
)
def test_half_width_punctuation_beside_chinese_is_found(text, wrong):
    assert half_width(text) is wrong


def test_template_fields_and_tag_strings_are_read_as_text():
    source = (
        "{% block title %}{{ label }}({{ count }}){% endblock %}\n"
        '{% breadcrumbs "援建项目(全部)" %}{{ value|default:"无,空" }}\n'
        '<img sizes="(max-width: 760px) 100vw">'
    )
    assert [text for text in template_texts(source) if half_width(text)] == [
        "字(字)",
        "援建项目(全部)",
        "无,空",
    ]


def test_python_strings_but_docstrings_and_patterns_are_read_as_text():
    source = '''
"""模块说明:不是界面文字。"""
import re
SEPARATORS = re.compile(r"[,，;；]")
def report(rows, path):
    return f"{path}:{rows} 行"
MESSAGE = _("导入未完成:请重新导入。")
'''
    assert [text for _, text in python_texts(source) if half_width(text)] == [
        "字:字 行",
        "导入未完成:请重新导入。",
    ]


def test_templates_use_full_width_punctuation():
    found = [
        f"{path}: {text.strip()}"
        for path in tracked("templates/*.html")
        for text in template_texts((ROOT / path).read_text(encoding="utf-8"))
        if half_width(text)
    ]
    assert not found, "\n".join(found)


def test_python_interface_strings_use_full_width_punctuation():
    found = [
        f"{path}:{line}: {text!r}"
        for path in python_sources()
        for line, text in python_texts((ROOT / path).read_text(encoding="utf-8"))
        if half_width(text)
    ]
    assert not found, "\n".join(found)


def test_demo_texts_use_full_width_punctuation():
    found = []
    for path in tracked("demo/*.json"):
        data = json.loads((ROOT / path).read_text(encoding="utf-8"))
        found += [f"{path}: {text}" for text in json_strings(data) if half_width(text)]
    for path in tracked("demo/*.txt"):
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        found += [
            f"{path}:{number}: {line}"
            for number, line in enumerate(lines, start=1)
            if half_width(line)
        ]
    assert not found, "\n".join(found)
