"""The built-in adapters: the ``numpy``, ``torch`` and ``tensorflow`` backends.

Each module defines one backend class implementing :class:`unibridge.Backend`.
Importing a backend module imports no framework: each loads its framework on
first use, so ``import unibridge`` stays cheap and works without torch or TF.
"""
