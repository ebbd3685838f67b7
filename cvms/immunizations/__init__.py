"""Immunizations: the doses given, each taken out of stock."""
