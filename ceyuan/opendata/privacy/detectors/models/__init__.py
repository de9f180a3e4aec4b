"""Trained model files shipped as package data (``person.crfsuite``: see docs/privacy-engine.md)."""
