"""`python -m bot` runs the qualibot CLI."""

from bot.cli import main

main()
