"""Routers, one module per function."""
