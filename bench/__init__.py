"""The national-scale benchmark: dataset builder, timing WSGI wrapper, measurement driver.

`make bench` (scripts/bench.sh) builds the dataset in its own PostgreSQL database with
`manage.py build_bench_data`, serves the project with its production settings under gunicorn
(through `bench.wsgi`, which adds server time and query count headers) and runs `bench.run`.
Nothing in the application imports this package.
"""
