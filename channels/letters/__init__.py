"""Scanned letters in, printable letters out."""
