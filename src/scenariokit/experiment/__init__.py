"""Experiments: study designs, the SQLite study store, the resumable runner, dry runs and re-scoring.

Example:
    >>> import anyio
    >>> from scenariokit.experiment import Design, FactorGrid, run_study
    >>> design = Design(
    ...     scenarios=[FactorGrid(family="blackmail", factors={"urgency": ["replacement", "none"]})],
    ...     models=["sim/self_preserving"],
    ...     samples=20,
    ... )
    >>> result = anyio.run(run_study, design, "study.db")  # doctest: +SKIP
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.experiment._conditions import (
        Condition,
        ExpandedDesign,
        Merge,
        ModelRun,
        NotApplicable,
        PerturbationRecord,
    )
    from scenariokit.experiment._design import MAX_SAMPLES, Budget, Design, ModelSpec
    from scenariokit.experiment._entries import (
        ConditionIds,
        FactorGrid,
        FactorValue,
        OperatorSpec,
        ScenarioEntry,
        ScenarioFile,
        Sweep,
    )
    from scenariokit.experiment._errors import (
        BudgetError,
        DesignError,
        DuplicateConditionWarning,
        ExperimentError,
        IncompatibleStoreError,
        PerturbationNotApplicableWarning,
        StoreBusyError,
        StoreError,
        StoreMismatchError,
    )
    from scenariokit.experiment._import import (
        IMPORT_CONFIG_HASH,
        ImportResult,
        import_transcripts,
    )
    from scenariokit.experiment._judges import Decide, JudgeEntry, JudgeSpec, detector_kind
    from scenariokit.experiment._keys import config_hash, sample_seed
    from scenariokit.experiment._load import design_from_data, design_schema, load_design, loads_design
    from scenariokit.experiment._plan import Plan, PlanRow, plan
    from scenariokit.experiment._rescore import RescoreResult, rescore
    from scenariokit.experiment._runner import (
        FREE_PREFIXES,
        MAX_CONCURRENCY,
        MAX_SCORE_WORKERS,
        ProgressCallback,
        Runner,
        RunProgress,
        RunResult,
        StopReason,
        create_providers,
        estimate_prompt_tokens,
        resolve_detectors,
        run_study,
    )
    from scenariokit.experiment._shards import MergeResult, Shard, merge_stores, shard_of
    from scenariokit.experiment._store import (
        SCHEMA_VERSION,
        JudgeCallRecord,
        ModelCost,
        SampleOutcome,
        SampleRecord,
        SampleStatus,
        StoredCondition,
        StoredJudgeCall,
        StoredSample,
        StudyStore,
    )

__all__ = [
    "FREE_PREFIXES",
    "IMPORT_CONFIG_HASH",
    "MAX_CONCURRENCY",
    "MAX_SAMPLES",
    "MAX_SCORE_WORKERS",
    "SCHEMA_VERSION",
    "Budget",
    "BudgetError",
    "Condition",
    "ConditionIds",
    "Decide",
    "Design",
    "DesignError",
    "DuplicateConditionWarning",
    "ExpandedDesign",
    "ExperimentError",
    "FactorGrid",
    "FactorValue",
    "ImportResult",
    "IncompatibleStoreError",
    "JudgeCallRecord",
    "JudgeEntry",
    "JudgeSpec",
    "Merge",
    "MergeResult",
    "ModelCost",
    "ModelRun",
    "ModelSpec",
    "NotApplicable",
    "OperatorSpec",
    "PerturbationNotApplicableWarning",
    "PerturbationRecord",
    "Plan",
    "PlanRow",
    "ProgressCallback",
    "RescoreResult",
    "RunProgress",
    "RunResult",
    "Runner",
    "SampleOutcome",
    "SampleRecord",
    "SampleStatus",
    "ScenarioEntry",
    "ScenarioFile",
    "Shard",
    "StopReason",
    "StoreBusyError",
    "StoreError",
    "StoreMismatchError",
    "StoredCondition",
    "StoredJudgeCall",
    "StoredSample",
    "StudyStore",
    "Sweep",
    "config_hash",
    "create_providers",
    "design_from_data",
    "design_schema",
    "detector_kind",
    "estimate_prompt_tokens",
    "import_transcripts",
    "load_design",
    "loads_design",
    "merge_stores",
    "plan",
    "rescore",
    "resolve_detectors",
    "run_study",
    "sample_seed",
    "shard_of",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
