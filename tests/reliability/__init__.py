"""Reliability tests: fuzzing, bad input, concurrency, soak, fault isolation, abort traps."""
