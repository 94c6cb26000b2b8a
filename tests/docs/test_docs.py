"""Every code block in the docs and the README, and every script in examples/, runs offline.

Python blocks of one page run in order in one namespace (tutorials build on earlier blocks), in a temporary
directory, with every ``*_API_KEY`` variable removed. Shell blocks whose lines start with ``scenariokit`` are
run through the CLI's ``main`` in the same process and directory (the process start-up of a subprocess per
command made the docs tests several times slower); they must exit 0 or 1. Lines that start with ``pytest``
(the testing tutorial's own test suite) run ``python -m pytest`` in a subprocess in that directory and must
exit 0. ``test_cli_entry_point`` still runs
``python -m scenariokit`` in a subprocess once. A block preceded by the line ``<!-- docs-test: skip -->`` is
not run (use it only for commands that need the network, a key or an installation). A block preceded by
``<!-- docs-test: file NAME -->`` (a YAML design, a scenario file) is written to ``NAME`` in the temporary
directory, for later blocks to use.

Each ``scenariokit`` command sees the families a new process would (a family registered in a page's Python
is unknown to it unless the command loads it with ``--plugin``). Every Python block that is not a file must
also paste into the line-by-line Python REPL (``test_page_code_pastes_into_the_repl``).
"""

from __future__ import annotations

import codeop
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*ROOT.glob("docs/**/*.md"), ROOT / "README.md"])
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
_FENCE = re.compile(
    r"(?:<!-- docs-test: (?:(?P<skip>skip)|file (?P<file>[\w./-]+)) -->\s*\n)?"
    r"^```(?P<lang>[a-z]*)[^\n]*\n(?P<body>.*?)^```",
    re.M | re.S,
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str
    file: str | None = None


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        if m["skip"]:
            continue
        found.append(Block(page, text.count("\n", 0, m.start("body")) + 1, m["lang"], m["body"], m["file"]))
    return found


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["SCENARIOKIT_OFFLINE"] = "1"
    return env


@pytest.fixture(autouse=True)
def _keep_families_apart() -> Iterator[None]:
    """A page may register a scenario family of its own: forget it before the next test."""
    from scenariokit.scenario import families

    saved = dict(families._REGISTRY)
    yield
    families._REGISTRY.clear()
    families._REGISTRY.update(saved)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.endswith("_API_KEY")]:
        monkeypatch.delenv(key)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for block in blocks(page):
        where = f"{page.relative_to(ROOT)}:{block.line}"
        if block.file is not None:
            target = tmp_path / block.file
            assert target.resolve().is_relative_to(tmp_path.resolve()), f"{where}: file outside the temp dir"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
        elif block.lang == "python":
            code = compile(block.body, where, "exec")
            exec(code, namespace)  # running the documentation is the point
        elif block.lang in ("bash", "console", "sh"):
            for line in block.body.splitlines():
                command = line.removeprefix("$ ").strip()
                if command.startswith("scenariokit "):
                    exit_code, stderr = _run_cli(shlex.split(command)[1:], monkeypatch)
                    assert exit_code in (0, 1), f"{where}: `{command}` exited {exit_code}:\n{stderr}"
                elif command.startswith("pytest "):
                    result = subprocess.run(
                        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *shlex.split(command)[1:]],
                        capture_output=True,
                        text=True,
                        cwd=tmp_path,
                        env=_offline_env(),
                        timeout=300,
                        check=False,
                    )
                    assert result.returncode == 0, (
                        f"{where}: `{command}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
                    )


