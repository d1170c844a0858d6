"""Ops Agent: an operations agent for apps hosted on Vercel."""

__version__ = "0.1.0"
