from django.urls import path

from bench import floor

# Included by the root URLconf under bench/ only when settings.BENCH_FLOOR is true.
urlpatterns = [
    path("floor/", floor.floor, name="bench-floor"),
]
