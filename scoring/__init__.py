"""The shared scorer: pure functions from answers, profile and events to an explained score.

Its hot modules run compiled when the install built them (see `scoring.native`).
"""

from scoring.native import select

COMPILED: bool = select()
"""Whether the compiled modules are in use (else the Python sources run)."""
