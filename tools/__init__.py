"""Tooling that is not a test: the fuzz campaign, the soak run and the mutation-testing helpers.

Each is a command (``python -m tools.fuzz_campaign``, ``python -m tools.soak``,
``python -m tools.mutation.summary``, ``python -m tools.mutation.plant``) run by
``make fuzz``, ``make soak`` and ``make mutation``; the tests in ``tests/`` start
the fuzz campaign and the soak run as children, within CI's budget.
"""
