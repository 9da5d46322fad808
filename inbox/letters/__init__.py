"""Scanned letters: filing them (OCR on every core, drop folders), the
"needs a human" list, and replies printed as letters."""
