from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark as an app: the generate_bench_data command and the floor view."""

    name = "bench"
    verbose_name = "Benchmark"
