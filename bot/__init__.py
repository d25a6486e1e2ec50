"""Lotse: guidance on Bleiberecht, a consented pre-screening and a handoff to counsellors."""

__version__ = "0.1.0"
