"""The console side of a conversation (like `rasa shell`): show bot replies, read answers.

Answers come from the keyboard, or from a script (a file or piped stdin: one answer per
line; blank lines and `#` comments are skipped), echoed so a transcript reads naturally.
Typing a button's number presses it. Storage is the caller's business (`send`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape

from dialogs.domain import Button, Reply

_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")


def mrkdwn_to_rich(text: str) -> str:
    """Slack mrkdwn (`*bold*`, `_italic_`, `` `code` ``) as Rich markup."""
    out = escape(text)
    out = _CODE.sub(r"[cyan]\1[/cyan]", out)
    out = _BOLD.sub(r"[bold]\1[/bold]", out)
    return _ITALIC.sub(r"[italic]\1[/italic]", out)


def script_lines(lines: Iterable[str]) -> Iterator[str]:
    """The answers of a script: non-blank lines that are not `#` comments."""
    for line in lines:
        stripped = line.rstrip("\n")
        if stripped.strip() and not stripped.lstrip().startswith("#"):
            yield stripped


@dataclass
class ChatConsole:
    """Prints the bot's side and reads the rep's, from the keyboard or a script."""

    console: Console
    script: Iterator[str] | None = None  # None: interactive
    rep_name: str = "you"
    _buttons: tuple[Button, ...] = field(default=(), init=False)

    def show(self, replies: Iterable[Reply]) -> None:
        for reply in replies:
            self.console.print(f"[bold magenta]qualibot[/] › {mrkdwn_to_rich(reply.text)}")
            if reply.buttons:
                self._buttons = reply.buttons
                choices = "  ".join(
                    f"[dim]\\[{i}][/] {escape(b.title)}" for i, b in enumerate(reply.buttons, 1)
                )
                self.console.print(f"           {choices}")

    def read(self) -> str | None:
        """The rep's next answer (a button number becomes its payload); None at the end."""
        prompt = f"[bold green]{escape(self.rep_name)}[/] › "
        if self.script is None:
            try:
                text = self.console.input(prompt)
            except (EOFError, KeyboardInterrupt):
                self.console.print()
                return None
        else:
            line = next(self.script, None)
            if line is None:
                return None
            text = line
            self.console.print(prompt + escape(text))
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self._buttons):
            return self._buttons[int(stripped) - 1].payload
        return text


async def chat(
    chat_console: ChatConsole,
    first: list[Reply],
    send: Callable[[str], Awaitable[tuple[list[Reply], bool]]],
) -> bool:
    """Run a conversation: show `first`, then send each answer until `send` says it is
    over (its second value). Returns False when the input ran out first."""
    chat_console.show(first)
    while True:
        text = chat_console.read()
        if text is None:
            return False
        replies, over = await send(text)
        chat_console.show(replies)
        if over:
            return True
