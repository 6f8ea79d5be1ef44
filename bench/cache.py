"""The cache operations a results page makes, timed on Django's Redis backend and django-redis.

    redis-server &                  # Redis at 127.0.0.1:6379 (db 11; only bench:* keys touched)
    .venv/bin/python bench/cache.py

A results page asks the cache for the search limit (an add and an increment), the filter
choices' version and choices, and the hotlines' version; an API request for the limit. Each
operation is timed 5,000 times in this process's CPU time (what a worker spends; the Redis
server's own time is not counted), on both backends in the same run. Not part of the tests.
"""

import argparse
import statistics
import sys
from pathlib import Path
from time import process_time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BACKENDS = {
    "Django RedisCache": "django.core.cache.backends.redis.RedisCache",
    "django-redis": "django_redis.cache.RedisCache",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--times", type=int, default=5000)
    args = parser.parse_args()
    import django
    from django.conf import settings

    settings.configure(
        CACHES={
            name: {"BACKEND": backend, "LOCATION": args.redis_url}
            for name, backend in BACKENDS.items()
        }
    )
    django.setup()
    from django.core.cache import caches

    def limit(cache):
        cache.add("bench:limit", 0, timeout=60)
        cache.incr("bench:limit")

    operations = {
        "get": lambda cache: cache.get("bench:value"),
        "get_or_set (a version)": lambda cache: cache.get_or_set("bench:version", "v1", None),
        "add + incr (a limit)": limit,
    }
    print(f"CPU microseconds per operation, median of 5 runs of {args.times:,}\n")
    print(f"{'operation':<24}" + "".join(f"{name:>20}" for name in BACKENDS))
    for label, operation in operations.items():
        row = f"{label:<24}"
        for name in BACKENDS:
            cache = caches[name]
            cache.set("bench:value", "x" * 64, 60)
            runs = []
            for _ in range(5):
                started = process_time()
                for _ in range(args.times):
                    operation(cache)
                runs.append((process_time() - started) / args.times * 1e6)
            row += f"{statistics.median(runs):>20.1f}"
        print(row)
    # Only the benchmark's own keys: clear() would empty the whole database --redis-url names.
    caches["django-redis"].delete_many(["bench:limit", "bench:value", "bench:version"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
