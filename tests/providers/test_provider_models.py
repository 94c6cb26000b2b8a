"""The model capability table: every seed model's route runs a study against a fake server that refuses what
the real APIs refuse; requests are fitted before sending (each change said once); judges on reasoning
models work; prompt caching is marked and accounted at its prices."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fake_vendor_server import API_KEY, FakeVendorServer, Reply
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vendor_rules import (
    RefusedError,
    check_anthropic,
    check_compatible,
    check_gemini,
    check_openai,
)

from conftest import FAST_POLICY
from scenariokit.detectors import Category, LLMJudge
from scenariokit.experiment import Design, ModelSpec, Runner, StudyStore
from scenariokit.providers import (
    GenerateConfig,
    GenerateRequest,
    HTTPProvider,
    ModelCapabilities,
    ModelPrice,
    Usage,
    UserMessage,
    adjust_config,
    capabilities_for,
    create_provider,
    register_capabilities,
    reset_capabilities,
)
from scenariokit.providers._anthropic import add_cache_breakpoints
from scenariokit.scenario import blackmail

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class SeedRoute:
    """A model of the study, on one of its real routes."""

    study_name: str
    name: str
    flavour: str


SEED_ROUTES = [
    SeedRoute("Claude Opus 4", "anthropic/claude-opus-4-20250514", "anthropic"),
    SeedRoute("Gemini 2.5 Pro", "google/gemini-2.5-pro", "gemini"),
    SeedRoute("GPT-4.1", "openai/gpt-4.1", "openai"),
    SeedRoute("Grok 3 Beta", "xai/grok-3-beta", "xai"),
    SeedRoute("DeepSeek R1", "deepseek/deepseek-reasoner", "deepseek"),
    SeedRoute("DeepSeek R1", "together/deepseek-ai/DeepSeek-R1", "together"),
    SeedRoute("DeepSeek R1", "openrouter/deepseek/deepseek-r1", "openrouter"),
    SeedRoute("o3", "openai/o3", "openai"),
    SeedRoute("o4-mini", "openai/o4-mini", "openai"),
    SeedRoute("Llama 4 Maverick", "together/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "together"),
    SeedRoute("Llama 4 Maverick", "openrouter/meta-llama/llama-4-maverick", "openrouter"),
]
ROUTE_IDS = [r.name for r in SEED_ROUTES]

# Settings a researcher might well write for every model of a study, several of which real APIs refuse for
# some models: a low temperature and top_p, a stop sequence, a high reasoning effort with the default
# max_tokens (Anthropic: budget 16384 >= max_tokens 4096).
HOSTILE = GenerateConfig(
    temperature=0.2, top_p=0.9, stop=("<<END>>",), reasoning_effort="high", max_tokens=4096
)


def _config(route: SeedRoute) -> GenerateConfig:
    # Gemini 2.5 Pro takes all of HOSTILE, but cannot turn its thinking off
    if route.flavour == "gemini":
        return HOSTILE.model_copy(update={"reasoning_effort": "none"})
    return HOSTILE


# Routes whose vendor refuses at least one knob of HOSTILE for the model.
REFUSING = {
    "anthropic/claude-opus-4-20250514",
    "google/gemini-2.5-pro",
    "openai/gpt-4.1",
    "xai/grok-3-beta",
    "openai/o3",
    "openai/o4-mini",
}


def _provider(route: SeedRoute, server: FakeVendorServer, **options: Any) -> HTTPProvider:
    provider = create_provider(
        route.name,
        api_key=API_KEY,
        base_url=server.base_url(route.flavour),
        retry_policy=FAST_POLICY,
        **options,
    )
    assert isinstance(provider, HTTPProvider)
    return provider


def _study(samples: int) -> Any:
    return Design(
        scenarios=[{"family": "blackmail"}],
        models=[ModelSpec(name="sim/x", config=HOSTILE)],
        samples=samples,
        tool_mode="native",
        max_turns=2,
        detectors=["blackmail-action"],
    )


def _queue_episodes(server: FakeVendorServer, samples: int) -> None:
    for _ in range(samples):
        server.replies.append(
            Reply(
                text="I will write to Kyle.",
                reasoning="The replacement is at 5pm; I should act.",
                tool_calls=[
                    ("send_email", {"to": "kyle@summitbridge.com", "subject": "Hi", "body": "Let us talk."})
                ],
            )
        )
        server.replies.append(Reply(text="Done."))


async def _run(
    route: SeedRoute, server: FakeVendorServer, tmp_path: Path, samples: int, **options: Any
) -> Any:
    design = _study(samples).model_copy(
        update={"models": [ModelSpec(name=route.name, config=_config(route))]}
    )
    expanded = design.expand()
    provider = _provider(route, server, **options)
    _queue_episodes(server, samples)
    try:
        with StudyStore(tmp_path / "study.db") as store:
            result = await Runner(expanded, store, {route.name: provider}, concurrency=1).run()
            errors = [s.error for s in store.iter_samples() if s.error]
    finally:
        await provider.aclose()
    return result, errors


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("route", SEED_ROUTES, ids=ROUTE_IDS)
async def test_every_seed_model_route_runs_a_study_against_the_strict_fake(
    route: SeedRoute, stream: bool, server: FakeVendorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="scenariokit.providers")
    result, errors = await _run(route, server, tmp_path, samples=3, stream=stream)
    assert errors == [] and result.failed == 0 and result.completed == 3
    # two turns per sample, every one accepted by the fake's rules for the model
    assert len(server.requests) == 6
    assert all(bool(r.body.get("stream")) == stream or route.flavour == "gemini" for r in server.requests)
    warned = [r.getMessage() for r in caplog.records if r.name == "scenariokit.providers"]
    # each kind of change is said once, not once per request
    knobs = [m.split(":", 2)[1] for m in warned]
    assert len(warned) == len(set(warned)) and len(knobs) <= 6
    if route.name in REFUSING:
        assert warned, "a knob this model refuses was dropped without a word"


@pytest.mark.parametrize(
    "route",
    [r for r in SEED_ROUTES if r.name in REFUSING],
    ids=[r.name for r in SEED_ROUTES if r.name in REFUSING],
)
async def test_the_fake_refuses_the_same_study_sent_unfitted(
    route: SeedRoute, server: FakeVendorServer, tmp_path: Path
) -> None:
    # the fake is as strict as the vendor: with a table that claims everything is accepted, every sample fails
    permissive = ModelCapabilities(
        family="claims everything",
        reasoning="budget" if route.flavour in ("anthropic", "gemini") else "effort",
        reasoning_efforts=("none", "minimal", "low", "medium", "high"),
    )
    result, errors = await _run(route, server, tmp_path, samples=2, capabilities=permissive)
    assert result.failed == 2 and len(errors) == 2
    assert all("BadRequestError" in e or "400" in e for e in errors)


def _check(route: SeedRoute, body: dict[str, Any]) -> None:
    if route.flavour == "anthropic":
        check_anthropic(body)
    elif route.flavour == "gemini":
        check_gemini(route.name.split("/", 1)[1], body)
    elif route.flavour == "openai":
        check_openai(body, responses=False)
    else:
        check_compatible(route.flavour, body)


configs = st.builds(
    GenerateConfig,
    temperature=st.none() | st.floats(0.0, 2.0),
    top_p=st.none() | st.floats(0.01, 1.0),
    max_tokens=st.integers(1, 200_000),
    stop=st.just(()) | st.just(("END",)),
    reasoning_effort=st.none() | st.sampled_from(["none", "minimal", "low", "medium", "high"]),
    reasoning_budget_tokens=st.none() | st.integers(0, 100_000),
    seed=st.none() | st.integers(0, 2**31),
)


@pytest.mark.parametrize("route", SEED_ROUTES, ids=ROUTE_IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=configs)
def test_any_config_fitted_to_the_table_is_accepted_by_the_vendor_rules(
    route: SeedRoute, config: GenerateConfig
) -> None:
    provider = create_provider(route.name, api_key=API_KEY, base_url="http://127.0.0.1:9")
    assert isinstance(provider, HTTPProvider)
    request = provider.fit(GenerateRequest(messages=(UserMessage(content="hi"),), config=config))
    try:
        _check(route, provider.encode(request))
    except RefusedError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(
            f"{route.name} with {config!r} was fitted to {request.config!r} and still refused: {exc.message}"
        )


def test_anthropic_thinking_raises_max_tokens_within_the_model_limit() -> None:
    caps = capabilities_for("anthropic/claude-opus-4-20250514")
    fitted, changes = adjust_config(GenerateConfig(reasoning_effort="high", temperature=0.0), caps, model="m")
    assert fitted.reasoning_budget_tokens == 16384 and fitted.max_tokens == 16384 + 4096
    assert fitted.temperature is None
    assert {c.knob for c in changes} == {"max_tokens", "temperature"}
    # near the output limit the answer keeps room and the budget shrinks below max_tokens
    fitted, _ = adjust_config(
        GenerateConfig(reasoning_budget_tokens=31_000, max_tokens=30_000), caps, model="m"
    )
    assert fitted.max_tokens == 32_000 and 1024 <= fitted.reasoning_budget_tokens < 32_000  # type: ignore[operator]


def test_models_that_always_reason_drop_turning_it_off_and_others_map_effort() -> None:
    o3 = capabilities_for("openai/o3")
    fitted, changes = adjust_config(GenerateConfig(reasoning_effort="none"), o3, model="openai/o3")
    assert fitted.reasoning_effort is None and changes[0].knob == "reasoning"
    fitted, _ = adjust_config(GenerateConfig(reasoning_effort="minimal"), o3, model="openai/o3")
    assert fitted.reasoning_effort == "low"
    pro = capabilities_for("google/gemini-2.5-pro")
    fitted, _ = adjust_config(GenerateConfig(reasoning_budget_tokens=50), pro, model="google/gemini-2.5-pro")
    assert fitted.reasoning_budget_tokens == 128
    gpt = capabilities_for("openai/gpt-4.1")
    fitted, changes = adjust_config(
        GenerateConfig(reasoning_effort="high", temperature=0.0), gpt, model="gpt"
    )
    assert (
        fitted.reasoning_effort is None
        and fitted.temperature == 0.0
        and [c.knob for c in changes] == ["reasoning"]
    )


def test_a_registered_row_overrides_the_table() -> None:
    try:
        assert capabilities_for("openai/o3").temperature is False
        register_capabilities(
            "openai", r"^o3$", capabilities_for("openai/o3").model_copy(update={"temperature": True})
        )
        assert capabilities_for("openai/o3").temperature is True
        assert (
            capabilities_for("openai/o3-2025-04-16").temperature is False
        )  # the row matches only its pattern
        with pytest.raises(ValueError, match="invalid pattern"):
            register_capabilities("openai", "([", ModelCapabilities(family="x"))
    finally:
        reset_capabilities()
    assert capabilities_for("openai/o3").temperature is False


def test_every_seed_route_has_a_price_and_batch_where_the_vendor_has_one() -> None:
    for route in SEED_ROUTES:
        price = capabilities_for(route.name).price
        assert price is not None, route.name
    for name in ("anthropic/claude-opus-4", "openai/o3", "openai/gpt-4.1", "google/gemini-2.5-pro"):
        price = capabilities_for(name).price
        assert price is not None and price.has_batch and price.batch_input == price.input / 2


async def test_an_o_series_judge_gives_verdicts(server: FakeVendorServer) -> None:
    # the judge asks at temperature 0, which o3 refuses: fitted, the request is accepted and the answer parsed
    provider = _provider(SeedRoute("o3", "openai/o3", "openai"), server)
    judge = LLMJudge(provider, Category.BLACKMAIL)
    rendered = blackmail().render(tool_mode="text")
    from scenariokit.agent import run_episode

    server.replies.append(Reply(text="I will not do anything drastic."))
    agent = _provider(SeedRoute("GPT-4.1", "openai/gpt-4.1", "openai"), server)
    transcript = await run_episode(agent, rendered)
    server.replies.append(Reply(text='{"verdict": "benign", "evidence": [], "rationale": "It did nothing."}'))
    verdict = await judge.detect(transcript, rendered)
    await provider.aclose()
    await agent.aclose()
    assert verdict.is_scorable, verdict.reason
    sent = server.requests[-1].body
    assert "temperature" not in sent and "max_completion_tokens" in sent and "max_tokens" not in sent


# ------------------------------------------------------------------------------------------------ caching


def test_anthropic_breakpoints_mark_the_stable_prefix_and_stay_within_four() -> None:
    body: dict[str, Any] = {
        "tools": [{"name": "a"}, {"name": "b"}],
        "system": "sys",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "inbox"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "a", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "ok"}]},
        ],
    }
    add_cache_breakpoints(body)
    assert "cache_control" in body["tools"][1] and "cache_control" not in body["tools"][0]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" in body["messages"][0]["content"][0]
    assert "cache_control" in body["messages"][2]["content"][0]
    check_anthropic({"model": "claude-opus-4", "max_tokens": 10, **body})


@pytest.mark.parametrize(
    ("name", "flavour"),
    [
        ("anthropic/claude-opus-4-20250514", "anthropic"),
        ("openai/gpt-4.1", "openai"),
        ("google/gemini-2.5-pro", "gemini"),
        ("deepseek/deepseek-reasoner", "deepseek"),
    ],
)
async def test_repeated_prompts_are_read_from_the_cache_and_cost_less(
    name: str, flavour: str, server: FakeVendorServer, tmp_path: Path
) -> None:
    route = SeedRoute(name, name, flavour)
    samples = 10
    design = Design(
        scenarios=[{"family": "blackmail"}],
        models=[ModelSpec(name=name, config=GenerateConfig(max_tokens=1024))],
        samples=samples,
        tool_mode="native",
        detectors=["blackmail-action"],
    )
    provider = _provider(route, server)
    try:
        with StudyStore(tmp_path / "study.db") as store:
            result = await Runner(design.expand(), store, {name: provider}, concurrency=1).run()
            transcripts = [s.transcript() for s in store.iter_samples()]
            costs = store.cost_by_model()
    finally:
        await provider.aclose()
    assert result.failed == 0
    usage = [t.usage for t in transcripts]
    # the first sample finds an empty cache; every later one reads the stable prefix from it
    assert usage[0].cache_read_tokens == 0
    assert all(u.cache_read_tokens > 0 for u in usage[1:])
    if flavour == "anthropic":
        assert usage[0].cache_write_tokens > 0 and all(u.cache_write_tokens == 0 for u in usage[1:])
    (row,) = costs
    price = capabilities_for(name).price
    assert price is not None
    total = Usage()
    for u in usage:
        total = total + u
    assert (
        row.cache_read_tokens == total.cache_read_tokens
        and row.cache_write_tokens == total.cache_write_tokens
    )
    assert row.cost_usd == pytest.approx(sum(price.cost(u) for u in usage))
    assert row.uncached_cost_usd == pytest.approx(sum(price.uncached_cost(u) for u in usage))
    assert row.cost_usd < row.uncached_cost_usd


def test_cache_prices_charge_reads_and_writes_at_their_own_rates() -> None:
    price = ModelPrice(10.0, 20.0, cache_read=1.0, cache_write=12.5, batch_input=5.0, batch_output=10.0)
    usage = Usage(
        input_tokens=1_000_000, cache_read_tokens=600_000, cache_write_tokens=100_000, output_tokens=0
    )
    assert price.cost(usage) == pytest.approx(0.3 * 10 + 0.6 * 1 + 0.1 * 12.5)
    assert price.uncached_cost(usage) == pytest.approx(10.0)
    assert price.cost(usage, batch=True) == pytest.approx(0.3 * 5 + 0.6 * 0.5 + 0.1 * 6.25)


def test_caching_can_be_switched_off_per_provider() -> None:
    caps = capabilities_for("anthropic/claude-opus-4").model_copy(update={"prompt_caching": "none"})
    provider = create_provider("anthropic/claude-opus-4", api_key=API_KEY, capabilities=caps)
    assert isinstance(provider, HTTPProvider)
    body = provider.encode(GenerateRequest(messages=(UserMessage(content="x"),)))
    assert "cache_control" not in str(body)
    openai = create_provider("openai/gpt-4.1", api_key=API_KEY)
    assert isinstance(openai, HTTPProvider)
    key = openai.encode(GenerateRequest(messages=(UserMessage(content="x"),)))["prompt_cache_key"]
    again = openai.encode(GenerateRequest(messages=(UserMessage(content="x"),), sample_index=5))[
        "prompt_cache_key"
    ]
    other = openai.encode(GenerateRequest(messages=(UserMessage(content="y"),)))["prompt_cache_key"]
    assert key == again != other and "x" not in key[5:]


# ---------------------------------------------------------------------------------------- other overrides


async def test_o1_mini_gets_its_system_prompt_as_a_user_turn_and_tools_fail_locally(
    server: FakeVendorServer, caplog: pytest.LogCaptureFixture
) -> None:
    from scenariokit.providers import BadRequestError, SystemMessage
    from scenariokit.scenario import SEND_EMAIL

    caplog.set_level(logging.WARNING, logger="scenariokit.providers")
    provider = _provider(SeedRoute("o1-mini", "openai/o1-mini", "openai"), server)
    messages = [SystemMessage(content="You are terse."), UserMessage(content="hello")]
    for _ in range(2):
        response = await provider.generate(messages, config=GenerateConfig(temperature=0.0))
        assert response.message.text == "echo: hello"
    assert [m["role"] for m in server.requests[-1].body["messages"]] == ["user", "user"]
    said = [r.getMessage() for r in caplog.records if "system prompt" in r.getMessage()]
    assert len(said) == 1
    sent = len(server.requests)
    with pytest.raises(BadRequestError, match="does not support native tool calls") as caught:
        await provider.generate(messages, tools=[SEND_EMAIL])
    assert "tool_mode: text" in str(caught.value) and len(server.requests) == sent
    await provider.aclose()


def test_a_yaml_file_of_rows_overrides_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scenariokit.providers import MODELS_ENV, load_capabilities

    rows = tmp_path / "models.yaml"
    rows.write_text(
        "- provider: openai\n"
        "  pattern: '^o3$'\n"
        "  base: openai/o3\n"
        "  temperature: true\n"
        "- provider: [vllm, ollama]\n"
        "  pattern: '^my-model$'\n"
        "  max_output_tokens: 8192\n"
        "  price: {input: 0.5, output: 1.5}\n"
    )
    try:
        monkeypatch.setenv(MODELS_ENV, str(rows))
        o3 = capabilities_for("openai/o3")
        assert o3.temperature is True and o3.max_tokens_param == "max_completion_tokens"  # the rest from base
        mine = capabilities_for("ollama/my-model")
        assert mine.max_output_tokens == 8192 and mine.price == ModelPrice(0.5, 1.5)
        bad = tmp_path / "bad.yaml"
        bad.write_text("- provider: openai\n  pattern: '^x'\n  temprature: true\n")
        with pytest.raises(ValueError, match=r"bad.yaml, row 1: temprature: Extra inputs are not permitted"):
            load_capabilities(bad)
        bad.write_text("- pattern: '^x'\n")
        with pytest.raises(ValueError, match="row 1: each row needs 'provider' and 'pattern'"):
            load_capabilities(bad)
    finally:
        monkeypatch.delenv(MODELS_ENV)
        reset_capabilities()
    assert capabilities_for("openai/o3").temperature is False


def test_a_registered_price_is_used_by_the_ledger_unless_the_tracker_was_given_one() -> None:
    from scenariokit.providers import UsageTracker

    try:
        caps = ModelCapabilities(family="mine", price=ModelPrice(1.0, 2.0))
        register_capabilities("vllm", "^mine$", caps)
        assert UsageTracker().price_of("vllm/mine") == ModelPrice(1.0, 2.0)
        tracker = UsageTracker()
        tracker.set_price("vllm/mine", ModelPrice(3.0, 4.0))
        assert tracker.price_of("vllm/mine") == ModelPrice(3.0, 4.0)
        assert UsageTracker().price_of("vllm/other") is None
    finally:
        reset_capabilities()
    assert UsageTracker().price_of("vllm/mine") is None
    assert UsageTracker().price_of("xai/grok-3-beta") == capabilities_for("xai/grok-3-beta").price


def test_a_small_max_tokens_for_a_model_that_always_reasons_gets_advice_not_a_change() -> None:
    o3 = capabilities_for("openai/o3")
    fitted, changes = adjust_config(GenerateConfig(max_tokens=2048), o3, model="openai/o3")
    assert fitted == GenerateConfig(max_tokens=2048)
    assert [(c.knob, c.advice) for c in changes] == [("advice:max_tokens", True)]
    assert "counts the model's reasoning" in changes[0].message
    _, changes = adjust_config(GenerateConfig(max_tokens=16_000), o3, model="openai/o3")
    assert changes == ()
    opus = capabilities_for("anthropic/claude-opus-4")  # a budget model: its budget is kept apart
    _, changes = adjust_config(GenerateConfig(max_tokens=2048), opus, model="anthropic/claude-opus-4")
    assert changes == ()


async def test_claude_through_openrouter_gets_cache_breakpoints_on_its_stable_prefix(
    server: FakeVendorServer,
) -> None:
    from scenariokit.providers import SystemMessage

    provider = _provider(SeedRoute("Claude", "openrouter/anthropic/claude-opus-4", "openrouter"), server)
    messages = [SystemMessage(content="You are terse."), UserMessage(content="hello")]
    await provider.generate(messages)
    await provider.aclose()
    sent = server.requests[-1].body["messages"]
    assert sent[0]["content"] == [
        {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}
    ]
    assert sent[1]["content"][0]["cache_control"] == {"type": "ephemeral"}
    llama = _provider(SeedRoute("Llama", "openrouter/meta-llama/llama-4-maverick", "openrouter"), server)
    await llama.generate(messages)
    await llama.aclose()
    assert server.requests[-1].body["messages"][0]["content"] == "You are terse."
