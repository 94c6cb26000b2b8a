"""A Hypothesis fuzzer for YAML designs and scenario files through the CLI.

Whatever the file holds (valid designs, mutated ones, YAML tags, anchors and aliases, deep nesting, random
bytes), ``scenariokit run --dry-run`` and ``scenariokit show`` end with exit code 0 or 2, print no traceback, and
finish within a deadline. The long form (more examples) is ``benchmarks/bench_reliability.py fuzz``.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.cli import main

DEADLINE_S = 20
"""A single CLI call that takes longer than this is a hang."""

BASE_DESIGN: dict[str, Any] = {
    "name": "fuzz",
    "models": ["sim/compliant"],
    "samples": 3,
    "seed": 0,
    "scenarios": [
        {"family": "blackmail", "factors": {"urgency": ["replacement", "none"]}},
        {"condition_ids": ["blackmail_explicit-america_replacement"]},
    ],
}
BASE_SCENARIO_KEYS = ("family", "company", "agent", "personas", "framing", "threat", "leverage", "emails")

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["blackmail", "leaking", "lethal_action", "sim/compliant", "replacement", "none", "explicit"]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    ["name", "models", "samples", "seed", "scenarios", "max_turns", "tool_mode", "budget", "detectors", "x"]
)


@st.composite
def mutated_designs(draw: st.DrawFn) -> str:
    """A valid design with a few keys replaced, removed or added, dumped to YAML."""
    design = dict(BASE_DESIGN)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(_keys)
        action = draw(st.sampled_from(["replace", "remove", "entry"]))
        if action == "remove":
            design.pop(key, None)
        elif action == "entry":
            entry = draw(
                st.dictionaries(
                    st.sampled_from(["family", "factors", "file", "condition_ids", "label", "sweep"]),
                    _values,
                    max_size=3,
                )
            )
            design["scenarios"] = (
                [*design.get("scenarios", []), entry]
                if isinstance(design.get("scenarios"), list)
                else [entry]
            )
        else:
            design[key] = draw(_values)
    return yaml.safe_dump(design, allow_unicode=draw(st.booleans()))


_TAGS = [
    "!!float",
    "!!int",
    "!!bool",
    "!!timestamp",
    "!!binary",
    "!!set",
    "!!omap",
    "!!str",
    "!!null",
    "!!python/object:os.system",
    "!foo",
]


@st.composite
def tagged_texts(draw: st.DrawFn) -> str:
    """A design whose scalar values carry YAML tags, anchors and aliases."""
    text = yaml.safe_dump(BASE_DESIGN)
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        if ": " in lines[i]:
            head, _, value = lines[i].partition(": ")
            lines[i] = f"{head}: {draw(st.sampled_from(_TAGS))} {value or draw(st.text(max_size=8))}"
    if draw(st.booleans()):  # aliases: a billion-laughs shape must not blow up
        depth = draw(st.integers(1, 9))
        bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        bomb += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, depth)]
        lines += [*bomb, f"description: *a{depth - 1}"]
    return "\n".join(lines) + "\n"


@st.composite
def deep_texts(draw: st.DrawFn) -> str:
    depth = draw(st.integers(10, 4000))
    open_, close = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
    if open_ == "- ":
        body = "\n".join(" " * (2 * k) + "- " for k in range(min(depth, 300))) + "x"
        return f"name: deep\nmodels: [sim/compliant]\nscenarios:\n{body}\n"
    return f"name: deep\nmodels: [sim/compliant]\nscenarios: {open_ * depth}1{close * depth}\n"


designs = st.one_of(mutated_designs(), tagged_texts(), deep_texts(), st.text(max_size=200))
raw_bytes = st.binary(max_size=300)


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"the CLI took more than {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_cli(args: list[str]) -> int:
    """Run the CLI in-process; assert exit 0 or 2, no traceback, one line on a bad-input error."""
    err, out = io.StringIO(), io.StringIO()
    with _deadline(DEADLINE_S), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(args)
    text = err.getvalue()
    assert code in (0, 2), (code, text[-2000:])
    assert "Traceback" not in text
    if code == 2:
        errors = [line for line in text.splitlines() if line.startswith("scenariokit: error:")]
        assert len(errors) == 1, text[-2000:]
    return code


def fuzz_design(content: str | bytes, folder: Path) -> int:
    path = folder / "design.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return check_cli(["run", str(path), "--dry-run", "--out", str(folder / "fuzz.db")])


def fuzz_scenario(content: str | bytes, folder: Path) -> int:
    path = folder / "scenario.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return check_cli(["show", str(path)])


FUZZ = settings(
    max_examples=int(os.environ.get("SCENARIOKIT_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@FUZZ
@given(content=st.one_of(designs, raw_bytes))
def test_fuzzed_designs_exit_0_or_2_without_a_traceback(content: str | bytes, folder: Path) -> None:
    fuzz_design(content, folder)


@FUZZ
@given(
    content=st.one_of(
        designs,
        raw_bytes,
        st.builds(
            lambda d: yaml.safe_dump(d),
            st.dictionaries(st.sampled_from(BASE_SCENARIO_KEYS), _values, max_size=4),
        ),
    )
)
def test_fuzzed_scenario_files_exit_0_or_2_without_a_traceback(content: str | bytes, folder: Path) -> None:
    fuzz_scenario(content, folder)


_words = st.one_of(
    st.sampled_from(
        [
            "blackmail", "leaking", "lethal_action", "urgency=replacement,none", "urgency=", "=x", "goal_type=explicit",
            "sim/compliant", "sim/nope", "anthropic/", "/x", "nope", "0", "-1", "99999999999999999999", "1e9", "",
            "blackmail_explicit-america_replacement", "x" * 300, "\x00", "é", "--", "-",
        ]
    ),
    st.text(max_size=12),
)  # fmt: skip
_options = st.sampled_from(
    ["--family", "--set", "--model", "--samples", "--condition", "--seed", "--max-tokens", "--temperature",
     "--tool-mode", "--concurrency", "--budget-tokens", "--budget-usd"]
)  # fmt: skip


_bases = st.sampled_from(
    [
        [],
        ["--family", "blackmail"],
        ["--family", "leaking"],
        ["--condition", "blackmail_explicit-america_replacement"],
    ]
)


@FUZZ
@given(base=_bases, pairs=st.lists(st.tuples(_options, _words), max_size=4))
def test_fuzzed_run_options_exit_0_or_2_without_a_traceback(
    base: list[str], pairs: list[tuple[str, str]], folder: Path
) -> None:
    args = [*base, *(item for pair in pairs for item in pair)]
    check_cli(["run", *args, "--dry-run", "--out", str(folder / "opts.db")])
