"""Fixed, derandomized hypothesis budgets, so that property tests take the same time every run."""

from hypothesis import HealthCheck, settings


def budget(examples: int) -> settings:
    """At most ``examples`` examples, the same ones every run, with no time limit per example."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )
