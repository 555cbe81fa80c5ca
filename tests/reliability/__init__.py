"""Reliability tests for issue 8: fuzzing, bad input, concurrency, soak, fault isolation, abort traps."""