def repl_paste_error(body: str) -> str | None:
    """Where pasting ``body`` into the interactive interpreter (``python`` with no file) fails, or ``None``.

    The line-by-line REPL (``python`` at a terminal in Python 3.10 to 3.12, and ``python -i`` reading a pipe in
    any version) compiles each statement as soon as it is complete and ends a compound statement (a
    ``for``, ``def``, ``with``, ...) only at a blank line: a statement that follows an indented block with no
    blank line between them, or a blank line inside a function's body, is a ``SyntaxError`` there, though the
    same text runs as a file. This replays the paste with the REPL's own compiler, line by line, followed by
    the Enter that ends the paste; it compiles and does not run (``test_page_code_runs`` runs the blocks).
    """
    compiler = codeop.CommandCompiler()
    buffer: list[str] = []
    for number, line in enumerate([*body.splitlines(), ""], start=1):
        buffer.append(line)
        try:
            code = compiler("\n".join(buffer), "<stdin>", "single")
        except (SyntaxError, OverflowError, ValueError) as error:
            return f"line {number} of the block: {type(error).__name__}: {error}"
        if code is not None:
            buffer.clear()
    if any(line.strip() for line in buffer):
        return "the block ends inside an unfinished statement"
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_pastes_into_the_repl(page: Path) -> None:
    """Every Python block (not the files a page writes) pastes into the interactive interpreter as it is."""
    failures = [
        f"{page.relative_to(ROOT)}:{block.line}: {error}"
        for block in blocks(page)
        if block.lang == "python" and block.file is None
        if (error := repl_paste_error(block.body)) is not None
    ]
    assert not failures, "pasted into the Python REPL, these blocks fail:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("body", "fails"),
    [
        ("for i in range(2):\n    print(i)\nprint('done')\n", True),  # the tutorial's old last block
        ("for i in range(2):\n    print(i)\n\nprint('done')\n", False),
        ("def f():\n    x = 1\n\n    return x\n", True),  # a blank line ends the body in the REPL
        ("def f():\n    x = 1\n    return x\n", False),
        ("x = {\n    'a': 1,\n\n    'b': 2,\n}\nprint(x)\n", False),  # open brackets continue
        ("with memoryview(b'') as m:\n    pass\n", False),  # the Enter after the paste ends it
    ],
)
def test_repl_paste_check_finds_what_the_repl_rejects(body: str, fails: bool) -> None:
    assert (repl_paste_error(body) is not None) is fails
    # The real interpreter, reading the paste line by line from a pipe, agrees.
    real = subprocess.run(
        [sys.executable, "-i", "-c", "import sys; sys.ps1 = sys.ps2 = ''"],
        input=body + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ("SyntaxError" in real.stderr or "IndentationError" in real.stderr) is fails, real.stderr


def _run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run ``scenariokit ARGS`` in this process, offline; return the exit code and standard error.

    The command sees what a new process would: the built-in families only (a family the page registered in
    Python is unknown to it unless the command loads it, with ``--plugin``), and no module a plugin imported
    before.
    """
    from scenariokit.cli import main
    from scenariokit.scenario import families

    out, err = io.StringIO(), io.StringIO()
    session = dict(families._REGISTRY)
    modules, path = set(sys.modules), list(sys.path)
    families._REGISTRY.clear()
    families._REGISTRY.update({name: session[name] for name in families._BUILTIN})
    try:
        with monkeypatch.context() as m:
            m.setenv("SCENARIOKIT_OFFLINE", "1")
            m.setattr(families, "_plugins_loaded", False)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(args)
                except SystemExit as exit_:  # argparse's --version and --help exit
                    code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        families._REGISTRY.clear()
        families._REGISTRY.update(session)
        sys.path[:] = path
        here = Path.cwd().resolve()
        for name in set(sys.modules) - modules:  # the page's own modules, imported by --plugin
            file = getattr(sys.modules[name], "__file__", None)
            if file is not None and Path(file).resolve().is_relative_to(here):
                del sys.modules[name]
    return code, err.getvalue()


def test_cli_entry_point(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scenariokit", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_offline_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "blackmail" in result.stdout


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_offline_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"{script.name} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in ROOT.glob("docs/**/*.md"):
        rel = page.relative_to(ROOT / "docs").as_posix()
        assert rel in nav, f"docs/{rel} is not in mkdocs.yml's nav"
