"""The pure core: flow model, loader, validator, runtime and FAQ matcher.

Imports nothing of Lotse's outside `bot.engine`, and nothing from Telegram, the database or the
network (tests/test_architecture.py enforces it): a conversation turn is a function of
(state, event, flows, today).
"""

from bot.engine.io import Event, Output
from bot.engine.model import FlowSet
from bot.engine.problems import FlowError, Problem
from bot.engine.runtime import step
from bot.engine.state import State
from bot.engine.validator import load_flows, load_or_raise

__all__ = ["Event", "FlowError", "FlowSet", "Output", "Problem", "State", "load_flows",
           "load_or_raise", "step"]
