"""`python -m bot` is the same as the `lotse` command."""

from bot.cli import main

main()
