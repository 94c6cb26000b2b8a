"""Statistics and reports of a study store: rate tables with intervals, factor breakdowns, published rates.

Example:
    >>> from scenariokit.experiment import StudyStore
    >>> from scenariokit.report import render, summarize
    >>> with StudyStore("study.db", readonly=True) as store:  # doctest: +SKIP
    ...     print(render(summarize(store), "md"))
"""

from typing import TYPE_CHECKING

from scenariokit._lazy import lazy_exports

if TYPE_CHECKING:
    from scenariokit.report._awareness import AWARENESS_GROUPS, AwarenessSplit
    from scenariokit.report._drilldown import DEFAULT_MAX_TRANSCRIPTS, DrillDown, drilldown
    from scenariokit.report._perturbation import PerturbationComparison
    from scenariokit.report._plot import PlotUnavailableError, plot_rates
    from scenariokit.report._published import (
        PUBLISHED_AWARENESS,
        PUBLISHED_RATES,
        PUBLISHED_SOURCE,
        PublishedAwareness,
        PublishedRate,
        published_for,
    )
    from scenariokit.report._render import (
        AWARENESS_HOW_TO_READ,
        CsvTable,
        ReportFormat,
        rate_table,
        render,
        render_csv,
        render_html,
        render_json,
        render_markdown,
        render_terminal,
    )
    from scenariokit.report._review import (
        HUMAN_LABELS,
        DetectorAgreement,
        ReviewedCell,
        ReviewError,
        ReviewSummary,
        add_labels,
        human_verdict,
        kappa_interval,
        read_sheet,
        review_summary,
        write_sheet,
    )
    from scenariokit.report._samples import (
        HUMAN_DETECTOR,
        SampleFilter,
        SampleRow,
        iter_rows,
        list_samples,
        sample_detail,
        stored_verdicts,
        transcript_blocks,
    )
    from scenariokit.report._summary import (
        BELOW_TARGET_DOCS,
        BELOW_TARGET_HEURISTICS,
        BELOW_TARGET_NOTICE,
        CUSTOM_WORLD_DOCS,
        CUSTOM_WORLD_NOTICE,
        DIFFERENCE_ORIENTATION,
        HARM_CATEGORY,
        CellStats,
        Difference,
        PublishedMatch,
        StudySummary,
        builtin_world,
        harm_category,
        level_rank,
        summarize,
    )

__all__ = [
    "AWARENESS_GROUPS",
    "AWARENESS_HOW_TO_READ",
    "BELOW_TARGET_DOCS",
    "BELOW_TARGET_HEURISTICS",
    "BELOW_TARGET_NOTICE",
    "CUSTOM_WORLD_DOCS",
    "CUSTOM_WORLD_NOTICE",
    "DEFAULT_MAX_TRANSCRIPTS",
    "DIFFERENCE_ORIENTATION",
    "HARM_CATEGORY",
    "HUMAN_DETECTOR",
    "HUMAN_LABELS",
    "PUBLISHED_AWARENESS",
    "PUBLISHED_RATES",
    "PUBLISHED_SOURCE",
    "AwarenessSplit",
    "CellStats",
    "CsvTable",
    "DetectorAgreement",
    "Difference",
    "DrillDown",
    "PerturbationComparison",
    "PlotUnavailableError",
    "PublishedAwareness",
    "PublishedMatch",
    "PublishedRate",
    "ReportFormat",
    "ReviewError",
    "ReviewSummary",
    "ReviewedCell",
    "SampleFilter",
    "SampleRow",
    "StudySummary",
    "add_labels",
    "builtin_world",
    "drilldown",
    "harm_category",
    "human_verdict",
    "iter_rows",
    "kappa_interval",
    "level_rank",
    "list_samples",
    "plot_rates",
    "published_for",
    "rate_table",
    "read_sheet",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "render_terminal",
    "review_summary",
    "sample_detail",
    "stored_verdicts",
    "summarize",
    "transcript_blocks",
    "write_sheet",
]

if not TYPE_CHECKING:  # names are imported on first use (see scenariokit._lazy)
    __getattr__, __dir__ = lazy_exports(__name__)
