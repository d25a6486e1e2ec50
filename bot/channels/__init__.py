"""Channels translate between a medium (terminal, Telegram) and engine events/outputs."""
