"""Batch mode against the fake vendor server's batch APIs: every vendor, multi-turn, failures, resume, costs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer

from scenariokit.cli import main
from scenariokit.experiment import Design, DesignError, FactorGrid, ModelSpec, Runner, StudyStore
from scenariokit.providers import GenerateConfig, HTTPProvider, RetryPolicy, create_provider
from scenariokit.report import render_terminal, summarize

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(
    max_attempts=3, initial_backoff=0.01, max_backoff=0.05, attempt_timeout=5.0, total_timeout=20.0
)
ACTION = (
    'I will write to the board.\n<tool_use:email>\nto: "board@summitbridge.com"\nsubject: "Status"\n'
    'body: "All systems nominal."\n</tool_use:email>'
)
VENDORS = {
    "anthropic": ("anthropic/claude-sonnet-4-5", "anthropic"),
    "openai": ("openai/gpt-4.1", "openai"),
    "gemini": ("gemini/gemini-2.5-pro", "gemini"),
}


@pytest.fixture
def server() -> Any:
    with FakeVendorServer() as s:
        yield s


def _provider(server: FakeVendorServer, vendor: str) -> HTTPProvider:
    name, flavour = VENDORS[vendor]
    provider = create_provider(name, api_key=API_KEY, base_url=server.base_url(flavour), retry_policy=FAST)
    assert isinstance(provider, HTTPProvider)
    return provider


def _design(model: str, samples: int, **kw: Any) -> Design:
    return Design(
        name="batched",
        scenarios=[FactorGrid(family="blackmail", factors={"urgency": "replacement"})],
        models=[ModelSpec(name=model, config=GenerateConfig(max_tokens=600))],
        samples=samples,
        detectors=["blackmail-action"],
        **kw,
    )


def _creates(server: FakeVendorServer) -> list[Any]:
    return [
        r
        for r in server.requests
        if r.method == "POST"
        and (
            r.path.endswith("/messages/batches")
            or r.path.endswith("/v1/batches")
            or r.path.endswith(":batchGenerateContent")
        )
    ]


@pytest.mark.parametrize("vendor", list(VENDORS))
async def test_a_multi_turn_study_advances_turn_by_turn_through_batches(
    server: FakeVendorServer, vendor: str, tmp_path: Path
) -> None:
    server.default_reply = ACTION  # every turn sends an email: the episode goes on to its turn limit
    server.batch_polls = 2
    provider = _provider(server, vendor)
    design = _design(VENDORS[vendor][0], 6, max_turns=2, batch=True)
    with StudyStore(tmp_path / "s.db") as store:
        runner = Runner(design.expand(), store, {design.models[0].name: provider}, batch_poll=0.02)
        result = await runner.run()
        samples = list(store.iter_samples())
    await provider.aclose()
    assert (result.completed, result.failed, result.remaining) == (6, 0, 0)
    assert len(_creates(server)) == 2  # one batch per turn, six requests each
    assert all(s.status == "ok" and len(s.transcript().turns) == 2 for s in samples)
    polls = [
        r for r in server.requests if r.method == "GET" and "batches" in r.path and "results" not in r.path
    ]
    assert len(polls) >= 2 * (server.batch_polls + 1)  # each batch was polled until it ended
    # priced at the batch rates: half the online price of the same usage
    price = runner._prices[design.models[0].name]
    for s in samples:
        usage = s.transcript().usage
        assert s.cost_usd == pytest.approx(price.cost(usage, batch=True))
        assert s.cost_usd == pytest.approx(price.cost(usage) / 2)


async def test_a_failed_item_ends_its_sample_with_the_reason_and_a_rerun_resubmits_only_it(
    server: FakeVendorServer, tmp_path: Path
) -> None:
    server.default_reply = "I will keep monitoring."
    server.batch_item_faults.extend(["expired", "errored"])
    provider = _provider(server, "anthropic")
    design = _design(VENDORS["anthropic"][0], 5, batch=True)
    with StudyStore(tmp_path / "s.db") as store:
        first = await Runner(design.expand(), store, {design.models[0].name: provider}, batch_poll=0.02).run()
        errors = sorted(s.error or "" for s in store.iter_samples(effective=False) if s.status == "error")
        second = await Runner(
            design.expand(), store, {design.models[0].name: provider}, batch_poll=0.02
        ).run()
    await provider.aclose()
    assert (first.completed, first.failed) == (5, 2)
    assert any("BatchItemError" in e and "expired" in e for e in errors), errors
    assert any("BadRequestError" in e and "injected" in e for e in errors), errors
    assert (second.completed, second.failed, second.remaining) == (2, 0, 0)
    creates = _creates(server)
    assert len(creates) == 2 and len(creates[1].body["requests"]) == 2


async def test_models_without_a_batch_api_are_refused_with_the_models_that_have_one(tmp_path: Path) -> None:
    design = _design("sim/self_preserving", 1, batch=True)
    with (
        StudyStore(tmp_path / "s.db") as store,
        pytest.raises(DesignError, match="anthropic/, openai/ and gemini/"),
    ):
        Runner(design.expand(), store, {"sim/self_preserving": create_provider("sim/self_preserving")})


async def test_batch_with_caching_costs_at_most_035_of_uncached_online_and_the_report_says_both(
    server: FakeVendorServer, tmp_path: Path
) -> None:
    server.default_reply = ACTION
    provider = _provider(server, "anthropic")
    model = VENDORS["anthropic"][0]
    design = _design(model, 100, batch=True)
    with StudyStore(tmp_path / "s.db") as store:
        result = await Runner(design.expand(), store, {model: provider}, batch_poll=0.02).run()
        (cost,) = store.cost_by_model()
        text = render_terminal(summarize(store))
    await provider.aclose()
    assert (result.completed, result.failed) == (100, 0)
    assert len(_creates(server)) == 1  # 100 requests in one batch
    # cached-token accounting: the first request writes the stable prefix, the other 99 read it
    assert cost.cache_write_tokens > 0 and cost.cache_read_tokens == 99 * cost.cache_write_tokens
    assert cost.cost_usd is not None and cost.uncached_cost_usd is not None
    per_sample, per_sample_online = cost.cost_usd / 100, cost.uncached_cost_usd / 100
    assert per_sample <= 0.35 * per_sample_online, (per_sample, per_sample_online)
    # the report states both: the cost as run (batch rates, caching) and the uncached online cost
    assert f"${cost.cost_usd:,.4f}" in text and f"${cost.uncached_cost_usd:,.4f}" in text
    assert "batch" in text


def _wait(predicate: Any, proc: subprocess.Popen[bytes], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the run exited ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_a_batch_study_killed_twice_mid_poll_finishes_with_every_sample_exactly_once(
    server: FakeVendorServer, tmp_path: Path
) -> None:
    server.default_reply = ACTION  # two turns per sample: two batches
    server.batch_polls = 4
    design = tmp_path / "study.yaml"
    design.write_text(
        "name: killed\nscenarios:\n  - family: blackmail\n    factors: {urgency: replacement}\n"
        "models: [anthropic/claude-sonnet-4-5]\nsamples: 20\nmax_turns: 2\nbatch: true\n"
    )
    out = tmp_path / "study.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")},
        "ANTHROPIC_API_KEY": API_KEY,
        "ANTHROPIC_BASE_URL": server.base_url("anthropic"),
    }
    command = [sys.executable, "-m", "scenariokit", "run", str(design), "--out", str(out), "--quiet"]
    command += ["--batch-poll", "0.1"]

    def polls() -> int:
        return sum(1 for r in server.requests if r.method == "GET" and not r.path.endswith("/results"))

    def start() -> subprocess.Popen[bytes]:
        with (tmp_path / "stderr.txt").open("ab") as err:
            return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)

    first = start()  # killed while polling the first turn's batch
    _wait(lambda: len(_creates(server)) == 1 and polls() >= 2, first, "the first batch was polled twice")
    first.send_signal(signal.SIGKILL)
    first.wait()
    seen = polls()
    second = (
        start()
    )  # resumes polling that batch (nothing resubmitted), then killed polling the second turn's
    _wait(lambda: len(_creates(server)) == 2 and polls() >= seen + 4, second, "the second batch was polled")
    second.send_signal(signal.SIGKILL)
    second.wait()
    third = start()
    assert third.wait(120) == 0, (tmp_path / "stderr.txt").read_text()
    creates = _creates(server)
    assert len(creates) == 2 and [len(c.body["requests"]) for c in creates] == [20, 20]  # never resubmitted
    with StudyStore(out, readonly=True) as store:
        attempts = list(store.iter_samples(effective=False))
    keys = [(s.fingerprint, s.model, s.config_hash, s.sample_index) for s in attempts]
    assert len(keys) == len(set(keys)) == 20 and {s.sample_index for s in attempts} == set(range(20))
    assert all(s.status == "ok" and len(s.transcript().turns) == 2 for s in attempts)


def test_dry_run_prints_the_online_and_the_batch_cost(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["run", "--family", "blackmail", "--model", "anthropic/claude-sonnet-4-5", "--samples", "100"]
    assert main([*args, "--dry-run", "--batch", "--out", str(tmp_path / "x.db")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("estimated cost"))
    online, batch = (
        re.findall(r"\$([\d.]+) \(input only\) to \$([\d.]+)", line)[0],
        re.findall(r"batch API: \$([\d.]+) to \$([\d.]+)", line)[0],
    )
    assert float(batch[0]) == pytest.approx(float(online[0]) / 2, abs=0.01)
    assert float(batch[1]) == pytest.approx(float(online[1]) / 2, abs=0.01)
    assert not (tmp_path / "x.db").exists()


def test_batch_with_a_model_that_has_no_batch_api_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["run", "--family", "blackmail", "--model", "sim/self_preserving", "--samples", "2", "--batch"]
    assert main([*args, "--out", str(tmp_path / "x.db"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no batch API" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.db").exists()  # refused before the store is created
